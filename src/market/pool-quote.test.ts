import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulatedAmmV4 } from '../solana/venues/raydium-amm-v4/sim.js';
import { raydiumAmmV4 } from '../solana/venues/raydium-amm-v4/venue.js';
import { simulatedRaydiumCp } from '../solana/venues/raydium-cp/sim.js';
import { amountOut, applySwap, reservesOf } from './cpmm.js';
import { NO_CLOCK, quoteSwap, swapExact } from './pool-quote.js';
import { type PoolSnapshot, WSOL_MINT } from './types.js';

/** The one exact swap of any snapshot: cpmm.ts itself on constant product, the curve otherwise. */
const reserve = fc.bigInt({ min: 1_000n, max: 10n ** 18n });
const amount = fc.bigInt({ min: -5n, max: 10n ** 16n });
const direction = fc.constantFrom('aToB' as const, 'bToA' as const);
const cpPool = fc.record({
  reserveA: reserve,
  reserveB: reserve,
  feeBps: fc.integer({ min: 0, max: 1_000 }),
});
const snapshot = (r: { reserveA: bigint; reserveB: bigint; feeBps: number }): PoolSnapshot => ({
  id: 'p',
  venue: 'v',
  mintA: 'sim:T',
  mintB: WSOL_MINT,
  ...r,
});

describe('exact swap entry', () => {
  it('equals cpmm.ts on constant-product snapshots, output and state, bit for bit', () => {
    fc.assert(
      fc.property(cpPool, direction, amount, (r, d, x) => {
        const pool = snapshot(r);
        const [rin, rout] = reservesOf(pool, d);
        expect(quoteSwap(pool, d, x)).toBe(amountOut(rin, rout, x, pool.feeBps));
        expect(swapExact(pool, d, x)).toEqual(applySwap(pool, d, x));
      }),
      { numRuns: 2_000 },
    );
  });

  it('prices a curve pool with its program and moves its virtual reserves with the state', () => {
    fc.assert(
      fc.property(cpPool, direction, fc.bigInt({ min: 1n, max: 10n ** 15n }), (r, d, x) => {
        const built = simulatedAmmV4({ ...r, mintA: 'sim:T', mintB: WSOL_MINT, seed: 1 });
        const pool: PoolSnapshot = { ...snapshot(r), curve: built.curve };
        const q = raydiumAmmV4.quote(built.curve.state, d, x, NO_CLOCK);
        const out = quoteSwap(pool, d, x);
        expect(out).toBe(q.ok ? q.amountOut : 0n);
        const after = swapExact(pool, d, x);
        expect(after.amountOut).toBe(out);
        if (!q.ok) {
          expect(after.pool).toBe(pool);
          return;
        }
        const [dA, dB] = d === 'aToB' ? [x, -out] : [-out, x];
        expect([after.pool.reserveA, after.pool.reserveB]).toEqual([
          r.reserveA + dA,
          r.reserveB + dB,
        ]);
        // The pool after is what the program leaves: quoting it again matches the venue's apply.
        const state = raydiumAmmV4.apply(built.curve.state, q, NO_CLOCK);
        expect(quoteSwap(after.pool, d, x)).toBe(
          ((s) => (s.ok ? s.amountOut : 0n))(raydiumAmmV4.quote(state, d, x, NO_CLOCK)),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('a refused swap pays nothing and leaves the pool as it was', () => {
    const built = simulatedAmmV4({
      mintA: 'sim:T',
      mintB: WSOL_MINT,
      reserveA: 1_000n,
      reserveB: 1_000n,
      feeBps: 25,
      seed: 1,
    });
    const pool: PoolSnapshot = {
      ...snapshot({ reserveA: 1_000n, reserveB: 1_000n, feeBps: 25 }),
      curve: built.curve,
    };
    // One unit in returns 0 out: the program refuses (InvalidInput) rather than take it.
    expect(swapExact(pool, 'aToB', 1n)).toEqual({ amountOut: 0n, pool });
  });

  it('keeps CP-Swap protocol and fund fees out of the curve (its reserves shrink by them)', () => {
    const r = { reserveA: 10n ** 12n, reserveB: 10n ** 12n, feeBps: 25 };
    const built = simulatedRaydiumCp({ ...r, mintA: 'sim:T', mintB: WSOL_MINT, seed: 1 });
    const pool: PoolSnapshot = { ...snapshot(r), curve: built.curve };
    const x = 10n ** 9n;
    const after = swapExact(pool, 'aToB', x);
    // The trade fee is 0.25 %; 16 % of it leaves the pool's reserve as protocol and fund fees.
    const fee = (x * 2_500n + 999_999n) / 1_000_000n;
    const kept = fee - (fee * 120_000n) / 1_000_000n - (fee * 40_000n) / 1_000_000n;
    expect(after.pool.reserveA).toBe(r.reserveA + x - fee + kept);
    expect(after.amountOut).toBe(applySwap(snapshot(r), 'aToB', x).amountOut);
  });
});
