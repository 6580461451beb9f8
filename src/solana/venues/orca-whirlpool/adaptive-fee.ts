import {
  floorDivision,
  MAX_TICK_INDEX,
  MIN_TICK_INDEX,
  sqrtPriceFromTickIndex,
  tickIndexFromSqrtPrice,
} from './tick-math.js';
import { fail, maxOf, U128_MAX } from './token-math.js';

/**
 * The adaptive (volatility) fee of an Orca pool created from an adaptive fee tier, as
 * orca-so/whirlpools `manager/fee_rate_manager.rs` and `state/oracle.rs` compute it. The price
 * range is cut into tick groups of `tick_group_size` ticks; each group a swap moves away from the
 * reference group adds 10 000 to the volatility accumulator (capped at
 * `max_volatility_accumulator`), and the fee added to the static rate is
 * `⌈control · (acc · group_size)² / (10⁵ · 10⁸)⌉` ppm, the total capped at 10 %. So the swap loop
 * steps at most one tick group at a time, except where the accumulator cannot change (outside the
 * "core" range around the reference, zero liquidity, a zero control factor), where it skips ahead.
 * Between swaps the reference decays: unchanged inside `filter_period`, the accumulator times
 * `reduction_factor / 10⁴` inside `decay_period`, reset after it or after an hour.
 */

export const VOLATILITY_ACCUMULATOR_SCALE_FACTOR = 10_000;
export const REDUCTION_FACTOR_DENOMINATOR = 10_000;
export const ADAPTIVE_FEE_CONTROL_FACTOR_DENOMINATOR = 100_000;
export const MAX_REFERENCE_AGE = 3_600n;
export const FEE_RATE_HARD_LIMIT = 100_000;

export interface AdaptiveFeeConstants {
  readonly filterPeriod: number;
  readonly decayPeriod: number;
  readonly reductionFactor: number;
  readonly adaptiveFeeControlFactor: number;
  readonly maxVolatilityAccumulator: number;
  readonly tickGroupSize: number;
  readonly majorSwapThresholdTicks: number;
}

export interface AdaptiveFeeVariables {
  readonly lastReferenceUpdateTimestamp: bigint;
  readonly lastMajorSwapTimestamp: bigint;
  readonly volatilityReference: number;
  readonly tickGroupIndexReference: number;
  readonly volatilityAccumulator: number;
}

export interface AdaptiveFeeInfo {
  readonly constants: AdaptiveFeeConstants;
  readonly variables: AdaptiveFeeVariables;
}

/** `AdaptiveFeeVariables::update_reference`, at the start of a swap. */
function updateReference(
  v: AdaptiveFeeVariables,
  tickGroupIndex: number,
  now: bigint,
  c: AdaptiveFeeConstants,
): AdaptiveFeeVariables {
  const latest = maxOf(v.lastReferenceUpdateTimestamp, v.lastMajorSwapTimestamp);
  if (now < latest) fail('InvalidTimestamp');
  const reset = {
    ...v,
    tickGroupIndexReference: tickGroupIndex,
    volatilityReference: 0,
    lastReferenceUpdateTimestamp: now,
  };
  if (now - v.lastReferenceUpdateTimestamp > MAX_REFERENCE_AGE) return reset;
  const elapsed = now - latest;
  if (elapsed < BigInt(c.filterPeriod)) return v;
  if (elapsed < BigInt(c.decayPeriod)) {
    return {
      ...reset,
      volatilityReference: Math.floor(
        (v.volatilityAccumulator * c.reductionFactor) / REDUCTION_FACTOR_DENOMINATOR,
      ),
    };
  }
  return reset;
}

function accumulatorAt(v: AdaptiveFeeVariables, group: number, c: AdaptiveFeeConstants): number {
  const delta = Math.abs(v.tickGroupIndexReference - group);
  const acc = v.volatilityReference + delta * VOLATILITY_ACCUMULATOR_SCALE_FACTOR;
  return Math.min(acc, c.maxVolatilityAccumulator);
}

/** `compute_adaptive_fee_rate` (u32 · u16 product squared in u64, ceiling division in u128). */
export function adaptiveFeeRate(c: AdaptiveFeeConstants, volatilityAccumulator: number): number {
  const crossed = BigInt((volatilityAccumulator * c.tickGroupSize) >>> 0);
  const numerator = BigInt(c.adaptiveFeeControlFactor) * crossed * crossed;
  const denominator =
    BigInt(ADAPTIVE_FEE_CONTROL_FACTOR_DENOMINATOR) *
    BigInt(VOLATILITY_ACCUMULATOR_SCALE_FACTOR) *
    BigInt(VOLATILITY_ACCUMULATOR_SCALE_FACTOR);
  const rate = (numerator + denominator - 1n) / denominator;
  return rate > BigInt(FEE_RATE_HARD_LIMIT) ? FEE_RATE_HARD_LIMIT : Number(rate);
}

/** `is_major_swap`: the price moved at least `major_swap_threshold_ticks` either way. */
function isMajorSwap(pre: bigint, post: bigint, thresholdTicks: number): boolean {
  const [smaller, larger] = pre > post ? [post, pre] : [pre, post];
  const target = (smaller * sqrtPriceFromTickIndex(thresholdTicks)) >> 64n;
  if (target > U128_MAX) fail('NumberDownCastError');
  return larger >= target;
}

/**
 * The "core" tick group range of `FeeRateManager::new` (fee_rate_manager.rs:62-79): outside it the
 * accumulator sits at its cap, so a swap may skip ahead.
 */
export function coreTickGroupRange(c: AdaptiveFeeConstants, v: AdaptiveFeeVariables) {
  // u32 subtraction in a release build: wraps where the reference exceeds the cap.
  const headroom = (c.maxVolatilityAccumulator - v.volatilityReference) >>> 0;
  const maxDelta = Math.ceil(headroom / VOLATILITY_ACCUMULATOR_SCALE_FACTOR);
  const lowerIndex = v.tickGroupIndexReference - maxDelta;
  const upperIndex = v.tickGroupIndexReference + maxDelta;
  const lowerTick = lowerIndex * c.tickGroupSize;
  const upperTick = upperIndex * c.tickGroupSize + c.tickGroupSize;
  return { lowerIndex, upperIndex, lowerTick, upperTick };
}

/** The variables a swap at `now` from `currentTickIndex` prices with (`update_reference` applied). */
export function referenceAt(info: AdaptiveFeeInfo, currentTickIndex: number, now: bigint) {
  const group = floorDivision(currentTickIndex, info.constants.tickGroupSize);
  return updateReference(info.variables, group, now, info.constants);
}

/**
 * `FeeRateManager`: the fee rate of each step of one swap. Static pools carry no state; an
 * adaptive pool's manager is mutable for the length of one swap (as the program's is), never
 * beyond it.
 */
export class FeeRateManager {
  private tickGroupIndex = 0;
  private variables: AdaptiveFeeVariables | undefined;
  private lowerBound: [number, bigint] | undefined;
  private upperBound: [number, bigint] | undefined;

  constructor(
    private readonly aToB: boolean,
    currentTickIndex: number,
    now: bigint,
    private readonly staticFeeRate: number,
    private readonly adaptive: AdaptiveFeeInfo | undefined,
  ) {
    if (adaptive === undefined) return;
    const c = adaptive.constants;
    this.tickGroupIndex = floorDivision(currentTickIndex, c.tickGroupSize);
    const v = updateReference(adaptive.variables, this.tickGroupIndex, now, c);
    this.variables = v;
    const { lowerIndex, upperIndex, lowerTick, upperTick } = coreTickGroupRange(c, v);
    // Only the MIN side is checked (fee_rate_manager.rs:81-91): a lower bound tick above
    // MAX_TICK_INDEX (a reference group beyond the last tick) aborts in sqrt_price_from_tick_index.
    if (lowerTick > MIN_TICK_INDEX)
      this.lowerBound = [lowerIndex, sqrtPriceFromTickIndex(lowerTick)];
    if (upperTick < MAX_TICK_INDEX)
      this.upperBound = [upperIndex, sqrtPriceFromTickIndex(upperTick)];
  }

  updateVolatilityAccumulator(): void {
    const v = this.variables;
    if (v === undefined || this.adaptive === undefined) return;
    const acc = accumulatorAt(v, this.tickGroupIndex, this.adaptive.constants);
    this.variables = { ...v, volatilityAccumulator: acc };
  }

  totalFeeRate(): number {
    const v = this.variables;
    if (v === undefined || this.adaptive === undefined) return this.staticFeeRate;
    const total =
      this.staticFeeRate + adaptiveFeeRate(this.adaptive.constants, v.volatilityAccumulator);
    return Math.min(total, FEE_RATE_HARD_LIMIT);
  }

  /** `get_bounded_sqrt_price_target`: `[target, skipped]`. */
  boundedSqrtPriceTarget(sqrtPrice: bigint, liquidity: bigint): [bigint, boolean] {
    if (this.adaptive === undefined) return [sqrtPrice, false];
    const c = this.adaptive.constants;
    if (c.adaptiveFeeControlFactor === 0 || liquidity === 0n) return [sqrtPrice, true];
    const g = this.tickGroupIndex;
    if (this.lowerBound !== undefined && g < this.lowerBound[0]) {
      return this.aToB
        ? [sqrtPrice, true]
        : [sqrtPrice < this.lowerBound[1] ? sqrtPrice : this.lowerBound[1], true];
    }
    if (this.upperBound !== undefined && g > this.upperBound[0]) {
      return this.aToB
        ? [sqrtPrice > this.upperBound[1] ? sqrtPrice : this.upperBound[1], true]
        : [sqrtPrice, true];
    }
    const boundaryTick = this.aToB ? g * c.tickGroupSize : g * c.tickGroupSize + c.tickGroupSize;
    const boundary = sqrtPriceFromTickIndex(
      Math.min(Math.max(boundaryTick, MIN_TICK_INDEX), MAX_TICK_INDEX),
    );
    if (this.aToB) return [sqrtPrice > boundary ? sqrtPrice : boundary, false];
    return [sqrtPrice < boundary ? sqrtPrice : boundary, false];
  }

  advanceTickGroup(): void {
    if (this.adaptive !== undefined) this.tickGroupIndex += this.aToB ? -1 : 1;
  }

  advanceTickGroupAfterSkip(sqrtPrice: bigint, nextTickSqrtPrice: bigint, nextTickIndex: number) {
    if (this.adaptive === undefined) return;
    const size = this.adaptive.constants.tickGroupSize;
    let tickIndex: number;
    let onBoundary: boolean;
    if (sqrtPrice === nextTickSqrtPrice) {
      tickIndex = nextTickIndex;
      onBoundary = nextTickIndex % size === 0;
    } else {
      tickIndex = tickIndexFromSqrtPrice(sqrtPrice);
      onBoundary = tickIndex % size === 0 && sqrtPrice === sqrtPriceFromTickIndex(tickIndex);
    }
    const lastTraversed =
      onBoundary && !this.aToB ? tickIndex / size - 1 : floorDivision(tickIndex, size);
    if (
      (this.aToB && lastTraversed < this.tickGroupIndex) ||
      (!this.aToB && lastTraversed > this.tickGroupIndex)
    ) {
      this.tickGroupIndex = lastTraversed;
      this.updateVolatilityAccumulator();
    }
    this.tickGroupIndex += this.aToB ? -1 : 1;
  }

  /** `update_major_swap_timestamp`, then the variables the swap writes back to the oracle. */
  finish(now: bigint, preSqrtPrice: bigint, postSqrtPrice: bigint): AdaptiveFeeInfo | undefined {
    const v = this.variables;
    if (v === undefined || this.adaptive === undefined) return undefined;
    const c = this.adaptive.constants;
    const major = isMajorSwap(preSqrtPrice, postSqrtPrice, c.majorSwapThresholdTicks);
    return { constants: c, variables: major ? { ...v, lastMajorSwapTimestamp: now } : v };
  }
}
