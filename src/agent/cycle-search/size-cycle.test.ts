import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SwapDirection } from '../../market/types.js';
import { type Hop, planCycle } from '../cycles.js';
import { chainOut, clearlyShort, rateProduct } from './chain.js';
import { sizeCycle } from './size-cycle.js';
import { bruteForceBest, mintValue, poolSpec } from './testing/arbitraries.js';
import { buildPool, type CurveKind, type PoolSpec } from './testing/build-pools.js';
import type { Cycle, QuotedPool } from './types.js';

/** base → m1 (→ m2) → base, each hop aToB on its own pool. */
function chain(values: readonly number[], specs: readonly PoolSpec[], hops: 2 | 3): Cycle {
  const mints = hops === 2 ? ['base', 'm1'] : ['base', 'm1', 'm2'];
  const pools = mints.map((mint, i) => {
    const next = (i + 1) % mints.length;
    return buildPool(
      `p${i}`,
      mint,
      mints[next] as string,
      values[i] as number,
      values[next] as number,
      specs[i] as PoolSpec,
    );
  });
  return {
    key: 'chain',
    base: 'base',
    hops: pools.map((pool) => ({ slot: { pool }, direction: 'aToB' as const })),
  };
}

const chainOf = (kinds: readonly CurveKind[]) =>
  fc.record({
    values: fc.tuple(mintValue, mintValue).map(([a, b]) => [1, a, b]),
    specs: fc.array(
      poolSpec.chain((s) => fc.constantFrom(...kinds).map((kind) => ({ ...s, kind }))),
      { minLength: 3, maxLength: 3 },
    ),
    hops: fc.constantFrom(2 as const, 3 as const),
    maxIn: fc.bigInt({ min: 1n, max: 5_000n }),
  });

/** Room for the certificate to finish on any 5,000-unit domain. */
const UNLIMITED = 1_000_000;

/**
 * The sized profit against every input of the domain. With room to finish, the sizing is the
 * brute-force optimum (no plan standing for a profit of 0). With the default budget it never
 * overstates, its bound always holds, and a result it calls proved (bound = profit) is exact.
 */
function checkAgainstBruteForce(cycle: Cycle, maxIn: bigint): void {
  const best = bruteForceBest(cycle.hops, maxIn);
  const exact = sizeCycle(cycle, { maxIn, budget: UNLIMITED });
  expect(exact?.profit ?? 0n).toBe(best);
  if (exact !== null) {
    expect(exact.profitBound).toBe(exact.profit);
    expect(exact.amountIn).toBeGreaterThanOrEqual(1n);
    expect(exact.amountIn).toBeLessThanOrEqual(maxIn);
    expect(chainOut(cycle.hops, exact.amountIn) - exact.amountIn).toBe(exact.profit);
    expect(exact.amountOut).toBe(exact.amountIn + exact.profit);
  }
  const fast = sizeCycle(cycle, { maxIn });
  expect(fast?.profit ?? 0n).toBeLessThanOrEqual(best);
  if (fast === null) return;
  expect(chainOut(cycle.hops, fast.amountIn) - fast.amountIn).toBe(fast.profit);
  expect(fast.profitBound).toBeGreaterThanOrEqual(best);
  if (fast.profitBound === fast.profit) expect(fast.profit).toBe(best);
}

describe('sizeCycle against brute force over the whole input domain (maxIn ≤ 5,000)', () => {
  it('constant-product cycles: the exact optimum', () => {
    fc.assert(
      fc.property(chainOf(['cp']), ({ values, specs, hops, maxIn }) => {
        checkAgainstBruteForce(chain(values, specs, hops), maxIn);
      }),
      { numRuns: 300, seed: 21 },
    );
  });

  it('piecewise books (falling, rising with breakpoints, rising without): the exact optimum', () => {
    fc.assert(
      fc.property(chainOf(['bins', 'rising', 'silent', 'cp']), ({ values, specs, hops, maxIn }) => {
        checkAgainstBruteForce(chain(values, specs, hops), maxIn);
      }),
      { numRuns: 300, seed: 22 },
    );
  });
});

/** The same pool with its snapshot hidden: the sizing takes the generic path. */
const generic = (pool: QuotedPool): QuotedPool => ({
  id: pool.id,
  mintA: pool.mintA,
  mintB: pool.mintB,
  quote: (d: SwapDirection, x: bigint) => pool.quote(d, x),
});

const hidden = (cycle: Cycle): Cycle => ({
  ...cycle,
  hops: cycle.hops.map((h) => ({ ...h, slot: { pool: generic(h.slot.pool) } })),
});

describe('constant-product closed form', () => {
  it('agrees with the generic search and is no worse than cycles.ts on small domains', () => {
    fc.assert(
      fc.property(chainOf(['cp']), ({ values, specs, hops, maxIn }) => {
        const cycle = chain(values, specs, hops);
        const seeded = sizeCycle(cycle, { maxIn, budget: 100_000 });
        const searched = sizeCycle(hidden(cycle), { maxIn, budget: 100_000 });
        expect(seeded?.profit).toBe(searched?.profit);
        const old = planCycle(snapshots(cycle), maxIn);
        if (old !== null) expect(seeded?.profit ?? 0n).toBeGreaterThanOrEqual(old.profit);
      }),
      { numRuns: 200, seed: 23 },
    );
  });

  it('agrees with the generic search within each other’s bound on mainnet-sized pools', () => {
    const deep = poolSpec.map((s) => ({ ...s, kind: 'cp' as const, depth: s.depth * 1e6 }));
    fc.assert(
      fc.property(
        fc.tuple(mintValue, mintValue),
        fc.array(deep, { minLength: 3, maxLength: 3 }),
        fc.constantFrom(2 as const, 3 as const),
        ([a, b], specs, hops) => {
          const cycle = chain([1, a, b], specs, hops);
          const maxIn = 10n ** 13n;
          const seeded = sizeCycle(cycle, { maxIn });
          const searched = sizeCycle(hidden(cycle), { maxIn });
          if (seeded === null || searched === null) {
            // A miss on one side is allowed only where the other side's bound says no profit.
            expect(seeded?.profit ?? 0n).toBeLessThanOrEqual(searched?.profitBound ?? 0n);
            expect(searched?.profit ?? 0n).toBeLessThanOrEqual(seeded?.profitBound ?? 0n);
            return;
          }
          expect(seeded.profit).toBeLessThanOrEqual(searched.profitBound);
          expect(searched.profit).toBeLessThanOrEqual(seeded.profitBound);
          const old = planCycle(snapshots(cycle), maxIn);
          expect(old?.profit ?? 0n).toBeLessThanOrEqual(seeded.profitBound);
        },
      ),
      { numRuns: 200, seed: 24 },
    );
  });
});

function snapshots(cycle: Cycle): Hop[] {
  return cycle.hops.map(({ slot, direction }) => {
    const pool = slot.pool.constantProduct;
    if (pool === undefined) throw new Error(`${slot.pool.id} is not constant product`);
    return { pool, direction };
  });
}

describe('rate-bound pre-check', () => {
  it('skips only cycles whose exact rate product leaves no room for the minimum profit', () => {
    fc.assert(
      fc.property(
        chainOf(['cp', 'bins', 'rising']),
        fc.bigInt({ min: 1n, max: 10n ** 6n }),
        ({ values, specs, hops, maxIn }, minProfit) => {
          const cycle = chain(values, specs, hops);
          const rate = rateProduct(cycle.hops);
          expect(rate).not.toBeNull();
          if (rate === null || !clearlyShort(cycle.hops, maxIn, minProfit)) return;
          // (R − 1)·maxIn < minProfit, in exact integers.
          expect((rate.num - rate.den) * maxIn).toBeLessThan(minProfit * rate.den);
        },
      ),
      { numRuns: 2_000, seed: 25 },
    );
  });
});
