import type { OracleFacade, TickArrayFacade, WhirlpoolFacade } from '@orca-so/whirlpools-core';
import { Rng } from '../../random/rng.js';
import {
  coreTickGroupRange,
  referenceAt,
} from '../../solana/venues/orca-whirlpool/adaptive-fee.js';
import type { TickArray } from '../../solana/venues/orca-whirlpool/layout.js';
import { adaptiveFeeInfoOf, simulateSwap } from '../../solana/venues/orca-whirlpool/swap.js';
import {
  MAX_SQRT_PRICE_X64,
  MAX_TICK_INDEX,
  TICK_ARRAY_SIZE,
} from '../../solana/venues/orca-whirlpool/tick-math.js';
import { swapStartTickIndexes } from '../../solana/venues/orca-whirlpool/tick-sequence.js';
import type { BenchRow } from '../harness.js';
import { rngDraw } from './amm-v4-parity-cases.js';
import { randomWhirlpoolCase, type WhirlpoolCase } from './whirlpool-parity-cases.js';

/**
 * Differential check of the Orca Whirlpool venue against `swapQuoteByInputToken` of
 * @orca-so/whirlpools-core (Orca's Rust swap maths compiled to WASM; a dev dependency, loaded only
 * here). Each case hands the core the tick arrays the program's swap would walk (those
 * `sparse_swap.rs` picks from the current tick, an absent account as zeroed ticks) and the oracle;
 * amount in, amount out and fee must be identical, and where the core refuses Landfall must
 * refuse with a program error of the same kind. The core checks less than the program (not the
 * trade-enable time, not the reward timestamp), so cases keep those valid; none of Landfall's
 * refusals is then program-only, and any refusal the core does not share is a mismatch.
 */

type Core = typeof import('@orca-so/whirlpools-core');

export interface WhirlpoolParityReport {
  readonly cases: number;
  /** Both quoted: amount in, amount out and fee compared. */
  readonly quoted: number;
  /** Of those, swaps that crossed at least one initialised tick. */
  readonly crossedTicks: number;
  /** Of those, on pools with an adaptive fee. */
  readonly adaptive: number;
  /** Of those, that ran into a second or third tick array. */
  readonly multiArray: number;
  /** Of those, at the fee rate's edges: 0, the 6 % maximum, and the 25 % protocol share. */
  readonly feeRateZero: number;
  readonly feeRateMax: number;
  readonly protocolFeeMax: number;
  /** Both refused, with errors of the same kind. */
  readonly refusalsCompared: number;
  /**
   * Landfall refused `MultiplicationOverflow` where the core quoted: the program's
   * `checked_shift_word_left` refuses L·Δ√P (or L·√P) of 2¹⁹² or more, the core's ethnum
   * `checked_shl(64)` drops those bits silently. Counted only where the pool's liquidity can reach
   * that product; anywhere else it is a mismatch.
   */
  readonly coreUncheckedShift: number;
  /**
   * Landfall refused `ArithmeticAbort` (a program panic) on an adaptive pool whose fee manager's
   * core-range lower bound tick lies above MAX_TICK_INDEX (a volatility reference group beyond the
   * last tick): `FeeRateManager::new` (programs/whirlpool/src/manager/fee_rate_manager.rs:81-91)
   * guards that tick only against MIN_TICK_INDEX, and the program's `sqrt_price_from_tick_index`
   * unwraps a u128 overflow there (math/tick_math.rs:98-100), so the swap panics; the core's copy
   * truncates (`as_u128()`, rust-sdk/core/src/math/tick.rs:323-326) and prices the swap against a
   * garbage bound. Counted only under exactly that condition, whatever the core answered.
   */
  readonly coreTruncatedTickPrice: number;
  readonly refusals: Readonly<Record<string, number>>;
  readonly mismatches: number;
  readonly firstMismatch: string | null;
}

/** Core error → the program errors of that kind. */
const SAME_KIND: Record<string, readonly string[]> = {
  'Invalid tick array sequence': ['TickArraySequenceInvalidIndex', 'InvalidTickArraySequence'],
  'Zero tradable amount': ['ZeroTradableAmount'],
  'Invalid sqrt price limit direction': ['InvalidSqrtPriceLimitDirection'],
  'Invalid timestamp': ['InvalidTimestamp'],
  'Sqrt price out of bounds': ['TokenMinSubceeded', 'TokenMaxExceeded', 'SqrtPriceOutOfBounds'],
  'Amount exceeds max u64': [
    'TokenMaxExceeded',
    'NumberDownCastError',
    'NumberCastError',
    'MultiplicationShiftRightOverflow',
    'MultiplicationOverflow',
  ],
  'Arithmetic over- or underflow': [
    'AmountRemainingOverflow',
    'AmountCalcOverflow',
    'MultiplicationOverflow',
    'MulDivOverflow',
    'NumberCastError',
    'NumberDownCastError',
    'LiquidityOverflow',
    'LiquidityUnderflow',
  ],
};

let core: Promise<Core> | undefined;
export const loadWhirlpoolCore = (): Promise<Core> => {
  core ??= import('@orca-so/whirlpools-core');
  return core;
};

const facadeTicks = (t: TickArray | null, start: number): TickArrayFacade => ({
  startTickIndex: start,
  ticks: Array.from({ length: TICK_ARRAY_SIZE }, (_, i) => {
    const tick = t?.ticks[i];
    return {
      initialized: tick?.initialized ?? false,
      liquidityNet: tick?.liquidityNet ?? 0n,
      liquidityGross: tick?.liquidityGross ?? 0n,
      feeGrowthOutsideA: tick?.feeGrowthOutsideA ?? 0n,
      feeGrowthOutsideB: tick?.feeGrowthOutsideB ?? 0n,
      rewardGrowthsOutside: [...(tick?.rewardGrowthsOutside ?? [0n, 0n, 0n])],
    };
  }),
});

/** The arrays the program's swap walks, as the core takes them. */
function sequenceFacades(c: WhirlpoolCase): TickArrayFacade[] {
  const w = c.pool.whirlpool;
  const out: TickArrayFacade[] = [];
  for (const start of swapStartTickIndexes(
    w.tickCurrentIndex,
    w.tickSpacing,
    c.direction === 'aToB',
  )) {
    const t = c.pool.tickArrays.get(start);
    if (t === undefined) break;
    out.push(facadeTicks(t, start));
  }
  return out;
}

function whirlpoolFacade(c: WhirlpoolCase): WhirlpoolFacade {
  const w = c.pool.whirlpool;
  return {
    feeTierIndexSeed: w.feeTierIndexSeed,
    tickSpacing: w.tickSpacing,
    feeRate: w.feeRate,
    protocolFeeRate: w.protocolFeeRate,
    liquidity: w.liquidity,
    sqrtPrice: w.sqrtPrice,
    tickCurrentIndex: w.tickCurrentIndex,
    feeGrowthGlobalA: w.feeGrowthGlobalA,
    feeGrowthGlobalB: w.feeGrowthGlobalB,
    rewardLastUpdatedTimestamp: w.rewardLastUpdatedTimestamp,
    rewardInfos: w.rewardInfos.map((r) => ({
      emissionsPerSecondX64: r.emissionsPerSecondX64,
      growthGlobalX64: r.growthGlobalX64,
    })),
  };
}

function oracleFacade(c: WhirlpoolCase): OracleFacade | null {
  const o = c.pool.oracle;
  if (o === null) return null;
  const { reserved: _c, ...constants } = o.adaptiveFeeConstants;
  const { reserved: _v, ...variables } = o.adaptiveFeeVariables;
  return {
    tradeEnableTimestamp: o.tradeEnableTimestamp,
    adaptiveFeeConstants: constants,
    adaptiveFeeVariables: variables,
  };
}

type Counts = {
  -readonly [K in keyof Omit<
    WhirlpoolParityReport,
    'cases' | 'mismatches' | 'firstMismatch' | 'refusals'
  >]: number;
};

/** null when Landfall and the core agree on `c`, else why not. */
export function compareWhirlpoolCase(
  s: Core,
  c: WhirlpoolCase,
  counts: Counts,
  refusals: Record<string, number>,
): string | null {
  const mine = simulateSwap(c.pool, c.direction, c.amountIn, c.unixTimestamp);
  if (!mine.ok && mine.refusal === 'ArithmeticAbort' && lowerBoundAboveMaxTick(c)) {
    counts.coreTruncatedTickPrice++;
    return null;
  }
  let theirs: ReturnType<Core['swapQuoteByInputToken']> | string;
  try {
    theirs = s.swapQuoteByInputToken(
      c.amountIn,
      c.direction === 'aToB',
      0,
      whirlpoolFacade(c),
      oracleFacade(c),
      sequenceFacades(c),
      c.unixTimestamp,
    );
  } catch (e) {
    theirs = typeof e === 'string' ? e : `panic: ${String(e)}`;
  }
  if (typeof theirs === 'string') {
    if (mine.ok) return `core refused "${theirs}", Landfall quoted ${mine.amountOut}`;
    if (!(SAME_KIND[theirs] ?? []).includes(mine.refusal)) {
      return `core refused "${theirs}", Landfall refused ${mine.refusal}`;
    }
    counts.refusalsCompared++;
    const key = `${mine.refusal} / ${theirs}`;
    refusals[key] = (refusals[key] ?? 0) + 1;
    return null;
  }
  if (!mine.ok) {
    if (
      mine.refusal === 'MultiplicationOverflow' &&
      reachableLiquidity(c) * MAX_SQRT_PRICE_X64 >= 1n << 192n
    ) {
      counts.coreUncheckedShift++;
      return null;
    }
    return `Landfall refused ${mine.refusal}, core quoted ${theirs.tokenEstOut}`;
  }
  counts.quoted++;
  if (mine.next.tickArrays.length > 0) counts.crossedTicks++;
  if (c.pool.oracle !== null) counts.adaptive++;
  const w = c.pool.whirlpool;
  if (w.feeRate === 0) counts.feeRateZero++;
  if (w.feeRate === 60_000) counts.feeRateMax++;
  if (w.protocolFeeRate === 2_500) counts.protocolFeeMax++;
  const ticksInArray = TICK_ARRAY_SIZE * w.tickSpacing;
  if (
    Math.floor(mine.next.tickIndex / ticksInArray) !== Math.floor(w.tickCurrentIndex / ticksInArray)
  ) {
    counts.multiArray++;
  }
  if (mine.amountIn !== theirs.tokenIn)
    return `amountIn ${mine.amountIn} vs core ${theirs.tokenIn}`;
  if (mine.amountOut !== theirs.tokenEstOut)
    return `amountOut ${mine.amountOut} vs core ${theirs.tokenEstOut}`;
  if (mine.fee !== theirs.tradeFee) return `fee ${mine.fee} vs core ${theirs.tradeFee}`;
  return null;
}

/** See `coreTruncatedTickPrice`: the program's `FeeRateManager::new` panics on this pool. */
function lowerBoundAboveMaxTick(c: WhirlpoolCase): boolean {
  const o = c.pool.oracle;
  if (o === null) return false;
  const info = adaptiveFeeInfoOf(o);
  const v = referenceAt(info, c.pool.whirlpool.tickCurrentIndex, c.unixTimestamp);
  return coreTickGroupRange(info.constants, v).lowerTick > MAX_TICK_INDEX;
}

/** An upper bound on the liquidity a swap can reach: the pool's plus every tick's |net|. */
function reachableLiquidity(c: WhirlpoolCase): bigint {
  let sum = c.pool.whirlpool.liquidity;
  for (const t of c.pool.tickArrays.values()) {
    for (const tick of t?.ticks ?? [])
      sum += tick.liquidityNet < 0n ? -tick.liquidityNet : tick.liquidityNet;
  }
  return sum;
}

export function emptyCounts(): Counts {
  return {
    quoted: 0,
    crossedTicks: 0,
    adaptive: 0,
    multiArray: 0,
    feeRateZero: 0,
    feeRateMax: 0,
    protocolFeeMax: 0,
    refusalsCompared: 0,
    coreUncheckedShift: 0,
    coreTruncatedTickPrice: 0,
  };
}

/** Prices `cases` seeded random swaps with both; deterministic for a given seed. */
export async function whirlpoolCoreParity(
  cases: number,
  seed = 25,
): Promise<WhirlpoolParityReport> {
  const s = await loadWhirlpoolCore();
  const draw = rngDraw(Rng.stream(seed, 'whirlpool-core-parity'));
  const counts = emptyCounts();
  const refusals: Record<string, number> = {};
  let mismatches = 0;
  let firstMismatch: string | null = null;
  for (let i = 0; i < cases; i++) {
    const c = randomWhirlpoolCase(draw);
    const why = compareWhirlpoolCase(s, c, counts, refusals);
    if (why === null) continue;
    mismatches++;
    firstMismatch ??= `case ${i} (${c.direction} ${c.amountIn}): ${why}`;
  }
  return { cases, mismatches, firstMismatch, refusals, ...counts };
}

/** About 15 s; the unit test runs its own 10 000 through fast-check. */
const BENCH_CASES = 12_000;

/** The `whirlpool.sdk_parity` rows of the `solana` suite: `mismatches` must read 0. */
export async function whirlpoolParityRows(): Promise<BenchRow[]> {
  const r = await whirlpoolCoreParity(BENCH_CASES);
  const name = 'whirlpool.sdk_parity';
  return [
    { name, metric: 'mismatches', value: r.mismatches, unit: 'cases' },
    { name, metric: 'cases', value: r.cases, unit: 'cases' },
    { name, metric: 'quoted', value: r.quoted, unit: 'cases' },
    { name, metric: 'crossed_ticks', value: r.crossedTicks, unit: 'cases' },
    { name, metric: 'multi_array', value: r.multiArray, unit: 'cases' },
    { name, metric: 'adaptive', value: r.adaptive, unit: 'cases' },
    { name, metric: 'fee_rate_zero', value: r.feeRateZero, unit: 'cases' },
    { name, metric: 'fee_rate_max', value: r.feeRateMax, unit: 'cases' },
    { name, metric: 'protocol_fee_max', value: r.protocolFeeMax, unit: 'cases' },
    { name, metric: 'refusals_compared', value: r.refusalsCompared, unit: 'cases' },
    { name, metric: 'core_unchecked_shift', value: r.coreUncheckedShift, unit: 'cases' },
    { name, metric: 'core_truncated_tick_price', value: r.coreTruncatedTickPrice, unit: 'cases' },
  ];
}
