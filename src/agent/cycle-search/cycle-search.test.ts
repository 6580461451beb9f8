import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CycleSearch } from './cycle-search.js';
import {
  bruteForceBest,
  bruteForceCycles,
  buildGraph,
  graphSpec,
  mintName,
  poolSpec,
} from './testing/arbitraries.js';
import { buildPool } from './testing/build-pools.js';
import type { QuotedPool } from './types.js';

const BASES = [mintName(0), mintName(1)];

const search = (maxIn: readonly bigint[], budget?: number) =>
  new CycleSearch({
    bases: BASES.map((mint, i) => ({ mint, maxIn: maxIn[i] as bigint })),
    ...(budget === undefined ? {} : { budget }),
  });

/** Keys of the cycles through each pool, as the index has them and as brute force finds them. */
function expectIndexMatches(s: CycleSearch, pools: readonly QuotedPool[]): void {
  const all = bruteForceCycles(pools, BASES);
  expect(s.cycleCount).toBe(all.length);
  expect(new Set(all.map((c) => c.key)).size).toBe(all.length);
  for (const pool of pools) {
    const expected = all
      .filter((c) => c.hops.some((h) => h.slot.pool.id === pool.id))
      .map((c) => c.key)
      .sort();
    const indexed = [...s.cyclesThrough(pool.id)].map((c) => c.key).sort();
    expect(indexed).toEqual(expected);
  }
}

describe('cycle index', () => {
  it('holds every 2- and 3-hop cycle through each pool, as a brute-force walk finds them', () => {
    fc.assert(
      fc.property(graphSpec(16), (spec) => {
        const pools = buildGraph(spec);
        const s = search([1000n, 1000n]);
        for (const pool of pools) s.upsert(pool);
        expectIndexMatches(s, pools);
      }),
      { numRuns: 200, seed: 31 },
    );
  });

  it('stays in step through adds, removes and pools whose mints change', () => {
    const op = fc.record({
      kind: fc.constantFrom('add', 'remove', 'move' as const),
      pick: fc.nat(),
      a: fc.nat(5),
      b: fc.nat(5),
      spec: poolSpec,
    });
    fc.assert(
      fc.property(graphSpec(10), fc.array(op, { maxLength: 25 }), (spec, ops) => {
        const live = new Map(buildGraph(spec).map((p) => [p.id, p]));
        const s = search([1000n, 1000n]);
        for (const pool of live.values()) s.upsert(pool);
        let next = live.size;
        for (const { kind, pick, a, b, spec: p } of ops) {
          const ids = [...live.keys()];
          const target = ids[pick % Math.max(1, ids.length)];
          const value = (i: number) => spec.values[i % spec.values.length] as number;
          const build = (id: string) =>
            buildPool(id, mintName(a), mintName(b), value(a), value(b), p);
          if (kind === 'add') {
            const pool = build(`n${next++}`);
            live.set(pool.id, pool);
            s.upsert(pool);
          } else if (target !== undefined && kind === 'remove') {
            live.delete(target);
            s.remove(target);
          } else if (target !== undefined) {
            const pool = build(target);
            live.set(target, pool);
            s.upsert(pool);
          }
          expectIndexMatches(s, [...live.values()]);
        }
      }),
      { numRuns: 60, seed: 32 },
    );
  });
});

describe('cycle search', () => {
  it('an update of any pool of a profitable cycle finds it, sized to the brute-force optimum', () => {
    const maxIns = fc.tuple(
      fc.bigInt({ min: 1n, max: 1_500n }),
      fc.bigInt({ min: 1n, max: 1_500n }),
    );
    fc.assert(
      fc.property(graphSpec(9), maxIns, (spec, [max0, max1]) => {
        const pools = buildGraph(spec);
        const maxIn = [max0, max1];
        const s = search(maxIn, 1_000_000);
        for (const pool of pools) s.upsert(pool);
        const found = new Map(
          pools.map((p) => [p.id, new Map(s.update(p).map((c) => [c.cycle.key, c.profit]))]),
        );
        for (const cycle of bruteForceCycles(pools, BASES)) {
          const best = bruteForceBest(cycle.hops, maxIn[BASES.indexOf(cycle.base)] as bigint);
          for (const hop of cycle.hops) {
            const profit = found.get(hop.slot.pool.id)?.get(cycle.key);
            if (best > 0n) expect(profit).toBe(best);
            else expect(profit).toBeUndefined();
          }
        }
      }),
      { numRuns: 100, seed: 33 },
    );
  });

  it('re-sizes on the pool’s new state', () => {
    const depth = 1_000_000;
    const cp = (id: string, a: string, b: string, noise: number) =>
      buildPool(id, a, b, 1, 1, { kind: 'cp', depth, noise, feeBps: 25, steps: [] });
    const s = search([10_000n, 10_000n]);
    s.upsert(cp('x', BASES[0] as string, 'T', 0));
    expect(s.update(cp('y', BASES[0] as string, 'T', 0))).toEqual([]);
    const after = s.update(cp('y', BASES[0] as string, 'T', -50));
    expect(after.map((c) => c.cycle.key)).toEqual([`${BASES[0]}:x>,y<`]);
    expect(after[0]?.profit).toBeGreaterThan(0n);
    expect(s.update(cp('y', BASES[0] as string, 'T', 0))).toEqual([]);
  });
});
