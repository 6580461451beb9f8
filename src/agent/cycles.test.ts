import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planPairArb } from '../market/arb.js';
import { type PoolSnapshot, WSOL_MINT } from '../market/types.js';
import { chainOut, closedFormInput, type Hop, planCycle, triangles } from './cycles.js';

const pool = (id: string, mintA: string, mintB: string, a: bigint, b: bigint, feeBps: number) =>
  ({ id, venue: id, mintA, mintB, reserveA: a, reserveB: b, feeBps }) as PoolSnapshot;

/** Best exact profit over an even grid of inputs in [1, hi]. */
function bruteForce(hops: readonly Hop[], hi: bigint, points: number): bigint {
  let best = 0n;
  for (let i = 1; i <= points; i++) {
    const d = (hi * BigInt(i)) / BigInt(points);
    const p = chainOut(hops, d) - d;
    if (p > best) best = p;
  }
  return best;
}

/** Lamports one atomic unit of the pool's token is worth (ceil), plus one for rounding. */
const unitValue = (p: PoolSnapshot) => (p.reserveA + p.reserveB - 1n) / p.reserveB + 1n;

const smaller = (a: bigint, b: bigint) => (a < b ? a : b);

const reserve = fc.bigInt({ min: 10n ** 9n, max: 10n ** 13n });
const skew = fc.integer({ min: 1_005, max: 1_150 });
const fee = fc.integer({ min: 0, max: 100 });

describe('cycle sizing', () => {
  it('2-pool: matches brute force over a fine grid and the arb.ts closed form', () => {
    fc.assert(
      fc.property(reserve, reserve, skew, fee, fee, (x, y, k, f1, f2) => {
        const cheap = pool('cheap', WSOL_MINT, 'T', x, y, f1);
        const dear = pool('dear', WSOL_MINT, 'T', x, (y * 1000n) / BigInt(k), f2);
        const hops: Hop[] = [
          { pool: cheap, direction: 'aToB' },
          { pool: dear, direction: 'bToA' },
        ];
        const plan = planCycle(hops);
        const grid = bruteForce(hops, x / 2n, 4_000);
        if (plan === null) {
          expect(grid).toBeLessThanOrEqual(0n);
          return;
        }
        // Exact up to the rounding sawtooth: one atomic unit of the token, valued in lamports.
        expect(plan.profit).toBeGreaterThanOrEqual(grid - unitValue(cheap));
        const pair = planPairArb(cheap, dear, WSOL_MINT);
        expect(pair).not.toBeNull();
        expect(plan.profit).toBeGreaterThanOrEqual((pair?.profit ?? 0n) - unitValue(cheap));
        // The exact refinement is no worse than the float closed form alone (up to one tooth).
        const d = BigInt(Math.floor(closedFormInput(hops) ?? 0));
        expect(plan.profit).toBeGreaterThanOrEqual(chainOut(hops, d) - d - unitValue(cheap));
      }),
      { numRuns: 40, seed: 7 },
    );
  });

  it('3-pool: matches brute force over a fine grid', () => {
    fc.assert(
      fc.property(reserve, reserve, reserve, skew, fee, (s1, s2, t, k, f) => {
        const p1 = pool('p1', WSOL_MINT, 'A', s1, t, f);
        const p2 = pool('p2', 'A', 'B', t, (t * BigInt(k)) / 1000n, f);
        const p3 = pool('p3', 'B', WSOL_MINT, t, (s2 * 1000n) / 1000n, f);
        const cycles = triangles(p2, WSOL_MINT, (m) =>
          [p1, p2, p3].filter((p) => p.mintA === m || p.mintB === m),
        );
        expect(cycles.length).toBe(2);
        for (const hops of cycles) {
          const plan = planCycle(hops);
          const grid = bruteForce(hops, smaller(s1, s2), 4_000);
          if (plan === null) expect(grid).toBeLessThanOrEqual(0n);
          else expect(plan.profit).toBeGreaterThanOrEqual(grid - unitValue(p1) - 2n);
        }
      }),
      { numRuns: 30, seed: 11 },
    );
  });

  it('finds no plan when prices agree', () => {
    const a = pool('a', WSOL_MINT, 'T', 10n ** 12n, 10n ** 12n, 25);
    const b = pool('b', WSOL_MINT, 'T', 10n ** 12n, 10n ** 12n, 25);
    expect(
      planCycle([
        { pool: a, direction: 'aToB' },
        { pool: b, direction: 'bToA' },
      ]),
    ).toBeNull();
  });
});
