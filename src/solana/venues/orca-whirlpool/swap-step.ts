import {
  type AmountDelta,
  checkedMulDiv,
  deltaValue,
  fail,
  nextSqrtPriceFromAInput,
  nextSqrtPriceFromBInput,
  tryAmountDeltaA,
  tryAmountDeltaB,
  U64_MAX,
} from './token-math.js';

/**
 * One step of an exact-in swap between the current sqrt price and a target, as orca-so/whirlpools
 * `math/swap_math.rs` `compute_swap` computes it with `amount_specified_is_input = true`:
 * the input after the fee (`amount · (10⁶ − fee_rate) / 10⁶`, floored) either reaches the target
 * (a "max swap": its exact input rounded up, the fee `⌈in · rate / (10⁶ − rate)⌉`) or stops
 * short at the price it moves to (the fee is then all of the remainder the step did not use).
 * Input is the fixed side (Δa rounded up for A→B, Δb for B→A); output is the other, rounded down.
 */

export const FEE_RATE_MUL_VALUE = 1_000_000n;

export interface SwapStep {
  readonly amountIn: bigint;
  readonly amountOut: bigint;
  readonly nextPrice: bigint;
  readonly feeAmount: bigint;
}

const inputDelta = (p0: bigint, p1: bigint, liquidity: bigint, aToB: boolean): AmountDelta =>
  aToB ? tryAmountDeltaA(p0, p1, liquidity, true) : tryAmountDeltaB(p0, p1, liquidity, true);

export function computeSwapStep(
  amountRemaining: bigint,
  feeRate: number,
  liquidity: bigint,
  sqrtPriceCurrent: bigint,
  sqrtPriceTarget: bigint,
  aToB: boolean,
): SwapStep {
  const rate = BigInt(feeRate);
  const initial = inputDelta(sqrtPriceCurrent, sqrtPriceTarget, liquidity, aToB);
  const amountCalc = checkedMulDiv(
    amountRemaining,
    FEE_RATE_MUL_VALUE - rate,
    FEE_RATE_MUL_VALUE,
    false,
  );
  const reachesTarget = 'value' in initial && initial.value <= amountCalc;
  const nextPrice = reachesTarget
    ? sqrtPriceTarget
    : aToB
      ? nextSqrtPriceFromAInput(sqrtPriceCurrent, liquidity, amountCalc)
      : nextSqrtPriceFromBInput(sqrtPriceCurrent, liquidity, amountCalc);
  const isMaxSwap = nextPrice === sqrtPriceTarget;
  const amountOut = deltaValue(
    aToB
      ? tryAmountDeltaB(sqrtPriceCurrent, nextPrice, liquidity, false)
      : tryAmountDeltaA(sqrtPriceCurrent, nextPrice, liquidity, false),
  );
  const amountIn =
    !isMaxSwap || !('value' in initial)
      ? deltaValue(inputDelta(sqrtPriceCurrent, nextPrice, liquidity, aToB))
      : initial.value;
  let feeAmount: bigint;
  if (!isMaxSwap) {
    // A u64 subtraction in a release build (overflow-checks = false): it wraps, and the caller's
    // checked subtraction then refuses.
    feeAmount = (amountRemaining - amountIn) & U64_MAX;
  } else {
    feeAmount = checkedMulDiv(amountIn, rate, FEE_RATE_MUL_VALUE - rate, true);
    if (feeAmount > U64_MAX) fail('NumberCastError');
  }
  return { amountIn, amountOut, nextPrice, feeAmount };
}
