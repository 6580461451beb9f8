import { LandfallError } from '../errors.js';

/**
 * A JSON-RPC 2.0 client over HTTP POST for what kit's Solana RPC does not type: the Jito block
 * engine and `simulateBundle`. Its semantics are the ones the kit transport (solana-rpc.ts)
 * gives the Solana RPC: a per-request timeout, HTTP 429 retried with exponential backoff
 * (honouring `Retry-After`), and every failure surfaced as a LandfallError naming the endpoint
 * and method. A JSON-RPC `error` object is kept as `RpcError` so callers can map its code.
 */

export class RpcError extends LandfallError {
  constructor(
    readonly endpoint: string,
    readonly method: string,
    readonly rpcCode: number,
    readonly rpcMessage: string,
    readonly data?: unknown,
  ) {
    super('LF_SOLANA_RPC', `${method} at ${endpoint}: JSON-RPC error ${rpcCode}: ${rpcMessage}`);
  }
}

export interface JsonRpcOptions {
  readonly url: string;
  readonly timeoutMs: number;
  readonly rateLimitRetries: number;
  /** First backoff after a 429, doubled per retry; `Retry-After` wins when larger. */
  readonly backoffMs?: number;
}

export interface RpcStats {
  requests: number;
  rateLimited: number;
  errors: number;
}

let nextId = 1;

export class JsonRpcClient {
  readonly stats: RpcStats = { requests: 0, rateLimited: 0, errors: 0 };

  constructor(readonly options: JsonRpcOptions) {}

  async call<T>(method: string, params: unknown[] = []): Promise<T> {
    const { url, rateLimitRetries } = this.options;
    const body = JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params });
    for (let attempt = 0; ; attempt++) {
      this.stats.requests++;
      const response = await this.post(method, body);
      if (response.status === 429) {
        this.stats.rateLimited++;
        await response.body?.cancel();
        if (attempt >= rateLimitRetries) {
          throw new LandfallError(
            'LF_SOLANA_RATE_LIMITED',
            `${method} at ${url}: still rate limited (HTTP 429) after ${attempt + 1} attempts; lower the request rate or raise live.timeouts.rateLimitRetries`,
          );
        }
        await sleep(this.backoff(attempt, response.headers.get('retry-after')));
        continue;
      }
      return this.parse<T>(method, response);
    }
  }

  private async post(method: string, body: string): Promise<Response> {
    const { url, timeoutMs } = this.options;
    try {
      return await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      this.stats.errors++;
      const timedOut = (err as Error).name === 'TimeoutError';
      throw new LandfallError(
        timedOut ? 'LF_SOLANA_TIMEOUT' : 'LF_SOLANA_RPC',
        timedOut
          ? `${method} at ${url}: no answer within ${timeoutMs} ms (live.timeouts.requestMs)`
          : `${method} at ${url}: request failed: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  private async parse<T>(method: string, response: Response): Promise<T> {
    const { url } = this.options;
    const text = await response.text();
    let payload: { result?: T; error?: { code: number; message: string; data?: unknown } };
    try {
      payload = JSON.parse(text) as typeof payload;
    } catch {
      this.stats.errors++;
      throw new LandfallError(
        'LF_SOLANA_RPC',
        `${method} at ${url}: HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 120)}`,
      );
    }
    if (payload.error !== undefined) {
      this.stats.errors++;
      const e = payload.error;
      throw new RpcError(url, method, e.code, e.message, e.data);
    }
    if (!response.ok || !('result' in payload)) {
      this.stats.errors++;
      throw new LandfallError(
        'LF_SOLANA_RPC',
        `${method} at ${url}: HTTP ${response.status} without a JSON-RPC result`,
      );
    }
    return payload.result as T;
  }

  private backoff(attempt: number, retryAfter: string | null): number {
    const base = (this.options.backoffMs ?? 100) * 2 ** attempt;
    const header = retryAfter === null ? Number.NaN : Number(retryAfter) * 1000;
    return Number.isFinite(header) ? Math.max(base, header) : base;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
