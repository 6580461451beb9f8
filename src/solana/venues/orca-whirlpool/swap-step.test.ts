import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FEE_RATE_HARD_LIMIT } from './adaptive-fee.js';
import { computeSwapStep } from './swap-step.js';
import { MAX_SQRT_PRICE_X64, MIN_SQRT_PRICE_X64 } from './tick-math.js';
import { U64_MAX, WhirlpoolProgramError } from './token-math.js';

/**
 * The program's own property test of `compute_swap` (swap_math.rs `fuzz_tests::test_compute_swap`,
 * exact-in half): over the same ranges, a step never errs, input plus fee never passes the amount
 * and equals it when the step stops short of its target, and the price stays between the two.
 */
describe('Orca Whirlpool swap step (swap_math.rs compute_swap)', () => {
  it("keeps the program's fuzz-test invariants", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: U64_MAX - 1n }),
        fc.bigInt({ min: 1n, max: 0xffff_fffen }),
        fc.integer({ min: 1, max: FEE_RATE_HARD_LIMIT - 1 }),
        fc.bigInt({ min: MIN_SQRT_PRICE_X64, max: MAX_SQRT_PRICE_X64 - 1n }),
        fc.bigInt({ min: MIN_SQRT_PRICE_X64, max: MAX_SQRT_PRICE_X64 - 1n }),
        (amount, liquidity, feeRate, p0, p1) => {
          fc.pre(p0 !== p1);
          const aToB = p0 >= p1;
          const step = computeSwapStep(amount, feeRate, liquidity, p0, p1, aToB);
          expect(step.amountIn <= U64_MAX - step.feeAmount).toBe(true);
          const used = step.amountIn + step.feeAmount;
          expect(step.nextPrice !== p1 ? used === amount : used <= amount).toBe(true);
          const [lower, upper] = p0 < p1 ? [p0, p1] : [p1, p0];
          expect(step.nextPrice >= lower && step.nextPrice <= upper).toBe(true);
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('refuses where a width runs out, naming the program error', () => {
    const refusal = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        if (e instanceof WhirlpoolProgramError) return e.code;
        throw e;
      }
      return 'ok';
    };
    // L · Δ√P of 2¹⁹² or more: `checked_shift_word_left` fails in Δa.
    expect(
      refusal(() =>
        computeSwapStep(
          1n,
          0,
          (1n << 127n) - 1n,
          MAX_SQRT_PRICE_X64 - 1n,
          MIN_SQRT_PRICE_X64,
          true,
        ),
      ),
    ).toBe('MultiplicationOverflow');
    // The first Δ to the target past u64 (here Δb past 2¹²⁸) is recoverable: the step stops short.
    const step = computeSwapStep(10n ** 18n, 0, 1n << 70n, 1n << 64n, MAX_SQRT_PRICE_X64, false);
    expect(
      step.nextPrice < MAX_SQRT_PRICE_X64 && step.amountIn + step.feeAmount === 10n ** 18n,
    ).toBe(true);
    // The output's Δ past u64 is not (`get_amount_delta_a`): from the lowest price, L = 2⁷⁰.
    expect(
      refusal(() =>
        computeSwapStep(10n ** 18n, 0, 1n << 70n, MIN_SQRT_PRICE_X64, MAX_SQRT_PRICE_X64, false),
      ),
    ).toBe('TokenMaxExceeded');
  });
});
