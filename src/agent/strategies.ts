import { type ArbPlan, arbLegs, bestArb, tokenOf } from '../market/arb.js';
import { applySwap, reservesOf } from '../market/cpmm.js';
import type { MarketEvent, PoolSnapshot } from '../market/types.js';
import { type CyclePlan, cycleLegs, planCycle, triangles } from './cycles.js';
import type { Candidate, MarketView, Strategy } from './types.js';

/**
 * The two strategies. Both size with exact pool math: 2-pool cycles through `src/market/arb.ts`
 * (closed form), 3-pool cycles through `cycles.ts` (composed closed form, exact refinement).
 *
 * - `ArbStrategy` (module arb): when a pool changes, the best 2-pool cycle over the pools of
 *   its token against the quote mint, and every 3-pool cycle through it.
 * - `BackrunStrategy` (module mev): on a pending large swap, the pool state after it (the
 *   event's `poolAfter` when the source priced it exactly) and the best cycle through that pool
 *   on that state; the candidate names the swap in `afterSignature`, so it can only ever land
 *   after it.
 */

export interface StrategyOptions {
  readonly quoteMint: string;
  /** Candidates below this gross profit (lamports) are not worth a decision. */
  readonly minProfitLamports: bigint;
  readonly maxAmountIn?: bigint;
}

export class ArbStrategy implements Strategy {
  readonly name = 'arb';
  readonly module = 'arb' as const;

  constructor(private readonly options: StrategyOptions) {}

  onEvent(event: MarketEvent, view: MarketView): readonly Candidate[] {
    if (event.kind !== 'pool') return [];
    const best = bestCycleThrough(event.pool, view, this.options);
    return best === null ? [] : [best];
  }
}

export class BackrunStrategy implements Strategy {
  readonly name = 'backrun';
  readonly module = 'mev' as const;

  constructor(private readonly options: StrategyOptions) {}

  onEvent(event: MarketEvent, view: MarketView): readonly Candidate[] {
    if (event.kind !== 'pendingSwap') return [];
    const target = view.pool(event.pool);
    if (target === undefined) return [];
    // A live source prices the swap with the venue's exact maths (fees, transfer fees, accrued
    // counters); elsewhere the constant-product view of the pool stands in.
    const after =
      event.poolAfter?.id === target.id
        ? event.poolAfter
        : applySwap(target, event.direction, event.amountIn).pool;
    // Sized on the state after the pending swap (its input is not ours), placed after it.
    const best = bestCycleThrough(after, overlay(view, after), this.options);
    if (best === null) return [];
    return [{ ...best, strategy: 'backrun', module: 'mev', afterSignature: event.signature }];
  }
}

/** The most profitable 2- or 3-pool cycle that uses `pool`, on `view`. */
function bestCycleThrough(
  pool: PoolSnapshot,
  view: MarketView,
  options: StrategyOptions,
): Candidate | null {
  const quote = options.quoteMint;
  let best: Candidate | null = null;
  if (tokenOf(pool, quote) !== null) {
    const plan = bestArb(peersOfToken(view, pool, quote), quote, {
      ...maxOf(options),
      mustUse: pool.id,
    });
    if (plan !== null) best = fromPair(plan, quote);
  } else {
    for (const hops of triangles(pool, quote, (mint) => view.poolsWith(mint))) {
      const plan = planCycle(hops, options.maxAmountIn);
      if (plan !== null && (best === null || plan.profit > best.grossProfitLamports))
        best = fromCycle(plan, quote);
    }
  }
  return best !== null && best.grossProfitLamports >= options.minProfitLamports ? best : null;
}

/** The quote-mint pools of `pool`'s token, with `pool` as given (possibly a what-if state). */
function peersOfToken(view: MarketView, pool: PoolSnapshot, quote: string): PoolSnapshot[] {
  const token = tokenOf(pool, quote);
  if (token === null) return [];
  return view
    .poolsWith(token)
    .filter((p) => tokenOf(p, quote) === token)
    .map((p) => (p.id === pool.id ? pool : p));
}

/** A view where one pool has a what-if state (the state after a pending swap). */
function overlay(view: MarketView, changed: PoolSnapshot): MarketView {
  const swap = (p: PoolSnapshot) => (p.id === changed.id ? changed : p);
  return Object.assign(Object.create(view) as MarketView, {
    pool: (id: string) => (id === changed.id ? changed : view.pool(id)),
    poolsWith: (mint: string) => view.poolsWith(mint).map(swap),
  });
}

function maxOf(options: StrategyOptions): { maxAmountIn?: bigint } {
  return options.maxAmountIn === undefined ? {} : { maxAmountIn: options.maxAmountIn };
}

function fromPair(plan: ArbPlan, quote: string): Candidate {
  return {
    strategy: 'arb2',
    module: 'arb',
    pools: [plan.buy.id, plan.sell.id],
    legs: arbLegs(plan),
    inputMint: quote,
    inputAmount: plan.amountIn,
    grossProfitLamports: plan.profit,
    minDepthLamports: Math.min(
      quoteDepth(plan.buy, plan.buyDirection === 'aToB'),
      quoteDepth(plan.sell, plan.sellDirection === 'bToA'),
    ),
  };
}

function fromCycle(plan: CyclePlan, quote: string): Candidate {
  const first = plan.hops[0] as CyclePlan['hops'][number];
  return {
    strategy: 'arb3',
    module: 'arb',
    pools: plan.hops.map((h) => h.pool.id),
    legs: cycleLegs(plan),
    inputMint: quote,
    inputAmount: plan.amountIn,
    grossProfitLamports: plan.profit,
    minDepthLamports: Number(reservesOf(first.pool, first.direction)[0]),
  };
}

/** The quote-side reserve of a pool (`aIsQuote` says which side holds it). */
function quoteDepth(pool: PoolSnapshot, aIsQuote: boolean): number {
  return Number(aIsQuote ? pool.reserveA : pool.reserveB);
}
