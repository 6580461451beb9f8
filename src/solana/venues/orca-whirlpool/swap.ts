import type { Address } from '@solana/kit';
import type { SwapDirection } from '../../../market/types.js';
import { type AdaptiveFeeInfo, FeeRateManager } from './adaptive-fee.js';
import type { Oracle, Tick, TickArray, Whirlpool, WhirlpoolRewardInfo } from './layout.js';
import { computeSwapStep } from './swap-step.js';
import {
  MAX_SQRT_PRICE_X64,
  MIN_SQRT_PRICE_X64,
  sqrtPriceFromTickIndex,
  tickIndexFromSqrtPrice,
} from './tick-math.js';
import { SwapTickSequence } from './tick-sequence.js';
import { fail, maxOf, minOf, U64_MAX, U128_MAX, WhirlpoolProgramError } from './token-math.js';

/**
 * An exact-in `swap_v2` with no explicit price limit, as orca-so/whirlpools
 * `manager/swap_manager.rs` `swap` runs it: step from the current price to the next initialised
 * tick (or tick-group boundary, for an adaptive fee), each step's fee at the rate of that moment,
 * the protocol's share (`fee · protocol_fee_rate / 10⁴`, floored) taken out before the rest grows
 * `fee_growth_global` by `fee · 2⁶⁴ / L`; crossing a tick adds its `liquidity_net` (negated going
 * left) and flips its fee and reward growth "outside". The payer's output and fee do not depend on
 * the protocol fee; the pool's fee growth does.
 */

export interface WhirlpoolPool {
  readonly address: Address;
  readonly whirlpool: Whirlpool;
  /**
   * Tick arrays by start tick index, around the current price: `null` where the PDA holds no
   * account (the program reads such an array as all-zero ticks).
   */
  readonly tickArrays: ReadonlyMap<number, TickArray | null>;
  /** The pool's Oracle, present exactly when it was created with an adaptive fee tier. */
  readonly oracle: Oracle | null;
}

/** The quote, and the state the program writes after it (for `apply`). */
export interface WhirlpoolSwap {
  readonly ok: true;
  readonly direction: SwapDirection;
  readonly amountIn: bigint;
  readonly amountOut: bigint;
  /** Every step's fee, protocol share included: what the payer paid over the curve's price. */
  readonly fee: bigint;
  readonly protocolFee: bigint;
  readonly next: {
    readonly liquidity: bigint;
    readonly tickIndex: number;
    readonly sqrtPrice: bigint;
    readonly feeGrowthGlobal: bigint;
    readonly rewardInfos: readonly WhirlpoolRewardInfo[];
    readonly rewardLastUpdatedTimestamp: bigint;
    readonly adaptiveFee: AdaptiveFeeInfo | undefined;
    readonly tickArrays: readonly TickArray[];
  };
}

export interface WhirlpoolRefused {
  readonly ok: false;
  /** The program's `ErrorCode` name; `ArithmeticAbort` for a panic. */
  readonly refusal: string;
}

const PROTOCOL_FEE_RATE_MUL_VALUE = 10_000n;

export function isAdaptiveFeePool(w: Whirlpool): boolean {
  const index = (w.feeTierIndexSeed[0] ?? 0) | ((w.feeTierIndexSeed[1] ?? 0) << 8);
  return index !== w.tickSpacing;
}

export function adaptiveFeeInfoOf(oracle: Oracle): AdaptiveFeeInfo {
  return { constants: oracle.adaptiveFeeConstants, variables: oracle.adaptiveFeeVariables };
}

const initialized = (r: WhirlpoolRewardInfo) => r.mint !== '11111111111111111111111111111111';

/** `next_whirlpool_reward_infos` (whirlpool_manager.rs). */
function nextRewardInfos(w: Whirlpool, now: bigint): readonly WhirlpoolRewardInfo[] {
  if (now < w.rewardLastUpdatedTimestamp) fail('InvalidTimestamp');
  if (w.liquidity === 0n || now === w.rewardLastUpdatedTimestamp) return w.rewardInfos;
  const delta = now - w.rewardLastUpdatedTimestamp;
  return w.rewardInfos.map((r) => {
    if (!initialized(r)) return r;
    const p = delta * r.emissionsPerSecondX64;
    // An overflowing delta halts the reward rather than failing the swap.
    const growth = p > U128_MAX ? 0n : p / w.liquidity;
    return { ...r, growthGlobalX64: (r.growthGlobalX64 + growth) & U128_MAX };
  });
}

/** `add_liquidity_delta`, with the i128 negation of a release build for A→B. */
function crossLiquidity(liquidity: bigint, net: bigint, aToB: boolean): bigint {
  let delta = aToB ? -net : net;
  if (delta === 1n << 127n) delta = -(1n << 127n);
  const next = liquidity + delta;
  if (next > U128_MAX) fail('LiquidityOverflow');
  if (next < 0n) fail('LiquidityUnderflow');
  return next;
}

/** `next_tick_cross_update`: growth "outside" flips to global − outside (wrapping). */
function crossedTick(
  tick: Tick,
  feeGrowthA: bigint,
  feeGrowthB: bigint,
  rewards: readonly WhirlpoolRewardInfo[],
): Tick {
  return {
    ...tick,
    feeGrowthOutsideA: (feeGrowthA - tick.feeGrowthOutsideA) & U128_MAX,
    feeGrowthOutsideB: (feeGrowthB - tick.feeGrowthOutsideB) & U128_MAX,
    rewardGrowthsOutside: tick.rewardGrowthsOutside.map((g, i) => {
      const r = rewards[i];
      return r !== undefined && initialized(r) ? (r.growthGlobalX64 - g) & U128_MAX : g;
    }),
  };
}

function runSwap(pool: WhirlpoolPool, aToB: boolean, amount: bigint, now: bigint): WhirlpoolSwap {
  const w = pool.whirlpool;
  if (now < 0n) fail('InvalidTimestampConversion');
  const sequence = new SwapTickSequence(pool.tickArrays, w.tickCurrentIndex, w.tickSpacing, aToB);
  if (pool.oracle !== null && pool.oracle.tradeEnableTimestamp > now) fail('TradeIsNotEnabled');
  const limit = aToB ? MIN_SQRT_PRICE_X64 : MAX_SQRT_PRICE_X64;
  if ((aToB && limit >= w.sqrtPrice) || (!aToB && limit <= w.sqrtPrice)) {
    fail('InvalidSqrtPriceLimitDirection');
  }
  if (amount === 0n) fail('ZeroTradableAmount');
  const rewards = nextRewardInfos(w, now);
  const fees = new FeeRateManager(
    aToB,
    w.tickCurrentIndex,
    now,
    w.feeRate,
    pool.oracle === null ? undefined : adaptiveFeeInfoOf(pool.oracle),
  );

  let remaining = amount;
  let calculated = 0n;
  let sqrtPrice = w.sqrtPrice;
  let tickIndex = w.tickCurrentIndex;
  let liquidity = w.liquidity;
  let protocolFee = 0n;
  let arrayIndex = 0;
  let feeGrowth = aToB ? w.feeGrowthGlobalA : w.feeGrowthGlobalB;
  let feeSum = 0n;

  while (remaining > 0n && limit !== sqrtPrice) {
    const [nextArrayIndex, nextTickIndex] = sequence.nextInitializedTickIndex(
      tickIndex,
      aToB,
      arrayIndex,
    );
    const nextTickSqrtPrice = sqrtPriceFromTickIndex(nextTickIndex);
    const target = aToB ? maxOf(nextTickSqrtPrice, limit) : minOf(nextTickSqrtPrice, limit);
    for (;;) {
      fees.updateVolatilityAccumulator();
      const rate = fees.totalFeeRate();
      const [bounded, skipped] = fees.boundedSqrtPriceTarget(target, liquidity);
      const step = computeSwapStep(remaining, rate, liquidity, sqrtPrice, bounded, aToB);
      remaining -= step.amountIn;
      if (remaining < 0n) fail('AmountRemainingOverflow');
      remaining -= step.feeAmount;
      if (remaining < 0n) fail('AmountRemainingOverflow');
      calculated += step.amountOut;
      if (calculated > U64_MAX) fail('AmountCalcOverflow');
      feeSum += step.feeAmount;
      if (feeSum > U64_MAX) fail('AmountCalcOverflow');

      let lpFee = step.feeAmount;
      if (w.protocolFeeRate > 0) {
        const delta = (lpFee * BigInt(w.protocolFeeRate)) / PROTOCOL_FEE_RATE_MUL_VALUE;
        lpFee -= delta;
        protocolFee = (protocolFee + delta) & U64_MAX;
      }
      if (liquidity > 0n) feeGrowth = (feeGrowth + (lpFee << 64n) / liquidity) & U128_MAX;

      if (step.nextPrice === nextTickSqrtPrice) {
        const tick = sequence.tick(nextArrayIndex, nextTickIndex);
        if (tick?.initialized) {
          const [growthA, growthB] = aToB
            ? [feeGrowth, w.feeGrowthGlobalB]
            : [w.feeGrowthGlobalA, feeGrowth];
          const update = crossedTick(tick, growthA, growthB, rewards);
          liquidity = crossLiquidity(liquidity, tick.liquidityNet, aToB);
          sequence.updateTick(nextArrayIndex, nextTickIndex, update);
        }
        const offset = sequence.tickOffset(nextArrayIndex, nextTickIndex);
        arrayIndex =
          (aToB && offset === 0) || (!aToB && offset === 87) ? nextArrayIndex + 1 : nextArrayIndex;
        // The A→B search includes its start, so step one tick left of the crossed one.
        tickIndex = aToB ? nextTickIndex - 1 : nextTickIndex;
      } else if (step.nextPrice !== sqrtPrice) {
        tickIndex = tickIndexFromSqrtPrice(step.nextPrice);
      }
      sqrtPrice = step.nextPrice;
      if (!skipped) fees.advanceTickGroup();
      else fees.advanceTickGroupAfterSkip(sqrtPrice, nextTickSqrtPrice, nextTickIndex);
      if (remaining === 0n || sqrtPrice === target) break;
    }
  }

  const adaptiveFee = fees.finish(now, w.sqrtPrice, sqrtPrice);
  return {
    ok: true,
    direction: aToB ? 'aToB' : 'bToA',
    amountIn: amount - remaining,
    amountOut: calculated,
    fee: feeSum,
    protocolFee,
    next: {
      liquidity,
      tickIndex,
      sqrtPrice,
      feeGrowthGlobal: feeGrowth,
      rewardInfos: rewards,
      rewardLastUpdatedTimestamp: now,
      adaptiveFee,
      tickArrays: sequence.updatedArrays(),
    },
  };
}

/** The swap as the program runs it, a zero output included (the differential test compares it). */
export function simulateSwap(
  pool: WhirlpoolPool,
  direction: SwapDirection,
  amountIn: bigint,
  unixTimestamp: bigint,
): WhirlpoolSwap | WhirlpoolRefused {
  if (amountIn < 0n || amountIn > U64_MAX) return { ok: false, refusal: 'InvalidInput' };
  try {
    return runSwap(pool, direction === 'aToB', amountIn, unixTimestamp);
  } catch (e) {
    if (e instanceof WhirlpoolProgramError) return { ok: false, refusal: e.code };
    // Anything else is a bug here, not a program outcome: surface it.
    throw e;
  }
}

/** The pool as the program leaves it after `swap` lands (`update_after_swap`, oracle, ticks). */
export function afterSwap(pool: WhirlpoolPool, swap: WhirlpoolSwap): WhirlpoolPool {
  const w = pool.whirlpool;
  const aToB = swap.direction === 'aToB';
  const n = swap.next;
  const whirlpool: Whirlpool = {
    ...w,
    liquidity: n.liquidity,
    tickCurrentIndex: n.tickIndex,
    sqrtPrice: n.sqrtPrice,
    rewardInfos: n.rewardInfos,
    rewardLastUpdatedTimestamp: n.rewardLastUpdatedTimestamp,
    ...(aToB
      ? {
          feeGrowthGlobalA: n.feeGrowthGlobal,
          protocolFeeOwedA: (w.protocolFeeOwedA + swap.protocolFee) & U64_MAX,
        }
      : {
          feeGrowthGlobalB: n.feeGrowthGlobal,
          protocolFeeOwedB: (w.protocolFeeOwedB + swap.protocolFee) & U64_MAX,
        }),
  };
  const tickArrays = new Map(pool.tickArrays);
  for (const t of n.tickArrays) tickArrays.set(t.startTickIndex, t);
  const oracle =
    pool.oracle !== null && n.adaptiveFee !== undefined
      ? {
          ...pool.oracle,
          adaptiveFeeVariables: { ...pool.oracle.adaptiveFeeVariables, ...n.adaptiveFee.variables },
        }
      : pool.oracle;
  return { ...pool, whirlpool, tickArrays, oracle };
}
