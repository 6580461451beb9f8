import { fibonacciMax, type Probe } from './fibonacci.js';

/**
 * Exact maximisation of profit(x) = out(x) − x over the integers of [lo, hi], where `out` is a
 * chain of exact integer quotes: non-decreasing, concave up to rounding on each given piece.
 *
 * 1. Search: a Fibonacci search per piece (`fibonacci.ts`) finds the peak of each piece. For a
 *    discrete-concave profit this is already the exact maximum. Composed quotes are not quite
 *    that: every hop floors its output, so the exact profit is the concave real curve minus a
 *    sawtooth about one atomic unit of an intermediate mint deep (valued in the base mint),
 *    and a probe can land on a low tooth.
 * 2. Certificate: branch and bound over the whole domain, best bound first. Because `out` is
 *    non-decreasing, no x in [a, b] earns more than out(b) − a; an interval whose bound does
 *    not beat the best profit seen is discarded, the others are halved (one evaluation each).
 *    This uses monotonicity alone, so it holds for any curve, concave or not: when the queue
 *    empties, the best input found is the exact integer optimum. Concavity only decides how
 *    soon that happens. Near a flat peak (width about √reserve at one unit of precision) the
 *    certificate can need more evaluations than `budget` allows; the result is then the best
 *    input found with `bound` the largest open bound: the true maximum lies in [value, bound].
 *    That bound is loose, but on curves concave up to rounding the searched input is off by
 *    the sawtooth depth only (measured against brute force in `size-cycle.test.ts`).
 */

export interface Maximum {
  /** The best input found, and out(x) − x there. */
  readonly x: bigint;
  readonly value: bigint;
  /** No input in [lo, hi] has a larger profit; equal to `value` once proved optimal. */
  readonly bound: bigint;
  readonly evaluations: number;
}

export interface MaximiseOptions {
  /** Sub-intervals of [lo, hi] on each of which the profit is concave up to rounding. */
  readonly pieces?: readonly (readonly [bigint, bigint])[];
  /** Evaluations the certificate may spend; with 0, `bound` is out(hi) − lo. */
  readonly budget?: number;
  /** A further bound on the profit of every input ≤ x (e.g. from the pools' rate bounds). */
  readonly cap?: (x: bigint) => bigint;
  /**
   * Only profits of at least this much matter to the caller: the certificate leaves intervals
   * bounded below it unexamined (`bound` is then below `atLeast` but may exceed `value`).
   */
  readonly atLeast?: bigint;
}

/**
 * The hot path's certificate budget. On 5,000-unit test domains the certificate completes in a
 * median of 35–55 evaluations (p99 about 430, so the exactness tests give it room). On
 * mainnet-sized domains (10^11 lamports) it cannot complete: near a peak the profit stays
 * within a few lamports of its maximum over about √reserve inputs, and the monotone bound
 * tightens only as fast as its intervals shrink, so after the budget `bound` is loose (by
 * about the width of the last intervals) while the input found by the search is already
 * within the sawtooth of the optimum. 64 evaluations buy the odd better tooth for little time.
 */
export const DEFAULT_BUDGET = 64;

export function maximiseProfit(
  out: (x: bigint) => bigint,
  lo: bigint,
  hi: bigint,
  options: MaximiseOptions = {},
): Maximum | null {
  if (hi < lo) return null;
  let evaluations = 0;
  const profit = (x: bigint): bigint => {
    evaluations++;
    return out(x) - x;
  };
  let best: Probe = { x: lo, value: profit(lo) };
  for (const [a, b] of options.pieces ?? [[lo, hi]]) {
    const from = a < lo ? lo : a;
    const to = b > hi ? hi : b;
    if (to < from) continue;
    const peak = fibonacciMax(profit, from, to);
    if (better(peak, best)) best = peak;
  }
  const budget = options.budget ?? DEFAULT_BUDGET;
  const cap = options.cap;
  const boundOf = (a: bigint, b: bigint, outB: bigint): bigint => {
    const monotone = outB - a;
    if (cap === undefined) return monotone;
    const capped = cap(b);
    if (capped < monotone) return capped;
    return monotone;
  };
  const outHi = out(hi);
  evaluations++;
  const atHi = { x: hi, value: outHi - hi };
  if (better(atHi, best)) best = atHi;
  const open = new BoundHeap();
  open.push({ a: lo, b: hi, outB: outHi, bound: boundOf(lo, hi, outHi) });
  const spendUntil = evaluations + budget;
  const floor = options.atLeast === undefined ? null : options.atLeast - 1n;
  for (;;) {
    const top = open.peek();
    const enough = floor !== null && floor > best.value ? floor : best.value;
    if (top === undefined || top.bound <= enough) {
      // Open intervals left above best.value are there only by the caller's floor.
      const bound = top !== undefined && top.bound > best.value ? top.bound : best.value;
      return { ...best, bound, evaluations };
    }
    if (evaluations >= spendUntil) return { ...best, bound: top.bound, evaluations };
    open.pop();
    // top.bound > best.value, so the interval is not a single point already counted.
    const m = (top.a + top.b) >> 1n;
    const outM = out(m);
    evaluations++;
    const atM = { x: m, value: outM - m };
    if (better(atM, best)) best = atM;
    open.push({ a: top.a, b: m, outB: outM, bound: boundOf(top.a, m, outM) });
    if (m + 1n <= top.b) {
      open.push({
        a: m + 1n,
        b: top.b,
        outB: top.outB,
        bound: boundOf(m + 1n, top.b, top.outB),
      });
    }
  }
}

/** Higher profit wins; on a tie the smaller input (less capital at risk for the same gain). */
function better(p: Probe, q: Probe): boolean {
  return p.value > q.value || (p.value === q.value && p.x < q.x);
}

interface Interval {
  readonly a: bigint;
  readonly b: bigint;
  /** out(b), already paid for. */
  readonly outB: bigint;
  readonly bound: bigint;
}

/** A binary max-heap of open intervals by bound. */
class BoundHeap {
  private readonly items: Interval[] = [];

  peek(): Interval | undefined {
    return this.items[0];
  }

  push(item: Interval): void {
    const items = this.items;
    let i = items.length;
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = items[parent] as Interval;
      if (above.bound >= item.bound) break;
      items[i] = above;
      i = parent;
    }
    items[i] = item;
  }

  pop(): void {
    const items = this.items;
    const last = items.pop();
    if (last === undefined || items.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child =
        right < items.length && (items[right] as Interval).bound > (items[left] as Interval).bound
          ? right
          : left;
      const below = items[child] as Interval;
      if (below.bound <= last.bound) break;
      items[i] = below;
      i = child;
    }
    items[i] = last;
  }
}
