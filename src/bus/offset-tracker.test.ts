import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PartitionTracker } from './offset-tracker.js';

describe('PartitionTracker', () => {
  it('commits past each message when they finish in order', () => {
    const t = new PartitionTracker<string>();
    for (const o of [0n, 1n, 2n]) expect(t.accept(o, `m${o}`)).toBe(true);
    expect(t.complete(0n)).toEqual({ offset: 1n, meta: 'm0' });
    expect(t.complete(1n)).toEqual({ offset: 2n, meta: 'm1' });
    expect(t.complete(2n)).toEqual({ offset: 3n, meta: 'm2' });
    expect(t.pending).toBe(0);
  });

  it('holds the commit point at the first unfinished message', () => {
    const t = new PartitionTracker<number>();
    for (const o of [10n, 11n, 12n, 13n]) t.accept(o, Number(o));
    expect(t.complete(12n)).toBeUndefined();
    expect(t.complete(13n)).toBeUndefined();
    expect(t.complete(11n)).toBeUndefined();
    // 10 was the one holding everything back: the prefix now reaches 13.
    expect(t.complete(10n)).toEqual({ offset: 14n, meta: 13 });
  });

  it('follows delivery order across offset gaps', () => {
    const t = new PartitionTracker<null>();
    for (const o of [3n, 4n, 9n, 20n]) t.accept(o, null);
    expect(t.complete(9n)).toBeUndefined();
    expect(t.complete(3n)?.offset).toBe(4n);
    expect(t.complete(4n)?.offset).toBe(10n);
    expect(t.complete(20n)?.offset).toBe(21n);
  });

  it('refuses offsets already taken, as a refetch after a rebalance delivers them again', () => {
    const t = new PartitionTracker<null>();
    t.accept(5n, null);
    t.accept(6n, null);
    expect(t.accept(5n, null)).toBe(false);
    expect(t.accept(6n, null)).toBe(false);
    expect(t.accept(7n, null)).toBe(true);
    expect(t.pending).toBe(3);
  });

  it('ignores unknown and repeated completions', () => {
    const t = new PartitionTracker<null>();
    t.accept(0n, null);
    t.accept(1n, null);
    expect(t.complete(42n)).toBeUndefined();
    expect(t.complete(0n)?.offset).toBe(1n);
    expect(t.complete(0n)).toBeUndefined();
    expect(t.pending).toBe(1);
  });

  it('never commits past an unfinished message, whatever the completion order', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 3000 })
          .chain((n) =>
            fc.tuple(fc.constant(n), fc.shuffledSubarray([...Array(n).keys()], { minLength: n })),
          ),
        ([n, order]) => {
          const t = new PartitionTracker<number>();
          for (let i = 0; i < n; i++) t.accept(BigInt(i * 2), i);
          const done = new Set<number>();
          let committed = -1n;
          for (const i of order) {
            done.add(i);
            const point = t.complete(BigInt(i * 2));
            if (point === undefined) continue;
            expect(point.offset).toBeGreaterThan(committed);
            committed = point.offset;
            // Every message below the commit point has finished.
            for (let j = 0; j * 2 < Number(point.offset); j++) expect(done.has(j)).toBe(true);
            expect(point.meta).toBe((Number(point.offset) - 1) / 2);
          }
          expect(committed).toBe(BigInt((n - 1) * 2 + 1));
          expect(t.pending).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
  });
});
