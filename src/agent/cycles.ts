import { pairOptimum } from '../market/arb.js';
import { amountOut, directionFor, mintsOf, reservesOf } from '../market/cpmm.js';
import type { PoolSnapshot, SwapDirection, SwapLeg } from '../market/types.js';

/**
 * Sizing of an arbitrage cycle: a chain of constant-product swaps that starts and ends in
 * the quote mint. One swap maps input d to g·y·d / (x + g·d), a Möbius map A·d / (B + C·d);
 * maps of that form compose into the same form (A = A1·A2, B = B1·B2, C = B2·C1 + C2·A1), so
 * a cycle of any length has out(d) = A·d / (B + C·d) and out(d) − d peaks at the closed form
 * d* = (√(A·B) − B) / C. The float optimum is then refined by an exact integer search on the
 * bigint rounding the chain applies, which is also the whole method when the floats overflow.
 * Rounding makes the exact profit a sawtooth whose teeth are one atomic unit of an
 * intermediate token wide, so the result is optimal up to that unit's value (well under a
 * lamport for usual decimals; a test pins this against a brute-force grid).
 */

export interface Hop {
  readonly pool: PoolSnapshot;
  readonly direction: SwapDirection;
}

export interface CyclePlan {
  readonly hops: readonly Hop[];
  readonly amountIn: bigint;
  readonly amountOut: bigint;
  /** amountOut − amountIn, exact, before tip and fees. */
  readonly profit: bigint;
}

/** Exact output of the chain for `amountIn`, with on-chain rounding at every hop. */
export function chainOut(hops: readonly Hop[], amountIn: bigint): bigint {
  let amount = amountIn;
  for (const { pool, direction } of hops) {
    const [rin, rout] = reservesOf(pool, direction);
    amount = amountOut(rin, rout, amount, pool.feeBps);
    if (amount === 0n) return 0n;
  }
  return amount;
}

/** The closed-form optimal input in floats, or null when the cycle cannot profit. */
export function closedFormInput(hops: readonly Hop[]): number | null {
  if (hops.length === 2) {
    const [first, second] = hops as [Hop, Hop];
    const [x1, y1] = reservesOf(first.pool, first.direction);
    const [y2, x2] = reservesOf(second.pool, second.direction);
    // A pair is sized as `arb.ts` sizes it, to the last bit of the float.
    return pairOptimum(x1, y1, first.pool.feeBps, y2, x2, second.pool.feeBps);
  }
  let a = 1;
  let b = 1;
  let c = 0;
  for (const { pool, direction } of hops) {
    const [rin, rout] = reservesOf(pool, direction);
    const g = 1 - pool.feeBps / 10_000;
    const a1 = g * Number(rout);
    const b1 = Number(rin);
    // Compose the hop after the chain so far: A' = A·a1, B' = B·b1, C' = b1·C + g·A.
    c = b1 * c + g * a;
    a *= a1;
    b *= b1;
  }
  if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c) || c <= 0) return null;
  if (a <= b) return null;
  const best = (Math.sqrt(a) * Math.sqrt(b) - b) / c;
  return Number.isFinite(best) && best >= 1 ? best : null;
}

/**
 * Integer ternary search for the input in [lo, hi] maximising exact profit. The exact profit
 * is concave up to rounding steps of a few lamports, so the search ends with a short scan.
 */
export function maximiseExact(hops: readonly Hop[], lo: bigint, hi: bigint): bigint {
  const profit = (d: bigint) => chainOut(hops, d) - d;
  let left = lo;
  let right = hi;
  while (right - left > 32n) {
    const third = (right - left) / 3n;
    const m1 = left + third;
    const m2 = right - third;
    if (profit(m1) < profit(m2)) left = m1;
    else right = m2;
  }
  let best = left;
  let bestProfit = profit(left);
  for (let d = left + 1n; d <= right; d++) {
    const p = profit(d);
    if (p > bestProfit) {
      best = d;
      bestProfit = p;
    }
  }
  return best;
}

/** The profit-maximising plan for a cycle, or null when nothing is profitable. */
export function planCycle(hops: readonly Hop[], maxAmountIn?: bigint): CyclePlan | null {
  const first = hops[0];
  if (first === undefined) return null;
  const float = closedFormInput(hops);
  let amountIn: bigint;
  if (float !== null) {
    // Refine within ±0.1 % of the float optimum: float error is far below that.
    const center = BigInt(Math.floor(float));
    const span = center / 1000n + 64n;
    amountIn = maximiseExact(hops, center > span ? center - span : 1n, center + span);
  } else {
    // No closed form in floats (overflow): search the whole range the first pool allows.
    const [rin] = reservesOf(first.pool, first.direction);
    amountIn = maximiseExact(hops, 1n, rin);
  }
  if (maxAmountIn !== undefined && amountIn > maxAmountIn) amountIn = maxAmountIn;
  if (amountIn <= 0n) return null;
  const out = chainOut(hops, amountIn);
  const profit = out - amountIn;
  return profit > 0n ? { hops, amountIn, amountOut: out, profit } : null;
}

/** Legs for a plan: the last reverts unless the quote comes back with `minProfit` on top. */
export function cycleLegs(plan: CyclePlan, minProfit = 1n): SwapLeg[] {
  return plan.hops.map((hop, i) => ({
    pool: hop.pool.id,
    direction: hop.direction,
    amountIn: i === 0 ? plan.amountIn : 'previous',
    minAmountOut: i === plan.hops.length - 1 ? plan.amountIn + minProfit : 0n,
  }));
}

/**
 * Every 3-hop cycle quote → T1 → T2 → quote through `via` (a T1/T2 pool, neither side the
 * quote), in both orientations, using pools from `peersOf(mint)` for the quote legs.
 */
export function triangles(
  via: PoolSnapshot,
  quoteMint: string,
  peersOf: (mint: string) => readonly PoolSnapshot[],
): Hop[][] {
  if (via.mintA === quoteMint || via.mintB === quoteMint) return [];
  const out: Hop[][] = [];
  for (const middle of ['aToB', 'bToA'] as const) {
    const [t1, t2] = mintsOf(via, middle);
    for (const enter of peersOf(t1)) {
      const enterDir = directionFor(enter, quoteMint);
      if (enterDir === null || mintsOf(enter, enterDir)[1] !== t1) continue;
      for (const exit of peersOf(t2)) {
        const exitDir = directionFor(exit, t2);
        if (exitDir === null || mintsOf(exit, exitDir)[1] !== quoteMint) continue;
        out.push([
          { pool: enter, direction: enterDir },
          { pool: via, direction: middle },
          { pool: exit, direction: exitDir },
        ]);
      }
    }
  }
  return out;
}
