import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  amountOut,
  amountOutFloat,
  applySwap,
  priceImpact,
  priceImpactFloat,
  swapFee,
} from './cpmm.js';
import type { PoolSnapshot } from './types.js';

/** Exact rationals, reduced: the independent arithmetic the bigint pool math is checked against. */
class Q {
  readonly n: bigint;
  readonly d: bigint;
  constructor(n: bigint, d = 1n) {
    if (d === 0n) throw new Error('zero denominator');
    const sign = d < 0n ? -1n : 1n;
    const g = gcd(n < 0n ? -n : n, d < 0n ? -d : d) || 1n;
    this.n = (sign * n) / g;
    this.d = (sign * d) / g;
  }
  add(o: Q) {
    return new Q(this.n * o.d + o.n * this.d, this.d * o.d);
  }
  sub(o: Q) {
    return new Q(this.n * o.d - o.n * this.d, this.d * o.d);
  }
  mul(o: Q) {
    return new Q(this.n * o.n, this.d * o.d);
  }
  div(o: Q) {
    return new Q(this.n * o.d, this.d * o.n);
  }
  floor() {
    const q = this.n / this.d;
    return this.n < 0n && q * this.d !== this.n ? q - 1n : q;
  }
  ceil() {
    const q = this.n / this.d;
    return this.n > 0n && q * this.d !== this.n ? q + 1n : q;
  }
  toNumber() {
    return Number(this.n) / Number(this.d);
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

const reserve = fc.bigInt({ min: 1_000n, max: 10n ** 18n });
const amount = fc.bigInt({ min: 1n, max: 10n ** 16n });
const feeBps = fc.integer({ min: 0, max: 1_000 });

describe('constant-product pool math', () => {
  it('charges the fee on the input, rounded up: the smallest fee with fee·10⁴ ≥ amountIn·bps', () => {
    fc.assert(
      fc.property(amount, feeBps, (a, bps) => {
        const fee = swapFee(a, bps);
        expect(fee).toBe(new Q(a * BigInt(bps), 10_000n).ceil());
        expect(fee * 10_000n >= a * BigInt(bps)).toBe(true);
        expect((fee - 1n) * 10_000n < a * BigInt(bps) || fee === 0n).toBe(true);
      }),
    );
  });

  it('output equals floor(Rout·in′/(Rin+in′)) computed in exact rationals', () => {
    fc.assert(
      fc.property(reserve, reserve, amount, feeBps, (rin, rout, a, bps) => {
        const fee = new Q(a * BigInt(bps), 10_000n).ceil();
        const inAfterFee = new Q(a - fee);
        const exact =
          inAfterFee.n <= 0n
            ? 0n
            : new Q(rout).mul(inAfterFee).div(new Q(rin).add(inAfterFee)).floor();
        expect(amountOut(rin, rout, a, bps)).toBe(exact);
      }),
    );
  });

  it('output is the largest amount that keeps (Rin + in′)·(Rout − out) ≥ Rin·Rout', () => {
    fc.assert(
      fc.property(reserve, reserve, amount, feeBps, (rin, rout, a, bps) => {
        const inAfterFee = a - swapFee(a, bps);
        const out = amountOut(rin, rout, a, bps);
        const k = rin * rout;
        expect((rin + inAfterFee) * (rout - out) >= k).toBe(true);
        if (inAfterFee > 0n) expect((rin + inAfterFee) * (rout - out - 1n) < k).toBe(true);
        expect(out < rout).toBe(true);
      }),
    );
  });

  it('price impact is 1 − (out/in′)/(Rout/Rin) exactly, and the float helper agrees', () => {
    fc.assert(
      fc.property(reserve, reserve, amount, feeBps, (rin, rout, a, bps) => {
        const inAfterFee = a - swapFee(a, bps);
        fc.pre(inAfterFee > 0n);
        const out = amountOut(rin, rout, a, bps);
        const exact = new Q(1n).sub(new Q(out * rin, inAfterFee * rout)).toNumber();
        expect(priceImpact(rin, rout, a, bps)).toBeCloseTo(exact, 15);
        // Unrounded, the impact is in′/(Rin + in′). Flooring the output adds under 1/out, and
        // the float helper's unrounded fee moves in′ by under 1 unit (under 1/Rin of impact).
        const unrounded = priceImpactFloat(Number(rin), Number(a), bps);
        const slack = (out > 0n ? 1 / Number(out) : 1) + 1 / Number(rin) + 1e-12;
        expect(Math.abs(unrounded - exact)).toBeLessThanOrEqual(slack);
      }),
    );
  });

  it('the float output is within the rounding of the exact one', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 10n ** 9n, max: 10n ** 16n }),
        fc.bigInt({ min: 10n ** 9n, max: 10n ** 16n }),
        fc.bigInt({ min: 10n ** 6n, max: 10n ** 12n }),
        feeBps,
        (rin, rout, a, bps) => {
          const exact = Number(amountOut(rin, rout, a, bps));
          const approx = amountOutFloat(Number(rin), Number(rout), Number(a), bps);
          // Flooring the output costs under 1 unit; rounding the fee up moves the input by
          // under 1 unit, worth under Rout/Rin of output; the rest is float error.
          const bound = 1 + Number(rout) / Number(rin) + exact * 1e-12;
          expect(Math.abs(approx - exact)).toBeLessThanOrEqual(bound);
        },
      ),
    );
  });

  it('a known case: 1 SOL into a 1,000 SOL / 150,000 USDC pool at 25 bps', () => {
    // in′ = 1e9 − 2.5e6 = 997,500,000; out = floor(1.5e11 · 997.5e6 / 1,000.9975e9) (by hand: 149,475,897.6)
    const out = amountOut(1_000_000_000_000n, 150_000_000_000n, 1_000_000_000n, 25);
    expect(out).toBe((150_000_000_000n * 997_500_000n) / 1_000_997_500_000n);
    expect(out).toBe(149_475_897n);
  });

  it('applySwap moves the reserves by the input and the output and never lowers k', () => {
    fc.assert(
      fc.property(reserve, reserve, amount, feeBps, fc.boolean(), (ra, rb, a, bps, aToB) => {
        const pool: PoolSnapshot = {
          id: 'p',
          venue: 'v',
          mintA: 'A',
          mintB: 'B',
          reserveA: ra,
          reserveB: rb,
          feeBps: bps,
        };
        const { amountOut: out, pool: next } = applySwap(pool, aToB ? 'aToB' : 'bToA', a);
        if (aToB) {
          expect(next.reserveA).toBe(ra + a);
          expect(next.reserveB).toBe(rb - out);
        } else {
          expect(next.reserveB).toBe(rb + a);
          expect(next.reserveA).toBe(ra - out);
        }
        expect(next.reserveA * next.reserveB >= ra * rb).toBe(true);
        expect(pool.reserveA).toBe(ra);
      }),
    );
  });
});
