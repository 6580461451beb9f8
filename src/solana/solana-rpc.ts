import {
  createDefaultRpcTransport,
  createSolanaRpcFromTransport,
  isSolanaError,
  type Rpc,
  type RpcResponse,
  type RpcTransport,
  SOLANA_ERROR__RPC__TRANSPORT_HTTP_ERROR,
  type SolanaRpcApi,
} from '@solana/kit';
import { LandfallError } from '../errors.js';
import { type JsonRpcOptions, RpcError, type RpcStats, sleep } from './json-rpc.js';

/**
 * The Solana RPC through `@solana/kit`'s typed client (`createSolanaRpcFromTransport`), over a
 * transport that wraps kit's default HTTP transport with Landfall's semantics, the same the
 * block engine's JSON-RPC client has: a per-request timeout, HTTP 429 retried with exponential
 * backoff (honouring `Retry-After`), and every failure surfaced as a LandfallError naming the
 * endpoint and method (a JSON-RPC `error` object as `RpcError`, LF_SOLANA_RPC). Kit sends the
 * documented parameter shapes and answers u64 values as bigint.
 */
export interface SolanaRpcClient {
  readonly url: string;
  readonly rpc: Rpc<SolanaRpcApi>;
  readonly stats: RpcStats;
}

export function createSolanaRpcClient(options: JsonRpcOptions): SolanaRpcClient {
  const stats: RpcStats = { requests: 0, rateLimited: 0, errors: 0 };
  const transport = landfallTransport(options, stats);
  return { url: options.url, rpc: createSolanaRpcFromTransport(transport), stats };
}

export function landfallTransport(options: JsonRpcOptions, stats: RpcStats): RpcTransport {
  const { url, timeoutMs, rateLimitRetries } = options;
  const inner = createDefaultRpcTransport({ url });
  const backoff = (attempt: number, retryAfter: string | null): number => {
    const base = (options.backoffMs ?? 100) * 2 ** attempt;
    const header = retryAfter === null ? Number.NaN : Number(retryAfter) * 1000;
    return Number.isFinite(header) ? Math.max(base, header) : base;
  };
  return async function landfallRpcTransport<T>(config: {
    payload: unknown;
    signal?: AbortSignal;
  }): Promise<RpcResponse<T>> {
    const method = (config.payload as { method?: unknown }).method;
    const name = typeof method === 'string' ? method : 'request';
    for (let attempt = 0; ; attempt++) {
      stats.requests++;
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal =
        config.signal === undefined ? timeout : AbortSignal.any([config.signal, timeout]);
      let response: unknown;
      try {
        response = await inner({ payload: config.payload, signal });
      } catch (err) {
        if (isSolanaError(err, SOLANA_ERROR__RPC__TRANSPORT_HTTP_ERROR)) {
          const { statusCode, headers } = err.context;
          if (statusCode === 429) {
            stats.rateLimited++;
            if (attempt >= rateLimitRetries) {
              throw new LandfallError(
                'LF_SOLANA_RATE_LIMITED',
                `${name} at ${url}: still rate limited (HTTP 429) after ${attempt + 1} attempts; lower the request rate or raise live.timeouts.rateLimitRetries`,
              );
            }
            await sleep(backoff(attempt, headers.get('retry-after')));
            continue;
          }
          stats.errors++;
          throw new LandfallError(
            'LF_SOLANA_RPC',
            `${name} at ${url}: HTTP ${statusCode} without a JSON-RPC result`,
            { cause: err },
          );
        }
        stats.errors++;
        if (timeout.aborted) {
          throw new LandfallError(
            'LF_SOLANA_TIMEOUT',
            `${name} at ${url}: no answer within ${timeoutMs} ms (live.timeouts.requestMs)`,
            { cause: err },
          );
        }
        throw new LandfallError(
          'LF_SOLANA_RPC',
          err instanceof SyntaxError
            ? `${name} at ${url}: the answer is not JSON: ${err.message}`
            : `${name} at ${url}: request failed: ${(err as Error).message}`,
          { cause: err },
        );
      }
      const payload = response as {
        result?: unknown;
        error?: { code: number | bigint; message: string; data?: unknown };
      } | null;
      if (payload?.error !== undefined) {
        stats.errors++;
        const e = payload.error;
        throw new RpcError(url, name, Number(e.code), e.message, e.data);
      }
      if (payload === null || typeof payload !== 'object' || !('result' in payload)) {
        stats.errors++;
        throw new LandfallError('LF_SOLANA_RPC', `${name} at ${url}: no JSON-RPC result`);
      }
      return response as RpcResponse<T>;
    }
  };
}
