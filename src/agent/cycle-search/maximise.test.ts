import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fibonacciMax } from './fibonacci.js';
import { maximiseProfit } from './maximise.js';

/** f(lo + i) = offset + Σ_{j<i} diffs[j]. */
function fromDiffs(diffs: readonly number[], offset: bigint): bigint[] {
  const values = [offset];
  for (const d of diffs) values.push((values.at(-1) as bigint) + BigInt(d));
  return values;
}

const maxOf = (values: readonly bigint[]) => {
  let best = values[0] as bigint;
  for (const v of values) if (v > best) best = v;
  return best;
};

/** A discrete-concave sequence: differences never increase (plateaus and all). */
const concave = fc
  .array(fc.integer({ min: -50, max: 50 }), { minLength: 0, maxLength: 600 })
  .map((d) => [...d].sort((a, b) => b - a));

/** A non-decreasing sequence with arbitrary steps: monotone, not concave. */
const monotone = fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 800 });

describe('fibonacciMax', () => {
  it('finds the exact maximum of any discrete-concave function', () => {
    fc.assert(
      fc.property(concave, fc.bigInt({ min: -(10n ** 6n), max: 10n ** 6n }), (diffs, lo) => {
        const values = fromDiffs(diffs, 0n);
        const f = (x: bigint) => values[Number(x - lo)] as bigint;
        const hi = lo + BigInt(values.length - 1);
        const found = fibonacciMax(f, lo, hi);
        expect(found.value).toBe(maxOf(values));
        expect(f(found.x)).toBe(found.value);
      }),
      { numRuns: 500, seed: 1 },
    );
  });

  it('uses about 1.44·log2(n) evaluations on a domain of 10^12', () => {
    let calls = 0;
    const peak = 123_456_789_012n;
    const f = (x: bigint) => {
      calls++;
      return -((x - peak) * (x - peak));
    };
    expect(fibonacciMax(f, 1n, 10n ** 12n)).toEqual({ x: peak, value: 0n });
    expect(calls).toBeLessThanOrEqual(60);
  });
});

describe('maximiseProfit', () => {
  it('is exact for any non-decreasing output once the certificate completes', () => {
    fc.assert(
      fc.property(monotone, (steps) => {
        // out(x) for x in [1, n]: a monotone staircase; profit = out(x) − x.
        const outs = fromDiffs(steps.slice(1), BigInt(steps[0] ?? 0));
        const n = BigInt(outs.length);
        const out = (x: bigint) => outs[Number(x - 1n)] as bigint;
        const best = maxOf(outs.map((o, i) => o - BigInt(i + 1)));
        const found = maximiseProfit(out, 1n, n, { budget: 100_000 });
        expect(found?.value).toBe(best);
        expect(found?.bound).toBe(best);
        expect(out(found?.x ?? 0n) - (found?.x ?? 0n)).toBe(best);
      }),
      { numRuns: 300, seed: 2 },
    );
  });

  it('never claims a bound below the true maximum when its budget runs out', () => {
    fc.assert(
      fc.property(monotone, fc.integer({ min: 0, max: 12 }), (steps, budget) => {
        const outs = fromDiffs(steps.slice(1), BigInt(steps[0] ?? 0));
        const out = (x: bigint) => outs[Number(x - 1n)] as bigint;
        const best = maxOf(outs.map((o, i) => o - BigInt(i + 1)));
        const found = maximiseProfit(out, 1n, BigInt(outs.length), { budget });
        expect(found).not.toBeNull();
        expect(found?.value).toBeLessThanOrEqual(best);
        expect(found?.bound).toBeGreaterThanOrEqual(best);
      }),
      { numRuns: 300, seed: 3 },
    );
  });

  it('searches each given piece, so a second peak past a breakpoint is found without the certificate', () => {
    // Two concave humps: a wide one on 0..179 peaking at 80 (profit 40), a narrow one on
    // 180..199 peaking at 190 (profit 90), where no probe of a single search lands. Profit
    // falls by at most one per unit, so out(x) = profit(x) + x is non-decreasing, as quotes are.
    const abs = (v: bigint) => (v < 0n ? -v : v);
    const profit = (x: bigint) =>
      x < 180n ? 40n - abs(x - 80n) : x <= 190n ? 90n - 5n * (190n - x) : 90n - (x - 190n);
    const out = (x: bigint) => profit(x) + x;
    for (let x = 0n; x < 199n; x++) expect(out(x + 1n)).toBeGreaterThanOrEqual(out(x));
    const whole = maximiseProfit(out, 0n, 199n, { budget: 0, pieces: [[0n, 199n]] });
    const split = maximiseProfit(out, 0n, 199n, {
      budget: 0,
      pieces: [
        [0n, 179n],
        [180n, 199n],
      ],
    });
    expect(split?.x).toBe(190n);
    expect(split?.value).toBe(90n);
    // One search over both humps is misled (a unimodal search assumes one peak)...
    expect(whole?.value).toBeLessThan(90n);
    expect(whole?.bound).toBeGreaterThanOrEqual(90n);
    // ...and the certificate repairs it.
    expect(maximiseProfit(out, 0n, 199n, { pieces: [[0n, 199n]] })?.value).toBe(90n);
  });

  it('returns null on an empty domain', () => {
    expect(maximiseProfit((x) => x, 5n, 4n)).toBeNull();
  });
});
