import fc from 'fast-check';
import { WSOL_MINT } from '../../../market/types.js';
import { chainOut } from '../chain.js';
import type { CycleHop, QuotedPool } from '../types.js';
import { buildPool, CURVE_KINDS, type PoolSpec } from './build-pools.js';

/** A pool's curve, depth, fee and mispricing (see `build-pools.ts`). */
export const poolSpec: fc.Arbitrary<PoolSpec> = fc.record({
  kind: fc.constantFrom(...CURVE_KINDS),
  depth: fc.integer({ min: 300, max: 3_000_000 }),
  noise: fc.integer({ min: -120, max: 120 }),
  feeBps: fc.integer({ min: 0, max: 100 }),
  steps: fc.array(fc.integer({ min: -60, max: 60 }), { minLength: 1, maxLength: 6 }),
});

/**
 * A mint's value in base units per atomic unit: 10^(e/10) for e in [−20, 20], so an atomic
 * unit of an inner mint is worth anything from a hundredth to a hundred base units (the
 * rounding sawtooth the sizing must see through is that deep).
 */
export const mintValue = fc.integer({ min: -20, max: 20 }).map((e) => 10 ** (e / 10));

export interface GraphSpec {
  /** Values of mints m0..m(n−1); m0 and m1 are the bases (m0 stands for WSOL). */
  readonly values: readonly number[];
  readonly pools: readonly { readonly a: number; readonly b: number; readonly spec: PoolSpec }[];
}

/** 3 to 6 mints and up to `maxPools` pools between random pairs (parallel pools included). */
export const graphSpec = (maxPools: number): fc.Arbitrary<GraphSpec> =>
  fc.array(mintValue, { minLength: 3, maxLength: 6 }).chain((values) =>
    fc.record({
      values: fc.constant([1, ...values.slice(1)]),
      pools: fc.array(
        fc.record({
          a: fc.nat(values.length - 1),
          b: fc.nat(values.length - 1),
          spec: poolSpec,
        }),
        { minLength: 2, maxLength: maxPools },
      ),
    }),
  );

/** m0 is WSOL itself; m1, the other base, is not. */
export const mintName = (i: number) => (i === 0 ? WSOL_MINT : `m${i}`);

/** The pools of a spec (a pool joining a mint to itself is kept: it closes no cycle). */
export function buildGraph(spec: GraphSpec): QuotedPool[] {
  return spec.pools.map(({ a, b, spec: p }, i) =>
    buildPool(
      `p${i}`,
      mintName(a),
      mintName(b),
      spec.values[a] as number,
      spec.values[b] as number,
      p,
    ),
  );
}

/** A cycle found the slow way: every walk base → … → base over distinct pools. */
export interface BruteCycle {
  readonly key: string;
  readonly base: string;
  readonly hops: CycleHop[];
}

/**
 * Every 2- and 3-hop cycle from each base, by walking: distinct pools, inner mints distinct
 * from the base and from each other. Written as a walk, not by the case analysis of
 * `enumerate.ts`, so the two can check each other.
 */
export function bruteForceCycles(
  pools: readonly QuotedPool[],
  bases: readonly string[],
): BruteCycle[] {
  const out: BruteCycle[] = [];
  const step = (pool: QuotedPool, from: string) =>
    pool.mintA === from
      ? { to: pool.mintB, hop: { slot: { pool }, direction: 'aToB' as const } }
      : pool.mintB === from
        ? { to: pool.mintA, hop: { slot: { pool }, direction: 'bToA' as const } }
        : null;
  for (const base of bases) {
    for (const p1 of pools) {
      const s1 = step(p1, base);
      if (s1 === null || s1.to === base) continue;
      for (const p2 of pools) {
        if (p2 === p1) continue;
        const s2 = step(p2, s1.to);
        if (s2 === null || s2.to === s1.to) continue;
        if (s2.to === base) {
          out.push(brute(base, [s1.hop, s2.hop]));
          continue;
        }
        for (const p3 of pools) {
          if (p3 === p1 || p3 === p2) continue;
          const s3 = step(p3, s2.to);
          if (s3 !== null && s3.to === base) out.push(brute(base, [s1.hop, s2.hop, s3.hop]));
        }
      }
    }
  }
  return out;
}

function brute(base: string, hops: CycleHop[]): BruteCycle {
  const names = hops.map((h) => `${h.slot.pool.id}${h.direction === 'aToB' ? '>' : '<'}`);
  return { key: `${base}:${names.join(',')}`, base, hops };
}

/** The best exact profit over every input in [1, maxIn] (0 when none profits). */
export function bruteForceBest(hops: readonly CycleHop[], maxIn: bigint): bigint {
  let best = 0n;
  for (let x = 1n; x <= maxIn; x++) {
    const p = chainOut(hops, x) - x;
    if (p > best) best = p;
  }
  return best;
}
