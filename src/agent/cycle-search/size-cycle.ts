import { closedFormInput, type Hop } from '../cycles.js';
import { chainOut, clearlyShort, concavePieces, rateProduct } from './chain.js';
import { fibonacciMax } from './fibonacci.js';
import { type MaximiseOptions, maximiseProfit } from './maximise.js';
import type { Cycle, CycleHop, Rate, SizedCycle } from './types.js';

export interface SizeOptions {
  /** The most the cycle may spend, atomic units of its base mint. */
  readonly maxIn: bigint;
  /** Evaluations the optimality certificate may spend (`maximise.ts`). */
  readonly budget?: number;
  /** Profits below this are not worth a trade (default 1): they are not searched for. */
  readonly minProfit?: bigint;
  /**
   * false: a cycle of constant-product pools takes the closed form's input as it is, without
   * the exact search, and none when the closed form finds no profit (the hot path's choice: on
   * such a cycle the search gains at most the rounding sawtooth, a few lamports, for some sixty
   * evaluations). Default true.
   */
  readonly exactSearch?: boolean;
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
  if (options.exactSearch === false && search.cap !== undefined && hops.every(seeded)) {
    return windowed(cycle, window, maxIn, minProfit, search.cap);
  }
  // The closed form's own input is probed too, so the search never does worse than it.
  if (window !== null)
    search.pieces = [
      [window[2], window[2]],
      [window[0], window[1]],
    ];
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
const GRID = 4_096n;

/**
 * ±0.1 % (and 64 units) around the float closed-form optimum, clipped to [1, maxIn], with that
 * optimum (floored, capped at maxIn), when every hop is constant product or seeded by a stand-in
 * and the floats hold; beyond maxIn the concave profit peaks at maxIn.
 */
function closedFormWindow(
  hops: readonly CycleHop[],
  maxIn: bigint,
): [from: bigint, to: bigint, center: bigint] | null {
  const snapshots: Hop[] = [];
  for (const { slot, direction } of hops) {
    const pool = slot.pool.constantProduct ?? slot.pool.closedFormSeed;
    if (pool === undefined) return null;
    snapshots.push({ pool, direction });
  }
  const float = closedFormInput(snapshots);
  if (float === null) return null;
  let center = BigInt(Math.floor(float));
  if (center > maxIn) center = maxIn;
  const span = center / 1000n + 64n;
  return [
    center > span ? center - span : 1n,
    center + span < maxIn ? center + span : maxIn,
    center,
  ];
}

const seeded = (hop: CycleHop): boolean =>
  hop.slot.pool.constantProduct !== undefined || hop.slot.pool.closedFormSeed !== undefined;

/**
 * The hot path's sizing (`exactSearch: false`): none where the closed form finds no profit;
 * its input as it is on a cycle of constant-product pools (as the searchers before the cycle
 * search did); on a cycle with seeded curves, the best of it and a Fibonacci search of ±25 %
 * around it (on a grid), where their virtual reserves stop describing them. No certificate: the bound is
 * the rate bounds' (`cap`), sound but loose.
 */
function windowed(
  cycle: Cycle,
  window: readonly [bigint, bigint, bigint] | null,
  maxIn: bigint,
  minProfit: bigint,
  cap: (x: bigint) => bigint,
): SizedCycle | null {
  if (window === null) return null;
  const { hops } = cycle;
  const profit = (x: bigint) => chainOut(hops, x) - x;
  const center = window[2];
  let best = { x: center, value: profit(center) };
  if (!hops.every((h) => h.slot.pool.constantProduct !== undefined)) {
    const span = center / 4n + 64n;
    const lo = center > span ? center - span : 1n;
    const hi = center + span < maxIn ? center + span : maxIn;
    // On a grid of at most 4,096 steps: near its peak the profit is flat to second order, so a
    // step of 1/8,192 of the input costs about 10⁻⁸ of it, and a curve's quote (bins, ticks
    // crossed) is dear enough on the hot path that the 25 probes this saves matter.
    const step = (hi - lo) / GRID + 1n;
    const peak = fibonacciMax((k) => profit(lo + k * step), 0n, (hi - lo) / step);
    if (peak.value > best.value) best = { x: lo + peak.x * step, value: peak.value };
  }
  if (best.value < minProfit || best.value <= 0n) return null;
  return {
    cycle,
    amountIn: best.x,
    amountOut: best.x + best.value,
    profit: best.value,
    profitBound: cap(maxIn),
  };
}
