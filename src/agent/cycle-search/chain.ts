import type { SwapDirection } from '../../market/types.js';
import type { CachedRate, CycleHop, PoolSlot, QuotedPool, Rate } from './types.js';

/** Exact output of the first `count` hops for `amountIn`, each with its pool's own rounding. */
export function chainOut(hops: readonly CycleHop[], amountIn: bigint, count = hops.length): bigint {
  let amount = amountIn;
  for (let i = 0; i < count; i++) {
    const hop = hops[i] as CycleHop;
    amount = hop.slot.pool.quote(hop.direction, amount);
    if (amount === 0n) return 0n;
  }
  return amount;
}

/**
 * The product of the hops' rate bounds, or null when a pool gives none. Each hop pays at most
 * rate·input for any input, so the chain pays at most the product times the cycle's input:
 * at or below 1 the cycle cannot profit at any size.
 */
export function rateProduct(hops: readonly CycleHop[]): Rate | null {
  let num = 1n;
  let den = 1n;
  for (const { slot, direction } of hops) {
    const bound = rateOf(slot, direction);
    if (bound === null) return null;
    num *= bound.rate.num;
    den *= bound.rate.den;
  }
  return { num, den };
}

/**
 * True when the rate bounds' product R is so far below 1 + minProfit / maxIn that the exact
 * test is not needed: (R − 1)·maxIn < minProfit for certain. Sums logs in floats, whose error
 * (about 1e-15) is far inside the 1e-9 margin; anything closer goes to the exact bigint test.
 * Most cycles of a quiet market stop here, at a few additions each.
 */
export function clearlyShort(hops: readonly CycleHop[], maxIn: bigint, minProfit: bigint): boolean {
  let log = 0;
  for (const { slot, direction } of hops) {
    const bound = rateOf(slot, direction);
    if (bound === null) return false;
    log += bound.log;
  }
  return log < Math.log1p(Number(minProfit) / Number(maxIn)) - 1e-9;
}

function rateOf(slot: PoolSlot, direction: SwapDirection): CachedRate | null {
  let rates = slot.rates;
  if (rates === undefined) {
    rates = { aToB: cached(slot.pool, 'aToB'), bToA: cached(slot.pool, 'bToA') };
    slot.rates = rates;
  }
  return rates[direction];
}

function cached(pool: QuotedPool, direction: SwapDirection): CachedRate | null {
  const rate = pool.rateBound?.(direction);
  if (rate === undefined || rate.den === 0n) return null;
  return { rate, log: Math.log(Number(rate.num)) - Math.log(Number(rate.den)) };
}

/**
 * Pieces of the cycle's input domain [lo, hi] on each of which every hop stays between two
 * consecutive breakpoints of its pool: each hop then runs on one concave piece, and a chain
 * of non-decreasing concave maps is concave. A hop's breakpoint b (in its own input) becomes
 * the smallest cycle input whose chain delivers at least b to that hop; the chain is
 * non-decreasing, so a bisection finds it exactly.
 */
export function concavePieces(
  hops: readonly CycleHop[],
  lo: bigint,
  hi: bigint,
): (readonly [bigint, bigint])[] {
  const cuts: bigint[] = [];
  hops.forEach(({ slot, direction }, k) => {
    if (slot.pool.breakpoints === undefined) return;
    const limit = chainOut(hops, hi, k);
    for (const b of slot.pool.breakpoints(direction, limit)) {
      if (b <= 0n || b > limit) continue;
      cuts.push(k === 0 ? b : firstReaching(hops, k, b, lo, hi));
    }
  });
  cuts.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const pieces: (readonly [bigint, bigint])[] = [];
  let start = lo;
  for (const cut of cuts) {
    if (cut <= start || cut > hi) continue;
    pieces.push([start, cut - 1n]);
    start = cut;
  }
  pieces.push([start, hi]);
  return pieces;
}

/** The smallest x in [lo, hi] whose first `k` hops deliver ≥ target; hi delivers enough. */
function firstReaching(
  hops: readonly CycleHop[],
  k: number,
  target: bigint,
  lo: bigint,
  hi: bigint,
): bigint {
  let left = lo;
  let right = hi;
  while (left < right) {
    const mid = (left + right) >> 1n;
    if (chainOut(hops, mid, k) >= target) right = mid;
    else left = mid + 1n;
  }
  return left;
}
