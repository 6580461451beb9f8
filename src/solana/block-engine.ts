import type { Address } from '@solana/kit';
import { LandfallError } from '../errors.js';
import type { FailureReason } from '../market/types.js';
import { JsonRpcClient, RpcError } from './json-rpc.js';

/**
 * The Jito block engine's JSON-RPC bundle API at `<blockEngineUrl>/api/v1/bundles`:
 * `getTipAccounts`, `sendBundle` (at most 5 transactions, base64, executed atomically and in
 * order), `getInflightBundleStatuses` (Invalid | Pending | Failed | Landed, last 5 minutes)
 * and `getBundleStatuses` (slot and confirmation of a landed bundle); both status methods take
 * up to 5 bundle ids a call (jito-labs/mev-protos json_rpc/http.md).
 */
export const MAX_BUNDLE_TRANSACTIONS = 5;
export const MAX_STATUS_IDS = 5;

/**
 * What a `sendBundle` JSON-RPC error code means for the submission, in one place; a code not
 * listed is `dropped`. The block engine has no code of its own for a low tip (a low tip just
 * loses the auction); what it refuses it refuses by code:
 * - -32602 (invalid params): the bundle breaks a block-engine rule before any auction — "Bundles
 *   must write lock at least one tip account to be eligible for the auction." (no tip to a
 *   current tip account, e.g. after the list rotated) or "bundle contains an already processed
 *   transaction"; HTTP 400. Seen in searchers' logs and clients (LuKks/jito-rpc constants.js
 *   names -32602 ALREADY_PROCESSED).
 * - -32097: "Network congested. Endpoint is globally rate limited." (HTTP 429; LuKks/jito-rpc
 *   RATE_LIMIT): it never reached the auction.
 * Message text is never read: it changes between releases and regions.
 */
export const SEND_BUNDLE_REFUSALS: ReadonlyMap<number, FailureReason> = new Map<
  number,
  FailureReason
>([
  [-32602, 'rejected'],
  [-32097, 'dropped'],
]);

/** The failure a `sendBundle` error stands for (`SEND_BUNDLE_REFUSALS`); anything else: `dropped`. */
export function refusalOf(err: unknown): FailureReason {
  return err instanceof RpcError ? (SEND_BUNDLE_REFUSALS.get(err.rpcCode) ?? 'dropped') : 'dropped';
}

export interface InflightBundle {
  readonly bundleId: string;
  readonly status: InflightStatus;
  readonly landedSlot: number | null;
}

export type InflightStatus = 'Invalid' | 'Pending' | 'Failed' | 'Landed';

export interface BundleStatus {
  readonly bundle_id: string;
  readonly transactions: string[];
  readonly slot: number;
  readonly confirmation_status: 'processed' | 'confirmed' | 'finalized';
  readonly err: unknown;
}

export class BlockEngine {
  readonly rpc: JsonRpcClient;
  /**
   * Status polls: the same endpoint without retries on HTTP 429, so a rate-limited poll comes
   * back at once and its poller backs off by itself (`bundle-status.ts`) instead of stalling.
   */
  readonly statusRpc: JsonRpcClient;
  private tipAccounts: { accounts: Address[]; atMs: number } | undefined;
  private fetching: Promise<Address[]> | undefined;

  constructor(
    blockEngineUrl: string,
    options: { timeoutMs: number; rateLimitRetries: number; tipAccountsTtlMs: number },
    private readonly random: () => number = Math.random,
  ) {
    const url = `${blockEngineUrl.replace(/\/+$/, '')}/api/v1/bundles`;
    this.rpc = new JsonRpcClient({
      url,
      timeoutMs: options.timeoutMs,
      rateLimitRetries: options.rateLimitRetries,
    });
    this.statusRpc = new JsonRpcClient({ url, timeoutMs: options.timeoutMs, rateLimitRetries: 0 });
    this.ttlMs = options.tipAccountsTtlMs;
  }

  private readonly ttlMs: number;

  /** One of the block engine's tip accounts, chosen at random from a list cached for the TTL. */
  async tipAccount(nowMs = Date.now()): Promise<Address> {
    const cached = this.tipAccounts;
    const accounts =
      cached !== undefined && nowMs - cached.atMs < this.ttlMs
        ? cached.accounts
        : await this.fetchTipAccounts(nowMs);
    return accounts[Math.floor(this.random() * accounts.length)] as Address;
  }

  private fetchTipAccounts(nowMs: number): Promise<Address[]> {
    this.fetching ??= this.rpc
      .call<string[]>('getTipAccounts', [])
      .then((accounts) => {
        if (
          !Array.isArray(accounts) ||
          accounts.length === 0 ||
          accounts.some((a) => typeof a !== 'string')
        ) {
          throw new LandfallError(
            'LF_SOLANA_RPC',
            `getTipAccounts at ${this.rpc.options.url}: expected a non-empty array of addresses`,
          );
        }
        this.tipAccounts = { accounts: accounts as Address[], atMs: nowMs };
        return accounts as Address[];
      })
      .finally(() => {
        this.fetching = undefined;
      });
    return this.fetching;
  }

  async sendBundle(base64Transactions: readonly string[]): Promise<string> {
    if (base64Transactions.length === 0 || base64Transactions.length > MAX_BUNDLE_TRANSACTIONS) {
      throw new LandfallError(
        'LF_MARKET_SUBMISSION_INVALID',
        `a bundle holds 1 to ${MAX_BUNDLE_TRANSACTIONS} transactions, got ${base64Transactions.length}`,
      );
    }
    const id = await this.rpc.call<string>('sendBundle', [
      base64Transactions,
      { encoding: 'base64' },
    ]);
    if (typeof id !== 'string' || id === '')
      throw new LandfallError('LF_SOLANA_RPC', 'sendBundle returned no bundle id');
    return id;
  }

  /**
   * The in-flight status of up to `MAX_STATUS_IDS` bundles in one call, by id; an id the block
   * engine does not answer for is absent. HTTP 429 throws LF_SOLANA_RATE_LIMITED at once.
   */
  async inflightStatuses(bundleIds: readonly string[]): Promise<Map<string, InflightBundle>> {
    if (bundleIds.length === 0 || bundleIds.length > MAX_STATUS_IDS) {
      throw new LandfallError(
        'LF_INTERNAL',
        `getInflightBundleStatuses takes 1 to ${MAX_STATUS_IDS} bundle ids, got ${bundleIds.length}`,
      );
    }
    const res = await this.statusRpc.call<{
      value: Array<{
        bundle_id: string;
        status: InflightStatus;
        landed_slot: number | null;
      } | null>;
    }>('getInflightBundleStatuses', [bundleIds]);
    const out = new Map<string, InflightBundle>();
    for (const v of res?.value ?? []) {
      if (v === null || typeof v?.bundle_id !== 'string') continue;
      out.set(v.bundle_id, { bundleId: v.bundle_id, status: v.status, landedSlot: v.landed_slot });
    }
    return out;
  }

  async bundleStatus(bundleId: string): Promise<BundleStatus | null> {
    const res = await this.rpc.call<{ value: Array<BundleStatus | null> }>('getBundleStatuses', [
      [bundleId],
    ]);
    return res.value[0] ?? null;
  }
}
