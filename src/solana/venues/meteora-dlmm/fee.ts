import type { StaticParameters } from './layout.js';
import { BASIS_POINT_MAX } from './math.js';

/**
 * DLMM's dynamic fee (MeteoraAg/dlmm-sdk `commons/src/extensions/lb_pair.rs`). A rate is parts
 * of `FEE_PRECISION` (10⁹): base fee `base_factor · bin_step · 10 · 10^base_fee_power_factor`
 * plus a variable fee growing with the square of the volatility accumulator (bins crossed since
 * the reference, in basis points), capped at 10 %.
 */

export const FEE_PRECISION = 1_000_000_000n;
export const MAX_FEE_RATE = 100_000_000n;
/** Of the fee charged on a limit-order fill, the share that goes to the order's owner. */
export const LIMIT_ORDER_FEE_SHARE = 5_000n;
const U32_MAX = 0xffff_ffffn;
const U64_MAX = (1n << 64n) - 1n;

/** The volatility state a swap reads and writes (`VariableParameters`, less its padding). */
export interface Volatility {
  readonly volatilityAccumulator: number;
  readonly volatilityReference: number;
  readonly indexReference: number;
  readonly lastUpdateTimestamp: bigint;
}

/**
 * `update_references`, once at the start of a swap: outside the filter period the reference
 * moves to the active bin and the reference volatility decays (by `reduction_factor`, in the
 * decay window) or resets (after it). Null where the program's u32 product overflows.
 */
export function updateReferences(
  v: Volatility,
  s: StaticParameters,
  activeId: number,
  now: bigint,
): Volatility | null {
  const elapsed = now - v.lastUpdateTimestamp;
  if (elapsed < BigInt(s.filterPeriod)) return v;
  if (elapsed >= BigInt(s.decayPeriod)) {
    return { ...v, indexReference: activeId, volatilityReference: 0 };
  }
  const product = BigInt(v.volatilityAccumulator) * BigInt(s.reductionFactor);
  if (product > U32_MAX) return null;
  return {
    ...v,
    indexReference: activeId,
    volatilityReference: Number(product / BASIS_POINT_MAX),
  };
}

/** `update_volatility_accumulator`, before each bin that trades: reference + 10 000 per bin away. */
export function updateVolatilityAccumulator(
  v: Volatility,
  s: StaticParameters,
  activeId: number,
): Volatility {
  const delta = BigInt(Math.abs(v.indexReference - activeId));
  const acc = BigInt(v.volatilityReference) + delta * BASIS_POINT_MAX;
  const capped =
    acc < BigInt(s.maxVolatilityAccumulator) ? acc : BigInt(s.maxVolatilityAccumulator);
  return { ...v, volatilityAccumulator: Number(capped) };
}

export function baseFeeRate(s: StaticParameters, binStep: number): bigint {
  return BigInt(s.baseFactor) * BigInt(binStep) * 10n * 10n ** BigInt(s.baseFeePowerFactor);
}

/** `compute_variable_fee`: ceil(variable_fee_control · (accumulator · bin_step)² / 10¹¹). */
export function variableFeeRate(s: StaticParameters, binStep: number, accumulator: number): bigint {
  if (s.variableFeeControl <= 0) return 0n;
  const square = (BigInt(accumulator) * BigInt(binStep)) ** 2n;
  return (BigInt(s.variableFeeControl) * square + 99_999_999_999n) / 100_000_000_000n;
}

/** `get_total_fee`: base + variable, at most `MAX_FEE_RATE`. */
export function totalFeeRate(s: StaticParameters, binStep: number, accumulator: number): bigint {
  const rate = baseFeeRate(s, binStep) + variableFeeRate(s, binStep, accumulator);
  return rate < MAX_FEE_RATE ? rate : MAX_FEE_RATE;
}

/** `compute_fee_from_amount`: the fee inside a fee-inclusive amount, rounded up. */
export function feeFromIncludedAmount(amount: bigint, rate: bigint): bigint | null {
  const fee = (amount * rate + FEE_PRECISION - 1n) / FEE_PRECISION;
  return fee > U64_MAX ? null : fee;
}

/** `compute_fee`: the fee to add to a fee-exclusive amount, rounded up. */
export function feeOnExcludedAmount(amount: bigint, rate: bigint): bigint | null {
  const denominator = FEE_PRECISION - rate;
  const fee = (amount * rate + denominator - 1n) / denominator;
  return fee > U64_MAX ? null : fee;
}

/**
 * `split_fee`: the protocol's part of a bin's trading fee. The part earned by market makers
 * (pro rata to their input, rounded up) pays `protocol_share`; the rest, earned by limit orders,
 * is halved between the order owners and the protocol.
 */
export function protocolFeeOf(
  tradingFee: bigint,
  protocolShare: number,
  mmAmountIn: bigint,
  totalAmountIn: bigint,
): bigint {
  if (totalAmountIn === 0n || tradingFee === 0n) return 0n;
  const mmFee = (tradingFee * mmAmountIn + totalAmountIn - 1n) / totalAmountIn;
  const loFee = tradingFee - mmFee;
  const loProtocolFee = loFee - (loFee * LIMIT_ORDER_FEE_SHARE) / BASIS_POINT_MAX;
  return loProtocolFee + (mmFee * BigInt(protocolShare)) / BASIS_POINT_MAX;
}
