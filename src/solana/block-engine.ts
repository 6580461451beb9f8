import type { Address } from '@solana/kit';
import { LandfallError } from '../errors.js';
import { JsonRpcClient } from './json-rpc.js';

/**
 * The Jito block engine's JSON-RPC bundle API at `<blockEngineUrl>/api/v1/bundles`:
 * `getTipAccounts`, `sendBundle` (at most 5 transactions, base64, executed atomically and in
 * order), `getInflightBundleStatuses` (Invalid | Pending | Failed | Landed, last 5 minutes)
 * and `getBundleStatuses` (slot and confirmation of a landed bundle).
 */
export const MAX_BUNDLE_TRANSACTIONS = 5;

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
  private tipAccounts: { accounts: Address[]; atMs: number } | undefined;
  private fetching: Promise<Address[]> | undefined;

  constructor(
    blockEngineUrl: string,
    options: { timeoutMs: number; rateLimitRetries: number; tipAccountsTtlMs: number },
    private readonly random: () => number = Math.random,
  ) {
    this.rpc = new JsonRpcClient({
      url: `${blockEngineUrl.replace(/\/+$/, '')}/api/v1/bundles`,
      timeoutMs: options.timeoutMs,
      rateLimitRetries: options.rateLimitRetries,
    });
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

  async inflightStatus(
    bundleId: string,
  ): Promise<{ status: InflightStatus; landedSlot: number | null } | null> {
    const res = await this.rpc.call<{
      value: Array<{
        bundle_id: string;
        status: InflightStatus;
        landed_slot: number | null;
      } | null>;
    }>('getInflightBundleStatuses', [[bundleId]]);
    const v = res.value[0];
    return v === null || v === undefined ? null : { status: v.status, landedSlot: v.landed_slot };
  }

  async bundleStatus(bundleId: string): Promise<BundleStatus | null> {
    const res = await this.rpc.call<{ value: Array<BundleStatus | null> }>('getBundleStatuses', [
      [bundleId],
    ]);
    return res.value[0] ?? null;
  }
}
