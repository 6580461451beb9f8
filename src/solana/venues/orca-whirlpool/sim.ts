import { createHash } from 'node:crypto';
import { type Address, getAddressDecoder } from '@solana/kit';
import { Rng } from '../../../random/rng.js';
import { plainMint } from '../../token-2022.js';
import type { SimulatedPoolFactory } from '../simulated.js';
import { type TickArray, UNINITIALIZED_TICK, type Whirlpool } from './layout.js';
import type { WhirlpoolState } from './state.js';
import {
  floorDivision,
  MAX_SQRT_PRICE_X64,
  MAX_TICK_INDEX,
  MIN_SQRT_PRICE_X64,
  MIN_TICK_INDEX,
  TICK_ARRAY_SIZE,
  tickIndexFromSqrtPrice,
} from './tick-math.js';
import { orcaWhirlpool } from './venue.js';

/**
 * An Orca Whirlpool built in memory for the simulator. The price is reserveB / reserveA; the
 * liquidity in range at that price is the constant product's, √(reserveA · reserveB), so small
 * swaps price exactly as that pool would (no position ends within 1 % of the price), and it is
 * split over a few positions of different widths (drawn from `seed`) so larger swaps cross ticks and meet thinner liquidity. The tick
 * spacing follows the fee the way Orca's fee tiers pair them (1 bp → 1, 2 → 2, 4 → 4, 5 → 8,
 * 16 → 16, 30 → 64, 65 → 96, 100 → 128, beyond → 256); a static fee (no oracle), the default
 * 13 % protocol share. Nine tick arrays around the price are held in memory; a swap that runs
 * past them is refused as the program would refuse it.
 */

const SPACING_BY_FEE_BPS: readonly [number, number][] = [
  [1, 1],
  [2, 2],
  [4, 4],
  [5, 8],
  [16, 16],
  [30, 64],
  [65, 96],
  [100, 128],
];
const ARRAYS_EACH_SIDE = 4;
const SYSTEM = '11111111111111111111111111111111' as Address;
const addresses = getAddressDecoder();

export function tickSpacingForFee(feeBps: number): number {
  return SPACING_BY_FEE_BPS.find(([bps]) => feeBps <= bps)?.[1] ?? 256;
}

/** A stable stand-in address for a simulator label (`sim:XYZ` is not a key). */
const labelAddress = (label: string): Address =>
  addresses.decode(new Uint8Array(createHash('sha256').update(`orca-sim:${label}`).digest()));

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x && x * x <= n && (x + 1n) * (x + 1n) > n) return x;
    x = y;
  }
}

export const simulatedWhirlpool: SimulatedPoolFactory<WhirlpoolState> = (spec) => {
  const rng = Rng.stream(spec.seed, `orca-whirlpool:${spec.mintA}/${spec.mintB}`);
  const spacing = tickSpacingForFee(spec.feeBps);
  let sqrtPrice = isqrt((spec.reserveB << 128n) / spec.reserveA);
  if (sqrtPrice < MIN_SQRT_PRICE_X64) sqrtPrice = MIN_SQRT_PRICE_X64;
  if (sqrtPrice >= MAX_SQRT_PRICE_X64) sqrtPrice = MAX_SQRT_PRICE_X64 - 1n;
  const tick = tickIndexFromSqrtPrice(sqrtPrice);
  const liquidity = isqrt(spec.reserveA * spec.reserveB);

  const ticksInArray = TICK_ARRAY_SIZE * spacing;
  const base = floorDivision(tick, ticksInArray) * ticksInArray;
  const minUsable = Math.ceil(MIN_TICK_INDEX / spacing) * spacing;
  const maxUsable = Math.floor(MAX_TICK_INDEX / spacing) * spacing;
  // No edge within 100 ticks (1 % of price) of the current tick: there the depth is the constant product's.
  const below = floorDivision(tick - 100, spacing) * spacing;
  const above = (floorDivision(tick + 100, spacing) + 1) * spacing;
  const reach = (ARRAYS_EACH_SIDE - 1) * TICK_ARRAY_SIZE;
  const count = 3 + rng.int(3);
  const weights = Array.from({ length: count }, () => 1 + rng.int(100));
  const total = BigInt(weights.reduce((a, b) => a + b, 0));
  const nets = new Map<number, bigint>();
  let assigned = 0n;
  for (const [i, weight] of weights.entries()) {
    const share = i === count - 1 ? liquidity - assigned : (liquidity * BigInt(weight)) / total;
    assigned += share;
    // Narrow positions (a few spacings) to wide ones (three arrays): depth thins away from the price.
    const steps = () => rng.int(1 + (reach >> (count - i)));
    const lower = Math.max(below - spacing * steps(), minUsable);
    const upper = Math.min(above + spacing * steps(), maxUsable);
    nets.set(lower, (nets.get(lower) ?? 0n) + share);
    nets.set(upper, (nets.get(upper) ?? 0n) - share);
  }

  const address = labelAddress(`${spec.mintA}/${spec.mintB}/${spec.feeBps}/${spec.seed}`);
  const tickArrays = new Map<number, TickArray | null>();
  for (let o = -ARRAYS_EACH_SIDE; o <= ARRAYS_EACH_SIDE; o++) {
    const start = base + o * ticksInArray;
    const ticks = Array.from({ length: TICK_ARRAY_SIZE }, (_, k) => {
      const net = nets.get(start + k * spacing);
      if (net === undefined) return UNINITIALIZED_TICK;
      return {
        ...UNINITIALIZED_TICK,
        initialized: true,
        liquidityNet: net,
        liquidityGross: net < 0n ? -net : net,
      };
    });
    tickArrays.set(start, { kind: 'fixed', startTickIndex: start, whirlpool: address, ticks });
  }

  const feeRate = Math.min(spec.feeBps * 100, 60_000);
  const whirlpool: Whirlpool = {
    whirlpoolsConfig: SYSTEM,
    whirlpoolBump: Uint8Array.of(255),
    tickSpacing: spacing,
    feeTierIndexSeed: Uint8Array.of(spacing & 0xff, spacing >> 8),
    feeRate,
    protocolFeeRate: 1_300,
    liquidity,
    sqrtPrice,
    tickCurrentIndex: tick,
    protocolFeeOwedA: 0n,
    protocolFeeOwedB: 0n,
    tokenMintA: labelAddress(spec.mintA),
    tokenVaultA: labelAddress(`${spec.mintA}:vault`),
    feeGrowthGlobalA: 0n,
    tokenMintB: labelAddress(spec.mintB),
    tokenVaultB: labelAddress(`${spec.mintB}:vault`),
    feeGrowthGlobalB: 0n,
    rewardLastUpdatedTimestamp: 0n,
    rewardInfos: [0, 1, 2].map(() => ({
      mint: SYSTEM,
      vault: SYSTEM,
      extension: new Uint8Array(32),
      emissionsPerSecondX64: 0n,
      growthGlobalX64: 0n,
    })),
  };
  const state: WhirlpoolState = {
    pool: { address, whirlpool, tickArrays, oracle: null },
    // Decimals do not enter the maths; the simulator keeps its own.
    mintA: plainMint(0),
    mintB: plainMint(0),
  };
  return {
    curve: { maths: orcaWhirlpool, state },
    reserveA: (liquidity << 64n) / sqrtPrice,
    reserveB: (liquidity * sqrtPrice) >> 64n,
  };
};
