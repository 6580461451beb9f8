import { curveContextAt, swapExact } from '../market/pool-quote.js';
import type { MarketEvent, PoolSnapshot } from '../market/types.js';
import { sizedLegs } from './cycle-search/cycle-search.js';
import { SnapshotCycles } from './cycle-search/snapshot-cycles.js';
import type { SizedCycle } from './cycle-search/types.js';
import type { Candidate, MarketView, Strategy } from './types.js';

/**
 * The two strategies, both on the cycle search over the whole mint graph (`cycle-search/`,
 * kept in step with the view by `snapshot-cycles.ts`): every 2- and 3-pool cycle through a base
 * mint the wallet holds, each pool priced by its exact maths (constant product sized by its
 * closed form, a venue's curve by exact integer maximisation), re-sized whenever any pool of
 * the cycle changes.
 *
 * - `ArbStrategy` (module arb): when a pool changes, the best cycle holding it, whichever hop.
 * - `BackrunStrategy` (module mev): on a pending large swap, the pool state after it (the
 *   event's `poolAfter` when the source priced it exactly, else the pool's own maths) and the
 *   best cycle through that pool on that state; the candidate names the swap in
 *   `afterSignature`, so it can only ever land after it.
 *
 * One candidate per event: every cycle found holds the pool that changed, so two of them could
 * not both land on the state they were sized on.
 */

export interface StrategyOptions {
  readonly quoteMint: string;
  /** Candidates below this gross profit (lamports) are not worth a decision. */
  readonly minProfitLamports: bigint;
  /** Largest quote-mint input a cycle may spend; none: any. */
  readonly maxAmountIn?: bigint;
  /**
   * Further mints cycles may start and end in (the wallet holds them), beside the quote mint;
   * a profit in one is valued in the quote mint at the deepest pool between the two. Not in the
   * agents' config yet: the transaction's profit guard and the simulator's books count the tip,
   * fees and profit in wSOL, so a cycle through another base needs them valued in that mint first.
   */
  readonly bases?: readonly string[];
}

export class ArbStrategy implements Strategy {
  readonly name = 'arb';
  readonly module = 'arb' as const;
  private readonly cycles: SnapshotCycles;

  constructor(private readonly options: StrategyOptions) {
    this.cycles = new SnapshotCycles(options);
  }

  onEvent(event: MarketEvent, view: MarketView): readonly Candidate[] {
    if (event.kind !== 'pool') return [];
    this.cycles.syncAround(event.pool, view, curveContextAt(view.nowMs));
    const best = bestCandidate(this.cycles.through(event.pool.id), view, this.options);
    return best === null ? [] : [best];
  }
}

export class BackrunStrategy implements Strategy {
  readonly name = 'backrun';
  readonly module = 'mev' as const;
  private readonly cycles: SnapshotCycles;

  constructor(private readonly options: StrategyOptions) {
    this.cycles = new SnapshotCycles(options);
  }

  onEvent(event: MarketEvent, view: MarketView): readonly Candidate[] {
    const context = curveContextAt(view.nowMs);
    if (event.kind === 'pool') {
      // Kept in step with every update, so a pending swap finds its cycles ready.
      this.cycles.syncAround(event.pool, view, context);
      return [];
    }
    if (event.kind !== 'pendingSwap') return [];
    const target = view.pool(event.pool);
    if (target === undefined) return [];
    this.cycles.syncNeighbourhood(target, view, context);
    // A live source prices the swap with the venue's exact maths (fees, transfer fees, accrued
    // counters); elsewhere the pool's own maths stand in.
    const after =
      event.poolAfter?.id === target.id
        ? event.poolAfter
        : swapExact(target, event.direction, event.amountIn, context).pool;
    // Sized on the state after the pending swap (its input is not ours), placed after it.
    const best = this.cycles.whatIf(after, context, (sized) =>
      bestCandidate(sized, withState(view, after), this.options),
    );
    if (best === null) return [];
    return [{ ...best, strategy: 'backrun', module: 'mev', afterSignature: event.signature }];
  }
}

/** The cycle worth most in the quote mint, at least `minProfitLamports`, as a candidate. */
function bestCandidate(
  sized: readonly SizedCycle[],
  view: MarketView,
  options: StrategyOptions,
): Candidate | null {
  let best: Candidate | null = null;
  for (const s of sized) {
    const value =
      s.cycle.base === options.quoteMint
        ? s.profit
        : valueInQuote(view, s.cycle.base, s.profit, options.quoteMint);
    if (value === null || value < options.minProfitLamports) continue;
    if (best !== null && value <= best.grossProfitLamports) continue;
    best = candidateOf(s, value, view, options.quoteMint);
  }
  return best;
}

function candidateOf(sized: SizedCycle, value: bigint, view: MarketView, quote: string): Candidate {
  const ids = sized.cycle.hops.map((h) => h.slot.pool.id);
  // The shallowest quote-side reserve among the pools holding the quote mint (a feature).
  let depth = Number.POSITIVE_INFINITY;
  for (const id of ids) {
    const pool = view.pool(id);
    if (pool?.mintA === quote) depth = Math.min(depth, Number(pool.reserveA));
    else if (pool?.mintB === quote) depth = Math.min(depth, Number(pool.reserveB));
  }
  return {
    strategy: sized.cycle.hops.length === 2 ? 'arb2' : 'arb3',
    module: 'arb',
    pools: ids,
    legs: sizedLegs(sized),
    inputMint: sized.cycle.base,
    inputAmount: sized.amountIn,
    grossProfitLamports: value,
    minDepthLamports: Number.isFinite(depth) ? depth : 0,
  };
}

/** `amount` of `mint` in quote units, at the deepest pool between the two; null if none. */
function valueInQuote(
  view: MarketView,
  mint: string,
  amount: bigint,
  quote: string,
): bigint | null {
  let best: readonly [bigint, bigint] | null = null;
  for (const pool of view.poolsWith(mint)) {
    const pair =
      pool.mintA === mint && pool.mintB === quote
        ? ([pool.reserveA, pool.reserveB] as const)
        : pool.mintB === mint && pool.mintA === quote
          ? ([pool.reserveB, pool.reserveA] as const)
          : null;
    if (pair !== null && pair[0] > 0n && (best === null || pair[1] > best[1])) best = pair;
  }
  return best === null ? null : (amount * best[1]) / best[0];
}

/** A view where one pool has a what-if state (the state after a pending swap). */
function withState(view: MarketView, changed: PoolSnapshot): MarketView {
  const swap = (p: PoolSnapshot) => (p.id === changed.id ? changed : p);
  return Object.assign(Object.create(view) as MarketView, {
    pool: (id: string) => (id === changed.id ? changed : view.pool(id)),
    poolsWith: (mint: string) => view.poolsWith(mint).map(swap),
  });
}
