import { type Address, getAddressDecoder } from '@solana/kit';
import type { SwapDirection } from '../../market/types.js';
import { splitmix64 } from '../../random/rng.js';
import {
  type Oracle,
  type Tick,
  type TickArray,
  UNINITIALIZED_TICK,
  type Whirlpool,
  type WhirlpoolRewardInfo,
} from '../../solana/venues/orca-whirlpool/layout.js';
import type { WhirlpoolPool } from '../../solana/venues/orca-whirlpool/swap.js';
import {
  MAX_SQRT_PRICE_X64,
  MAX_TICK_INDEX,
  MIN_SQRT_PRICE_X64,
  MIN_TICK_INDEX,
  sqrtPriceFromTickIndex,
  TICK_ARRAY_SIZE,
} from '../../solana/venues/orca-whirlpool/tick-math.js';
import { swapStartTickIndexes } from '../../solana/venues/orca-whirlpool/tick-sequence.js';
import type { Draw } from './amm-v4-parity-cases.js';

/**
 * Random Orca Whirlpool pools and swaps for the parity check against Orca's Rust core. A pool is
 * built from positions (so its ticks' liquidity_net sum to what the price crosses and the pool's
 * liquidity is what is in range), over every tick spacing Orca's fee tiers use (splash pools'
 * 32 896 included), the current tick anywhere (near both ends of the price range too), the price
 * on a tick, between ticks, or one tick past the current index (where an A→B crossing leaves it).
 * Fee rates at 0, common tiers and the 6 % maximum; protocol fee 0, random, 25 %; a third of the
 * pools adaptive, with valid constants (`validate_constants`) and variables anywhere from fresh
 * to an hour stale. Tick arrays are fixed or dynamic, all-empty ones sometimes absent accounts,
 * and the last array of a sequence sometimes not supplied, so swaps run past the arrays.
 * Amounts: zero, 1..1000, log-uniform up to u64::MAX, u64::MAX.
 */

export interface WhirlpoolCase {
  readonly pool: WhirlpoolPool;
  readonly direction: SwapDirection;
  readonly amountIn: bigint;
  readonly unixTimestamp: bigint;
}

const U64_MAX = (1n << 64n) - 1n;
const SYSTEM = '11111111111111111111111111111111' as Address;
const keys = getAddressDecoder();
const keyOf = (seed: bigint): Address => {
  const bytes = new Uint8Array(32);
  let s = seed;
  for (let i = 0; i < 4; i++) {
    const [out, next] = splitmix64(s);
    s = next;
    new DataView(bytes.buffer).setBigUint64(i * 8, out, true);
  }
  return keys.decode(bytes);
};

function pick<T>(d: Draw, values: readonly T[]): T {
  return values[d.int(values.length)] as T;
}

/** Log-uniform below 2^maxBits. */
const logUniform = (d: Draw, maxBits: number) => d.below(d.int(maxBits + 1));

const intIn = (d: Draw, min: number, max: number) => min + d.int(max - min + 1);

export const TICK_SPACINGS = [1, 2, 4, 8, 16, 32, 64, 96, 128, 256, 32896] as const;

function currentTick(d: Draw, spacing: number): number {
  const span = TICK_ARRAY_SIZE * spacing * 3;
  switch (d.int(4)) {
    case 0:
      return intIn(d, MIN_TICK_INDEX, Math.min(MIN_TICK_INDEX + span, MAX_TICK_INDEX));
    case 1:
      return intIn(d, Math.max(MAX_TICK_INDEX - span, MIN_TICK_INDEX), MAX_TICK_INDEX - 1);
    case 2:
      return intIn(d, -2000, 2000);
    default:
      return intIn(d, MIN_TICK_INDEX, MAX_TICK_INDEX - 1);
  }
}

function priceAt(d: Draw, tick: number): { tick: number; sqrtPrice: bigint } {
  const low = sqrtPriceFromTickIndex(tick);
  const high = sqrtPriceFromTickIndex(Math.min(tick + 1, MAX_TICK_INDEX));
  switch (d.int(4)) {
    case 0:
      return { tick, sqrtPrice: low };
    case 1:
      // Where an A→B swap that crossed tick + 1 leaves the pool.
      return { tick, sqrtPrice: high };
    default: {
      const width = high - low;
      const p = width > 1n ? low + (d.below(100) % (width - 1n)) + 1n : low;
      return {
        tick,
        sqrtPrice:
          p < MIN_SQRT_PRICE_X64
            ? MIN_SQRT_PRICE_X64
            : p > MAX_SQRT_PRICE_X64
              ? MAX_SQRT_PRICE_X64
              : p,
      };
    }
  }
}

interface Position {
  readonly lower: number;
  readonly upper: number;
  readonly liquidity: bigint;
}

function positions(d: Draw, tick: number, spacing: number): Position[] {
  const minUsable = Math.ceil(MIN_TICK_INDEX / spacing) * spacing;
  const maxUsable = Math.floor(MAX_TICK_INDEX / spacing) * spacing;
  const reach = spacing * pick(d, [12, TICK_ARRAY_SIZE, TICK_ARRAY_SIZE * 3]);
  const around = () => {
    const t = tick + intIn(d, -reach, reach);
    const snapped = Math.round(t / spacing) * spacing;
    return Math.min(Math.max(snapped, minUsable), maxUsable);
  };
  const out: Position[] = [];
  const count = d.int(9);
  const liquidityBits = pick(d, [40, 64, 90, 110]);
  for (let i = 0; i < count; i++) {
    let [lower, upper] = d.int(6) === 0 ? [minUsable, maxUsable] : [around(), around()];
    if (lower > upper) [lower, upper] = [upper, lower];
    if (lower === upper) continue;
    out.push({ lower, upper, liquidity: 1n + logUniform(d, liquidityBits) });
  }
  return out;
}

function tickArraysFor(
  d: Draw,
  tick: number,
  spacing: number,
  ps: readonly Position[],
  whirlpool: Address,
): Map<number, TickArray | null> {
  const starts = new Set([
    ...swapStartTickIndexes(tick, spacing, true),
    ...swapStartTickIndexes(tick, spacing, false),
  ]);
  const map = new Map<number, TickArray | null>();
  for (const start of starts) {
    const ticks: Tick[] = Array.from({ length: TICK_ARRAY_SIZE }, () => UNINITIALIZED_TICK);
    const touch = (index: number, net: bigint, gross: bigint) => {
      const offset = (index - start) / spacing;
      if (offset < 0 || offset >= TICK_ARRAY_SIZE || !Number.isInteger(offset)) return;
      const t = ticks[offset] as Tick;
      ticks[offset] = {
        ...t,
        initialized: true,
        liquidityNet: t.liquidityNet + net,
        liquidityGross: t.liquidityGross + gross,
        feeGrowthOutsideA: d.below(128),
        feeGrowthOutsideB: d.below(128),
      };
    };
    for (const p of ps) {
      touch(p.lower, p.liquidity, p.liquidity);
      touch(p.upper, -p.liquidity, p.liquidity);
    }
    const empty = ticks.every((t) => !t.initialized);
    // An array farther out than the swap's first is sometimes never supplied at all.
    if (d.int(8) === 0 && Math.abs(start - tick) > TICK_ARRAY_SIZE * spacing) continue;
    if (empty && d.int(2) === 0) {
      map.set(start, null);
      continue;
    }
    map.set(start, {
      kind: d.int(2) === 0 ? 'fixed' : 'dynamic',
      startTickIndex: start,
      whirlpool,
      ticks,
    });
  }
  return map;
}

function oracleFor(
  d: Draw,
  spacing: number,
  tick: number,
  now: bigint,
  whirlpool: Address,
): Oracle {
  const divisors = [1, 2, 4, 8, 16, 32, 64, 128].filter((g) => g <= spacing && spacing % g === 0);
  const tickGroupSize = pick(d, divisors.length > 0 ? divisors : [spacing]);
  const filterPeriod = intIn(d, 1, 60);
  const decayPeriod = intIn(d, filterPeriod + 1, 600);
  const maxVolatilityAccumulator =
    d.int(3) === 0 ? d.int(Math.floor(0xffffffff / tickGroupSize)) : d.int(500_000);
  const ago = (max: number) => now - BigInt(d.int(max));
  return {
    whirlpool,
    tradeEnableTimestamp: d.int(4) === 0 ? 0n : ago(100_000),
    adaptiveFeeConstants: {
      filterPeriod,
      decayPeriod,
      reductionFactor: d.int(10_000),
      adaptiveFeeControlFactor: d.int(5) === 0 ? 0 : d.int(100_000),
      maxVolatilityAccumulator,
      tickGroupSize,
      majorSwapThresholdTicks: intIn(d, 1, Math.min(TICK_ARRAY_SIZE * spacing, 65_535)),
      reserved: new Uint8Array(16),
    },
    adaptiveFeeVariables: {
      lastReferenceUpdateTimestamp: ago(pick(d, [30, 700, 5_000])),
      lastMajorSwapTimestamp: ago(pick(d, [30, 700, 5_000])),
      volatilityReference: d.int(maxVolatilityAccumulator + 1),
      tickGroupIndexReference: Math.floor(tick / tickGroupSize) + intIn(d, -60, 60),
      volatilityAccumulator: d.int(maxVolatilityAccumulator + 1),
      reserved: new Uint8Array(16),
    },
    reserved: new Uint8Array(128),
  };
}

function rewardInfos(d: Draw, seed: bigint): WhirlpoolRewardInfo[] {
  return [0, 1, 2].map((i) => ({
    mint: d.int(2) === 0 ? SYSTEM : keyOf(seed + BigInt(10 + i)),
    vault: keyOf(seed + BigInt(20 + i)),
    extension: new Uint8Array(32),
    emissionsPerSecondX64: logUniform(d, 80),
    growthGlobalX64: d.below(128),
  }));
}

export function randomWhirlpoolCase(d: Draw): WhirlpoolCase {
  const seed = d.below(64);
  const address = keyOf(seed);
  const tickSpacing = pick(d, TICK_SPACINGS);
  const adaptive = d.int(3) === 0;
  const unixTimestamp = 1_700_000_000n + d.below(20);
  const { tick, sqrtPrice } = priceAt(d, currentTick(d, tickSpacing));
  const ps = positions(d, tick, tickSpacing);
  const liquidity = ps
    .filter((p) => p.lower <= tick && tick < p.upper)
    .reduce((sum, p) => sum + p.liquidity, 0n);
  const feeTierIndex = adaptive ? tickSpacing + 1024 : tickSpacing;
  const whirlpool: Whirlpool = {
    whirlpoolsConfig: keyOf(seed + 1n),
    whirlpoolBump: Uint8Array.of(255),
    tickSpacing,
    feeTierIndexSeed: Uint8Array.of(feeTierIndex & 0xff, feeTierIndex >> 8),
    feeRate: pick(d, [0, 1, 100, 300, 400, 1_000, 3_000, 10_000, 60_000, d.int(60_001)]),
    protocolFeeRate: pick(d, [0, 1_300, 2_500, d.int(2_501)]),
    liquidity,
    sqrtPrice,
    tickCurrentIndex: tick,
    protocolFeeOwedA: d.below(64),
    protocolFeeOwedB: d.below(64),
    tokenMintA: keyOf(seed + 2n),
    tokenVaultA: keyOf(seed + 3n),
    feeGrowthGlobalA: d.below(128),
    tokenMintB: keyOf(seed + 4n),
    tokenVaultB: keyOf(seed + 5n),
    feeGrowthGlobalB: d.below(128),
    rewardLastUpdatedTimestamp: unixTimestamp - BigInt(d.int(10_000)),
    rewardInfos: rewardInfos(d, seed),
  };
  const amountIn =
    d.int(25) === 0
      ? pick(d, [0n, U64_MAX])
      : pick(d, [BigInt(intIn(d, 1, 1000)), 1n + logUniform(d, 63), 1n + logUniform(d, 63)]);
  return {
    pool: {
      address,
      whirlpool,
      tickArrays: tickArraysFor(d, tick, tickSpacing, ps, address),
      oracle: adaptive ? oracleFor(d, tickSpacing, tick, unixTimestamp, address) : null,
    },
    direction: d.int(2) === 0 ? 'aToB' : 'bToA',
    amountIn,
    unixTimestamp,
  };
}
