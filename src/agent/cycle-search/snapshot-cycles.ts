import type { CurveContext } from '../../market/curve.js';
import type { PoolSnapshot } from '../../market/types.js';
import { CycleSearch } from './cycle-search.js';
import { CurveSnapshotPool, quotedPool } from './snapshot-pool.js';
import type { BaseMint, SizedCycle } from './types.js';

/** A program's amounts are u64: no cycle can spend more. */
const U64_MAX = (1n << 64n) - 1n;

/** Where pool states come from: the agent's market view, or anything that lists pools by mint. */
export interface PoolsByMint {
  poolsWith(mint: string): readonly PoolSnapshot[];
}

export interface SnapshotCyclesOptions {
  readonly quoteMint: string;
  /** The least quote-mint profit worth a cycle that starts in the quote mint. */
  readonly minProfitLamports: bigint;
  /** The most a quote-mint cycle may spend; none: any u64. */
  readonly maxAmountIn?: bigint;
  /** Other mints cycles may start in (their profit is measured in that mint). */
  readonly bases?: readonly string[];
  /**
   * Whether cycles get the exact search with its certificate (`SizeOptions.exactSearch`).
   * Default false, the hot path's choice: constant-product cycles take the closed form, cycles
   * through curve pools with virtual reserves a search of ±25 % around it. The exact search on
   * curves is far dearer: a mixed-market backtest (4 seeds × 20 min) took 37 s windowed and had
   * not finished after 12 CPU-minutes exact.
   */
  readonly exactSearch?: boolean;
}

/**
 * A cycle search kept in step with market snapshots: each pool is re-quoted only when its
 * snapshot object changes (a view replaces a pool's snapshot on every update), so syncing the
 * neighbourhood of an event is a few map lookups. The search is a cache of the view, never a
 * second source of truth: whatever the view holds is what cycles are sized on.
 */
export class SnapshotCycles {
  private readonly search: CycleSearch;
  private readonly seen = new Map<string, PoolSnapshot>();
  readonly bases: readonly string[];

  constructor(options: SnapshotCyclesOptions) {
    const quote: BaseMint = {
      mint: options.quoteMint,
      maxIn: options.maxAmountIn ?? U64_MAX,
      minProfit: options.minProfitLamports < 1n ? 1n : options.minProfitLamports,
    };
    const others = [...new Set(options.bases ?? [])]
      .filter((mint) => mint !== options.quoteMint)
      .map((mint): BaseMint => ({ mint, maxIn: U64_MAX }));
    this.bases = [quote.mint, ...others.map((b) => b.mint)];
    this.search = new CycleSearch({
      bases: [quote, ...others],
      exactSearch: options.exactSearch ?? false,
    });
  }

  /** Brings one pool's snapshot in, re-quoting it only when it changed. */
  sync(pool: PoolSnapshot, context: CurveContext): void {
    if (this.seen.get(pool.id) === pool) return;
    this.seen.set(pool.id, pool);
    this.search.upsert(quotedPool(pool, context));
  }

  /**
   * `pool` and every pool sharing a mint with it: each 2-hop cycle through `pool`, and each
   * 3-hop one in which it is not a base's only pool. The rest of the graph comes in with its
   * own updates (a market source sends every pool first).
   */
  syncAround(pool: PoolSnapshot, view: PoolsByMint, context: CurveContext): void {
    this.sync(pool, context);
    for (const peer of view.poolsWith(pool.mintA)) this.sync(peer, context);
    for (const peer of view.poolsWith(pool.mintB)) this.sync(peer, context);
  }

  /** Every pool a cycle through `pool` can use: `syncAround` and every base's pools. */
  syncNeighbourhood(pool: PoolSnapshot, view: PoolsByMint, context: CurveContext): void {
    this.syncAround(pool, view, context);
    for (const base of this.bases)
      for (const peer of view.poolsWith(base)) this.sync(peer, context);
  }

  /** The cycles through `poolId` worth their base's minimum profit, larger first per base. */
  through(poolId: string): SizedCycle[] {
    return this.search.evaluate(poolId).filter(executes);
  }

  /**
   * `read` of the cycles through a what-if state of a pool (after a pending swap), the known
   * state restored after: `read` must take what it needs from the sized cycles before it returns.
   */
  whatIf<T>(state: PoolSnapshot, context: CurveContext, read: (sized: SizedCycle[]) => T): T {
    const known = this.seen.get(state.id);
    this.search.upsert(quotedPool(state, context));
    try {
      return read(this.search.evaluate(state.id).filter(executes));
    } finally {
      if (known === undefined) {
        this.search.remove(state.id);
        this.seen.delete(state.id);
      } else this.search.upsert(quotedPool(known, context));
    }
  }
}

/**
 * Whether every program of the cycle executes its sized input and pays what the search was told.
 * A curve pool's quote is held level past what its program can take (`CurveSnapshotPool.quote`);
 * the hot path's windowed sizing can land there, and such a plan would be refused on chain.
 */
export function executes(sized: SizedCycle): boolean {
  let amount = sized.amountIn;
  for (const { slot, direction } of sized.cycle.hops) {
    const pool = slot.pool;
    amount =
      pool instanceof CurveSnapshotPool
        ? pool.pays(direction, amount)
        : pool.quote(direction, amount);
    if (amount === 0n) return false;
  }
  return amount === sized.amountOut;
}
