import type { Address } from '@solana/kit';
import type { PoolSnapshot } from '../market/types.js';
import {
  type AmmConfig,
  decodeAmmConfig,
  decodePoolState,
  decodeTokenAccount,
  POOL_STATE_ADDRESSES_END,
  type PoolState,
  tokenAccountAmount,
  withPoolStateCounters,
} from './raydium-cp-layout.js';
import { type RaydiumCpPool, snapshotOf, swapsEnabled } from './raydium-cp-pool.js';

/**
 * What the live source knows of each watched pool: its decoded accounts, and when its state was
 * last confirmed (an account notification or an RPC read). A pool is tradable only when every
 * account is known, swaps are enabled, and the confirmation is younger than `staleAfterMs` with
 * the subscription connected since: the executors ask `tradable` before every send.
 */
export interface PoolDirectory {
  pool(id: string): RaydiumCpPool | undefined;
  /** Why the pool must not be traded now, or null when it may be. */
  untradable(id: string, nowMs: number): string | null;
}

interface Entry {
  state?: PoolState;
  stateBytes?: Uint8Array;
  config?: AmmConfig;
  vault0?: bigint;
  vault1?: bigint;
  confirmedMs: number;
  /** The subscription dropped after the last confirmation: nothing since can be trusted. */
  gap: boolean;
}

export type AccountRole = { pool: Address; kind: 'state' | 'config' | 'vault0' | 'vault1' };

export class WatchedPools implements PoolDirectory {
  private readonly entries = new Map<string, Entry>();
  /** Account address → the pools it belongs to (an AmmConfig is shared by many). */
  private readonly roles = new Map<string, AccountRole[]>();

  constructor(
    readonly poolAddresses: readonly Address[],
    private readonly staleAfterMs: number,
  ) {
    for (const a of poolAddresses) {
      this.entries.set(a, { confirmedMs: 0, gap: true });
      this.roles.set(a, [{ pool: a, kind: 'state' }]);
    }
  }

  /** Every account to watch: the pools, and once their states are known, configs and vaults. */
  accounts(): Address[] {
    return [...this.roles.keys()] as Address[];
  }

  /**
   * Applies one account's data; returns the pools whose snapshot changed. Bad data throws
   * LF_SOLANA_ACCOUNT_DECODE naming the account.
   */
  apply(account: string, data: Uint8Array, nowMs: number): Address[] {
    const changed: Address[] = [];
    for (const role of this.roles.get(account) ?? []) {
      const e = this.entries.get(role.pool) as Entry;
      const before = this.snapshot(role.pool);
      const where = `account ${account} (${role.kind} of pool ${role.pool})`;
      if (role.kind === 'state') {
        // Decoding ten base58 addresses is the costly part (~0.3 ms): a swap changes only the
        // counters after them, so those are read in place when the addresses are unchanged.
        const prev = e.stateBytes;
        if (prev !== undefined && e.state !== undefined && sameAddresses(prev, data)) {
          e.state = withPoolStateCounters(e.state, data, where);
        } else {
          e.state = decodePoolState(data, where);
          this.link(role.pool, e.state);
        }
        e.stateBytes = new Uint8Array(data);
      } else if (role.kind === 'config') e.config = decodeAmmConfig(data, where);
      else if ((role.kind === 'vault0' ? e.vault0 : e.vault1) === undefined) {
        // The first read checks the whole account; later ones read the balance alone.
        const amount = decodeTokenAccount(data, where).amount;
        if (role.kind === 'vault0') e.vault0 = amount;
        else e.vault1 = amount;
      } else if (role.kind === 'vault0') e.vault0 = tokenAccountAmount(data, where);
      else e.vault1 = tokenAccountAmount(data, where);
      e.confirmedMs = nowMs;
      const after = this.snapshot(role.pool);
      if (after !== undefined && !sameReserves(before, after)) changed.push(role.pool);
    }
    return changed;
  }

  /** Confirms every pool as read in full at `nowMs` (after an RPC read of all accounts). */
  confirmAll(nowMs: number): void {
    for (const e of this.entries.values()) {
      e.confirmedMs = nowMs;
      e.gap = false;
    }
  }

  /** The subscription dropped: nothing is tradable until the next full read. */
  markGap(): void {
    for (const e of this.entries.values()) e.gap = true;
  }

  pool(id: string): RaydiumCpPool | undefined {
    const e = this.entries.get(id);
    if (e?.state === undefined || e.config === undefined) return undefined;
    if (e.vault0 === undefined || e.vault1 === undefined) return undefined;
    return {
      address: id as Address,
      state: e.state,
      config: e.config,
      vault0Amount: e.vault0,
      vault1Amount: e.vault1,
    };
  }

  snapshot(id: string): PoolSnapshot | undefined {
    const p = this.pool(id);
    return p === undefined ? undefined : snapshotOf(p);
  }

  untradable(id: string, nowMs: number): string | null {
    const e = this.entries.get(id);
    if (e === undefined) return `pool ${id} is not watched`;
    const p = this.pool(id);
    if (p === undefined) return `pool ${id}: accounts not all read yet`;
    if (e.gap) return `pool ${id}: subscription dropped, waiting for a fresh read`;
    if (nowMs - e.confirmedMs > this.staleAfterMs)
      return `pool ${id}: stale, last update ${nowMs - e.confirmedMs} ms ago (live.timeouts.staleAfterMs ${this.staleAfterMs})`;
    if (!swapsEnabled(p, Math.floor(nowMs / 1000)))
      return `pool ${id}: swaps disabled or not open yet`;
    return null;
  }

  private link(pool: Address, state: PoolState): void {
    const add = (account: Address, kind: AccountRole['kind']) => {
      const list = this.roles.get(account) ?? [];
      if (!list.some((r) => r.pool === pool && r.kind === kind)) list.push({ pool, kind });
      this.roles.set(account, list);
    };
    add(state.ammConfig, 'config');
    add(state.token0Vault, 'vault0');
    add(state.token1Vault, 'vault1');
  }
}

function sameReserves(a: PoolSnapshot | undefined, b: PoolSnapshot): boolean {
  return (
    a !== undefined &&
    a.reserveA === b.reserveA &&
    a.reserveB === b.reserveB &&
    a.feeBps === b.feeBps
  );
}

function sameAddresses(a: Uint8Array, b: Uint8Array): boolean {
  const end = POOL_STATE_ADDRESSES_END;
  return (
    a.length === b.length &&
    b.length >= end &&
    Buffer.compare(a.subarray(0, end), b.subarray(0, end)) === 0
  );
}
