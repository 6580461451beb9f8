import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AuctionBid, runAuction } from './auction.js';

const bid = fc.record({
  tip: fc.bigInt({ min: 0n, max: 50n }),
  arrivedAt: fc.integer({ min: 0, max: 5 }),
  pools: fc.uniqueArray(fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5'), {
    minLength: 1,
    maxLength: 3,
  }),
  executes: fc.boolean(),
});

describe('Jito auction', () => {
  it('lands only conflict-free bundles above the clearing tip, each the highest of its conflicts', () => {
    fc.assert(
      fc.property(
        fc.array(bid, { maxLength: 30 }),
        fc.bigInt({ min: 0n, max: 30n }),
        (raw, clearing) => {
          const bids = raw.map((b, seq) => ({ ...b, seq }));
          const results = runAuction(bids, clearing, (b) => b.executes);
          expect(results.length).toBe(bids.length);
          const landed = results.filter(([, r]) => r === 'landed').map(([b]) => b);
          const outranks = (a: AuctionBid, b: AuctionBid) =>
            a.tip > b.tip ||
            (a.tip === b.tip &&
              (a.arrivedAt < b.arrivedAt || (a.arrivedAt === b.arrivedAt && a.seq < b.seq)));
          for (const b of landed) {
            expect(b.tip >= clearing).toBe(true);
            expect(b.executes).toBe(true);
            for (const other of landed)
              if (other !== b) expect(b.pools.some((p) => other.pools.includes(p))).toBe(false);
          }
          for (const [b, result] of results) {
            if (result === 'reverted') expect(b.executes).toBe(false);
            if (result !== 'auction_lost') continue;
            // It lost: below the clearing tip, or a higher-ranked bundle landed on one of its pools.
            const beaten = landed.some(
              (w) => outranks(w, b) && w.pools.some((p) => b.pools.includes(p)),
            );
            expect(b.tip < clearing || beaten).toBe(true);
          }
        },
      ),
    );
  });

  it('a bundle that loses the auction is never executed', () => {
    const executed: number[] = [];
    const bids = [
      { tip: 5_000n, arrivedAt: 2, seq: 0, pools: ['a', 'b'] },
      { tip: 9_000n, arrivedAt: 3, seq: 1, pools: ['b', 'c'] },
      { tip: 9_000n, arrivedAt: 1, seq: 2, pools: ['c'] },
      { tip: 1_000n, arrivedAt: 0, seq: 3, pools: ['d'] },
      { tip: 500n, arrivedAt: 0, seq: 4, pools: ['e'] },
    ];
    const results = runAuction(bids, 800n, (b) => {
      executed.push(b.seq);
      return true;
    });
    const bySeq = Object.fromEntries(results.map(([b, r]) => [b.seq, r]));
    // Equal tips: the earlier arrival (seq 2) wins; seq 1 then conflicts on c; seq 0 is free.
    expect(bySeq).toEqual({
      0: 'landed',
      1: 'auction_lost',
      2: 'landed',
      3: 'landed',
      4: 'auction_lost',
    });
    expect(executed).toEqual([2, 0, 3]);
  });

  it('a bundle that fails simulation locks nothing: the next conflicting one can land', () => {
    const bids = [
      { tip: 9n, arrivedAt: 0, seq: 0, pools: ['a'] },
      { tip: 5n, arrivedAt: 0, seq: 1, pools: ['a'] },
    ];
    const results = runAuction(bids, 0n, (b) => b.seq === 1);
    expect(results.map(([b, r]) => [b.seq, r])).toEqual([
      [0, 'reverted'],
      [1, 'landed'],
    ]);
  });
});
