import { FEE_RATE_DENOMINATOR } from './raydium-cp-layout.js';

/**
 * Raydium CP-Swap's curve with its fees, bit for bit (raydium-io/raydium-cp-swap
 * `programs/cp-swap/src/curve/{calculator,constant_product,fees}.rs`, creator-fee release). The
 * program works in u128 on u64 inputs; where it returns None or panics (an unwrap, a checked
 * operation, a division by zero) the transaction fails, and these return null.
 *
 * Rates are parts per million (`FEE_RATE_DENOMINATOR_VALUE`). The trade fee and a creator fee on
 * the input are rounded up as one fee and then split, the creator's share rounded down; the
 * protocol and fund fees are floored shares of the trade fee; a creator fee on the output is
 * rounded up from what the curve pays out.
 */

const U64_MAX = (1n << 64n) - 1n;

export interface FeeRates {
  readonly trade: bigint;
  /** Zero when the pool has not enabled the creator fee (`adjust_creator_fee_rate`). */
  readonly creator: bigint;
  readonly protocol: bigint;
  readonly fund: bigint;
}

/** `SwapResult`: amounts the curve moves; fees are in the token they are charged in. */
export interface CurveSwap {
  /** Input including the trade fee (and a creator fee on the input), excluding transfer fees. */
  readonly inputAmount: bigint;
  /** What the output vault pays the user, creator fee on the output already taken off. */
  readonly outputAmount: bigint;
  /** Reserves the curve leaves, before the protocol, fund and creator fees are set aside. */
  readonly newInputVault: bigint;
  readonly newOutputVault: bigint;
  readonly tradeFee: bigint;
  readonly protocolFee: bigint;
  readonly fundFee: bigint;
  readonly creatorFee: bigint;
}

function ceilDiv(amount: bigint, numerator: bigint, denominator: bigint): bigint | null {
  return denominator === 0n ? null : (amount * numerator + denominator - 1n) / denominator;
}

function floorDiv(amount: bigint, numerator: bigint, denominator: bigint): bigint | null {
  return denominator === 0n ? null : (amount * numerator) / denominator;
}

/** `Fees::calculate_pre_fee_amount`: the smallest amount that leaves `post` after a `rate` fee. */
function preFeeAmount(post: bigint, rate: bigint): bigint | null {
  if (rate === 0n) return post;
  const denominator = FEE_RATE_DENOMINATOR - rate;
  if (denominator <= 0n) return null;
  return (post * FEE_RATE_DENOMINATOR + denominator - 1n) / denominator;
}

/** `CurveCalculator::swap_base_input`. */
export function curveSwapBaseInput(
  inputAmount: bigint,
  inputVault: bigint,
  outputVault: bigint,
  rates: FeeRates,
  creatorFeeOnInput: boolean,
): CurveSwap | null {
  // `trade_fee_rate + creator_fee_rate` is a u64 sum: overflow panics.
  if (rates.trade + rates.creator > U64_MAX) return null;
  let creatorFee = 0n;
  let tradeFee: bigint;
  let lessFees: bigint;
  if (creatorFeeOnInput) {
    const totalRate = rates.trade + rates.creator;
    const total = ceilDiv(inputAmount, totalRate, FEE_RATE_DENOMINATOR) as bigint;
    const split = floorDiv(total, rates.creator, totalRate);
    if (split === null) return null;
    creatorFee = split;
    tradeFee = total - creatorFee;
    lessFees = inputAmount - total;
  } else {
    tradeFee = ceilDiv(inputAmount, rates.trade, FEE_RATE_DENOMINATOR) as bigint;
    lessFees = inputAmount - tradeFee;
  }
  if (lessFees < 0n) return null;
  const protocolFee = (tradeFee * rates.protocol) / FEE_RATE_DENOMINATOR;
  const fundFee = (tradeFee * rates.fund) / FEE_RATE_DENOMINATOR;
  const denominator = inputVault + lessFees;
  if (denominator === 0n) return null;
  const swapped = (lessFees * outputVault) / denominator;
  let outputAmount = swapped;
  if (!creatorFeeOnInput) {
    creatorFee = ceilDiv(swapped, rates.creator, FEE_RATE_DENOMINATOR) as bigint;
    outputAmount = swapped - creatorFee;
    if (outputAmount < 0n) return null;
  }
  return {
    inputAmount,
    outputAmount,
    newInputVault: inputVault + lessFees,
    newOutputVault: outputVault - swapped,
    tradeFee,
    protocolFee,
    fundFee,
    creatorFee,
  };
}

/** `CurveCalculator::swap_base_output`: the input that buys exactly `outputAmount`. */
export function curveSwapBaseOutput(
  outputAmount: bigint,
  inputVault: bigint,
  outputVault: bigint,
  rates: FeeRates,
  creatorFeeOnInput: boolean,
): CurveSwap | null {
  if (rates.trade + rates.creator > U64_MAX) return null;
  let creatorFee = 0n;
  let actualOutput = outputAmount;
  if (!creatorFeeOnInput) {
    const withCreatorFee = preFeeAmount(outputAmount, rates.creator);
    if (withCreatorFee === null) return null;
    creatorFee = withCreatorFee - outputAmount;
    actualOutput = withCreatorFee;
  }
  // `swap_base_output_without_fees`: ceil(x · Δy / (y − Δy)); an underflow or zero divisor panics.
  const rest = outputVault - actualOutput;
  if (rest <= 0n) return null;
  const numerator = inputVault * actualOutput;
  const swapped = numerator / rest + (numerator % rest === 0n ? 0n : 1n);
  let tradeFee: bigint;
  let inputAmount: bigint;
  if (creatorFeeOnInput) {
    const totalRate = rates.trade + rates.creator;
    const withFee = preFeeAmount(swapped, totalRate);
    if (withFee === null) return null;
    const total = withFee - swapped;
    const split = floorDiv(total, rates.creator, totalRate);
    if (split === null) return null;
    creatorFee = split;
    tradeFee = total - creatorFee;
    inputAmount = withFee;
  } else {
    const withFee = preFeeAmount(swapped, rates.trade);
    if (withFee === null) return null;
    tradeFee = withFee - swapped;
    inputAmount = withFee;
  }
  return {
    inputAmount,
    outputAmount,
    newInputVault: inputVault + swapped,
    newOutputVault: outputVault - actualOutput,
    tradeFee,
    protocolFee: (tradeFee * rates.protocol) / FEE_RATE_DENOMINATOR,
    fundFee: (tradeFee * rates.fund) / FEE_RATE_DENOMINATOR,
    creatorFee,
  };
}
