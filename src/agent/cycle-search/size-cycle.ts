import { closedFormInput, type Hop } from '../cycles.js';
import { chainOut, clearlyShort, concavePieces, rateProduct } from './chain.js';
import { type MaximiseOptions, maximiseProfit } from './maximise.js';
import type { Cycle, CycleHop, Rate, SizedCycle } from './types.js';

export interface SizeOptions {
  /** The most the cycle may spend, atomic units of its base mint. */
  readonly maxIn: bigint;
  /** Evaluations the optimality certificate may spend (`maximise.ts`). */
  readonly budget?: number;
  /** Profits below this are not worth a trade (default 1): they are not searched for. */
  readonly minProfit?: bigint;
}

/**
 * The input in [1, maxIn] with the largest exact profit, or null when none profits.
 * - Rate bounds first: when they multiply to R with (R − 1)·maxIn below `minProfit` (R ≤ 1
 *   included) no size can earn it. A sum of cached logs settles most cycles of a quiet market
 *   in a few additions; those near the line get the exact bigint product.
 * - All hops constant product: the closed form of `cycles.ts` puts the peak within a small
 *   window, searched exactly.
 * - A pool reporting breakpoints: one search per concave piece (`chain.ts`).
 * - Otherwise one search over the whole domain.
 * Every path ends in the same certificate over [1, maxIn], so the seeds only change how fast
 * the answer comes, never which input wins when the certificate completes.
 */
export function sizeCycle(cycle: Cycle, options: SizeOptions): SizedCycle | null {
  const { hops } = cycle;
  const { maxIn } = options;
  const minProfit = options.minProfit ?? 1n;
  if (maxIn < 1n || clearlyShort(hops, maxIn, minProfit)) return null;
  const rate = rateProduct(hops);
  // profit(x) ≤ (rate − 1)·x ≤ (rate − 1)·maxIn, exact in integers.
  if (rate !== null && ((rate.num - rate.den) * maxIn) / rate.den < minProfit) return null;
  const search: { -readonly [K in keyof MaximiseOptions]: MaximiseOptions[K] } = {
    atLeast: minProfit,
  };
  if (rate !== null) search.cap = excessCap(rate);
  if (options.budget !== undefined) search.budget = options.budget;
  const window = closedFormWindow(hops, maxIn);
  if (window !== null) search.pieces = [window];
  else if (hops.some((h) => h.slot.pool.breakpoints !== undefined)) {
    search.pieces = concavePieces(hops, 1n, maxIn);
  }
  const best = maximiseProfit((x) => chainOut(hops, x), 1n, maxIn, search);
  if (best === null || best.value < minProfit || best.value <= 0n) return null;
  return {
    cycle,
    amountIn: best.x,
    amountOut: best.x + best.value,
    profit: best.value,
    profitBound: best.bound,
  };
}

/**
 * x ↦ an integer ≥ (rate − 1)·x, cheaply: the rate's products are a few hundred bits wide, so
 * (rate − 1) is rounded up once to a 64-bit fraction and each call is one narrow multiply.
 */
function excessCap(rate: Rate): (x: bigint) => bigint {
  const excess = ((rate.num - rate.den) * ONE + rate.den - 1n) / rate.den;
  return (x) => ((excess * x) >> 64n) + 1n;
}

const ONE = 1n << 64n;

/**
 * ±0.1 % (and 64 units) around the float closed-form optimum, clipped to [1, maxIn], when every
 * hop is constant product and the floats hold; beyond maxIn the concave profit peaks at maxIn.
 */
function closedFormWindow(hops: readonly CycleHop[], maxIn: bigint): [bigint, bigint] | null {
  const snapshots: Hop[] = [];
  for (const { slot, direction } of hops) {
    const pool = slot.pool.constantProduct;
    if (pool === undefined) return null;
    snapshots.push({ pool, direction });
  }
  const float = closedFormInput(snapshots);
  if (float === null) return null;
  let center = BigInt(Math.floor(float));
  if (center > maxIn) center = maxIn;
  const span = center / 1000n + 64n;
  return [center > span ? center - span : 1n, center + span < maxIn ? center + span : maxIn];
}
