import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulatedWhirlpool, tickSpacingForFee } from './sim.js';
import { orcaWhirlpool } from './venue.js';

const context = { unixTimestamp: 1_750_000_000n, epoch: 712n };

describe('simulated Orca Whirlpool', () => {
  it("pairs tick spacing with the fee as Orca's fee tiers do", () => {
    expect([1, 2, 4, 5, 16, 30, 65, 100, 200].map(tickSpacingForFee)).toEqual([
      1, 2, 4, 8, 16, 64, 96, 128, 256,
    ]);
  });

  it('prices at reserveB / reserveA with the constant product depth near the price, crossing ticks beyond', () => {
    let runs = 0;
    let crossed = 0;
    fc.assert(
      fc.property(
        fc.bigInt({ min: 10n ** 9n, max: 10n ** 15n }),
        fc.bigInt({ min: 10n ** 9n, max: 10n ** 15n }),
        fc.constantFrom(1, 4, 5, 30, 100),
        fc.integer(),
        fc.boolean(),
        (reserveA, reserveB, feeBps, seed, aToB) => {
          runs++;
          const spec = { mintA: 'sim:A', mintB: 'sim:B', reserveA, reserveB, feeBps, seed };
          const pool = simulatedWhirlpool(spec);
          expect(simulatedWhirlpool(spec)).toEqual(pool);
          // Virtual reserves within a part in 10⁹ (and a unit or two) of the spec's: √ and Q64 rounding.
          const close = (x: bigint, y: bigint) =>
            (x > y ? x - y : y - x) <= 2n + y / 1_000_000_000n;
          expect([close(pool.reserveA, reserveA), close(pool.reserveB, reserveB)]).toEqual([
            true,
            true,
          ]);
          const { maths, state } = pool.curve;
          const [rIn, rOut] = aToB ? [reserveA, reserveB] : [reserveB, reserveA];
          // 0.01 % of the reserve: the constant product's output, less the fee, within rounding.
          const small = rIn / 10_000n;
          const q = maths.quote(state, aToB ? 'aToB' : 'bToA', small, context);
          if (!q.ok) throw new Error(q.refusal);
          const net = small - (small * BigInt(feeBps)) / 10_000n;
          const cp = (rOut * net) / (rIn + net);
          expect([
            q.amountOut,
            q.amountOut <= cp + 2n && q.amountOut * 1_000_000n >= cp * 999_990n,
          ]).toEqual([q.amountOut, true]);
          // A tenth of the reserve crosses at least one position's edge and still quotes or refuses by name.
          const big = orcaWhirlpool.quote(
            state as never,
            aToB ? 'aToB' : 'bToA',
            rIn / 10n,
            context,
          );
          if (!big.ok) expect(big.refusal).toMatch(/^[A-Z][A-Za-z]+$/);
          else if (big.swap.next.tickArrays.length > 0) crossed++;
        },
      ),
      { numRuns: 200 },
    );
    // Not vacuous: about a quarter of the runs cross (35-65 of 200 in 90 measured batches; the
    // rest run past the pool's tick arrays and refuse by name). A tenth is ~5σ below that mean.
    expect(crossed).toBeGreaterThan(runs / 10);
  });
});
