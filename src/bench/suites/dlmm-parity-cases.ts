import { type Address, getAddressDecoder } from '@solana/kit';
import type { Rng } from '../../random/rng.js';
import { plainMint } from '../../solana/token-2022.js';
import { binArrayIndexOf } from '../../solana/venues/meteora-dlmm/bitmap.js';
import {
  BIN_ARRAY_DISCRIMINATOR,
  BINS_PER_ARRAY,
  type Bin,
  type BinArray,
  decodeLbPair,
  encodeLbPair,
  LB_PAIR_DISCRIMINATOR,
  type LbPair,
  type RewardInfo,
} from '../../solana/venues/meteora-dlmm/layout.js';
import { priceFromId } from '../../solana/venues/meteora-dlmm/math.js';
import type { DlmmContext, DlmmPool } from '../../solana/venues/meteora-dlmm/swap.js';

/**
 * Random DLMM pairs for the differential check against Meteora's SDK (dlmm-parity.ts and the
 * venue's tests). Each case is a pair written as bytes and decoded back, with bin arrays around
 * its active bin, and the swaps to price on it. The draws lean on the edges: volatility
 * accumulators at and above their cap, every fee-decay regime (inside the filter period, the decay
 * window, after it), fees at the 10 % cap, limit orders, fee on output, empty bins and gaps,
 * a marked bin array Landfall did not read, the edge of the pair's own bitmap, 1 to u64::MAX.
 */

export const BIN_STEPS = [1, 2, 4, 5, 8, 10, 15, 20, 25, 50, 80, 100, 125, 150, 200, 250, 400];
const DEFAULT_ADDRESS = '11111111111111111111111111111111' as Address;
const U64_MAX = (1n << 64n) - 1n;
const NOW = 1_750_000_000n;

export interface DlmmCase {
  readonly pool: DlmmPool;
  readonly lbPairBytes: Uint8Array;
  /** Every bin array of the pair (the one left unread included), by index. */
  readonly binArrays: ReadonlyMap<number, BinArray>;
  readonly context: DlmmContext;
  readonly swaps: readonly { readonly swapForY: boolean; readonly amountIn: bigint }[];
}

const addresses = getAddressDecoder();

export function randomAddress(rng: Rng): Address {
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = rng.int(256);
  return addresses.decode(bytes);
}

/** A u64 of 0..bits random bits: log-uniform magnitudes. */
function amount(rng: Rng, maxBits = 64): bigint {
  const bits = rng.int(maxBits + 1);
  let v = 0n;
  for (let i = 0; i < bits; i += 16) v = (v << 16n) | BigInt(rng.int(1 << 16));
  return bits === 0 ? 0n : v & ((1n << BigInt(bits)) - 1n) & U64_MAX;
}

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)] as T;
}

const zeros = (n: number) => new Uint8Array(n);

function emptyBin(price: bigint): Bin {
  return {
    amountX: 0n,
    amountY: 0n,
    price,
    liquiditySupply: 0n,
    fulfilledOrderAmountX: 0n,
    fulfilledOrderAmountY: 0n,
    limitOrderFeeAskSide: 0n,
    limitOrderFeeBidSide: 0n,
    feeAmountXPerTokenStored: 0n,
    feeAmountYPerTokenStored: 0n,
    openOrderAmount: 0n,
    totalProcessingOrderAmount: 0n,
    processedOrderRemainingAmount: 0n,
    orderAge: 0,
    limitOrderAskSide: 0,
    padding1: zeros(3),
  };
}

function randomBin(rng: Rng, id: number, activeId: number, binStep: number, orders: boolean): Bin {
  const price = priceFromId(id, binStep) ?? 0n;
  const bits = rng.chance(0.8) ? 40 : 64;
  const empty = rng.chance(0.15);
  const x = id >= activeId && !empty ? amount(rng, bits) : 0n;
  const y = id <= activeId && !empty ? amount(rng, bits) : 0n;
  const bin = { ...emptyBin(price), amountX: x, amountY: y, liquiditySupply: (x + y) << 10n };
  if (!orders || !rng.chance(0.3)) return bin;
  return {
    ...bin,
    openOrderAmount: amount(rng, 48),
    processedOrderRemainingAmount: rng.chance(0.5) ? amount(rng, 48) : 0n,
    limitOrderAskSide: rng.int(2),
  };
}

function rewardInfo(mint: Address): RewardInfo {
  return {
    mint,
    vault: DEFAULT_ADDRESS,
    funder: DEFAULT_ADDRESS,
    rewardDuration: 0n,
    rewardDurationEnd: 0n,
    rewardRate: 0n,
    lastUpdateTime: 0n,
    cumulativeSecondsWithEmptyLiquidityReward: 0n,
  };
}

function setBit(bitmap: bigint[], index: number): void {
  const offset = index + 512;
  const w = offset >> 6;
  bitmap[w] = (bitmap[w] ?? 0n) | (1n << BigInt(offset & 63));
}

/** One random pair, its bytes, and the swaps to price on it. */
export function randomDlmmCase(rng: Rng): DlmmCase {
  const binStep = pick(rng, BIN_STEPS);
  // Prices within about 2^±30 keep u64 amounts meaningful; a few pairs sit at the edge of the
  // pair's own bitmap (bin array −512 or 511) where a swap needs the extension.
  const span = Math.floor(20 / Math.log1p(binStep / 10_000));
  const edge = binStep <= 2 && rng.chance(0.1);
  const activeId = edge
    ? pick(rng, [
        -512 * BINS_PER_ARRAY + rng.int(BINS_PER_ARRAY),
        511 * BINS_PER_ARRAY + rng.int(BINS_PER_ARRAY),
      ])
    : rng.int(2 * Math.min(span, 30_000)) - Math.min(span, 30_000);
  const activeArray = binArrayIndexOf(activeId);

  const functionType = rng.int(3);
  const orders = functionType === 2 || (functionType === 0 && rng.chance(0.7));
  const maxVolatilityAccumulator = pick(rng, [
    0,
    14_400,
    100_000,
    350_000,
    500_000,
    rng.int(500_001),
  ]);
  const filterPeriod = rng.int(120);
  const decayPeriod = filterPeriod + rng.int(1200);
  const elapsedChoices = [
    0,
    rng.int(filterPeriod + 1),
    filterPeriod,
    filterPeriod + rng.int(decayPeriod - filterPeriod + 1),
    decayPeriod,
    decayPeriod + rng.int(10_000),
  ];
  const elapsed = BigInt(pick(rng, elapsedChoices));
  const accumulatorCap = 500_000;
  const atOrAbove = rng.chance(0.3);
  const volatilityAccumulator = atOrAbove
    ? Math.min(accumulatorCap, maxVolatilityAccumulator + rng.int(2) * rng.int(100_000))
    : rng.int(maxVolatilityAccumulator + 1);

  const bitmap = Array.from({ length: 16 }, () => 0n);
  const arrays = new Map<number, BinArray>();
  const lbPair = randomAddress(rng);
  const below = rng.int(4);
  const above = rng.int(4);
  let unread: number | undefined;
  for (let index = activeArray - below; index <= activeArray + above; index++) {
    if (index < -512 || index > 511) continue;
    if (index !== activeArray && rng.chance(0.15)) continue; // a gap: no liquidity, no bit
    setBit(bitmap, index);
    if (index !== activeArray && unread === undefined && rng.chance(0.05)) {
      unread = index; // marked in the bitmap, not read: the swap cannot be sent
    }
    const bins = Array.from({ length: BINS_PER_ARRAY }, (_, i) =>
      randomBin(rng, index * BINS_PER_ARRAY + i, activeId, binStep, orders),
    );
    arrays.set(index, {
      discriminator: Uint8Array.from(BIN_ARRAY_DISCRIMINATOR),
      index: BigInt(index),
      version: 1,
      padding1: zeros(7),
      lbPair,
      bins,
    });
  }

  const pairType = rng.chance(0.7) ? 0 : rng.int(4);
  const activationType = rng.int(2);
  const slot = 300_000_000n;
  const point = activationType === 0 ? slot : NOW;
  const pair: LbPair = {
    discriminator: Uint8Array.from(LB_PAIR_DISCRIMINATOR),
    parameters: {
      baseFactor: pick(rng, [rng.int(65_536), 10_000, 8_000, 5_000, 2_000]),
      filterPeriod,
      decayPeriod,
      reductionFactor: rng.int(8_001),
      variableFeeControl: rng.chance(0.2)
        ? 0
        : pick(rng, [rng.int(200_000), 7_500, 40_000, 120_000]),
      maxVolatilityAccumulator,
      minBinId: -443_636,
      maxBinId: 443_636,
      protocolShare: rng.int(2_501),
      baseFeePowerFactor: rng.int(3),
      functionType,
      collectFeeMode: rng.int(2),
      padding: zeros(3),
    },
    vParameters: {
      volatilityAccumulator,
      volatilityReference: rng.int(volatilityAccumulator + 1),
      indexReference: activeId + rng.int(41) - 20,
      padding: zeros(4),
      lastUpdateTimestamp: NOW - elapsed,
      padding1: zeros(8),
    },
    bumpSeed: zeros(1),
    binStepSeed: Uint8Array.from([binStep & 0xff, binStep >> 8]),
    pairType,
    activeId,
    binStep,
    status: rng.chance(0.03) ? 1 : 0,
    requireBaseFactorSeed: 0,
    baseFactorSeed: zeros(2),
    activationType,
    creatorPoolOnOffControl: 0,
    tokenXMint: randomAddress(rng),
    tokenYMint: randomAddress(rng),
    reserveX: randomAddress(rng),
    reserveY: randomAddress(rng),
    protocolFee: { amountX: amount(rng, 40), amountY: amount(rng, 40) },
    padding1: zeros(32),
    rewardInfos: [
      rewardInfo(functionType === 0 && !orders ? randomAddress(rng) : DEFAULT_ADDRESS),
      rewardInfo(DEFAULT_ADDRESS),
    ],
    oracle: randomAddress(rng),
    binArrayBitmap: bitmap,
    lastUpdatedAt: NOW - 86_400n,
    padding2: zeros(32),
    preActivationSwapAddress: DEFAULT_ADDRESS,
    baseKey: DEFAULT_ADDRESS,
    activationPoint: rng.chance(0.1) ? point + 1n : point - BigInt(rng.int(1000)),
    preActivationDuration: 0n,
    padding3: zeros(8),
    padding4: 0n,
    creator: randomAddress(rng),
    tokenMintXProgramFlag: 0,
    tokenMintYProgramFlag: 0,
    version: 1,
    reserved: zeros(21),
  };

  const lbPairBytes = encodeLbPair(pair);
  // Bin arrays are used as built: their 10 kB round trip through the codec is checked on its own
  // (meteora-dlmm tests), and would triple the time a case takes.
  const read = new Map([...arrays].filter(([i]) => i !== unread));
  const swaps = Array.from({ length: 4 }, (_, k) => ({
    swapForY: k % 2 === 0,
    amountIn: rng.chance(0.02)
      ? 0n
      : pick(rng, [
          1n + amount(rng, 12),
          1n + amount(rng, 40),
          1n + amount(rng, 40),
          amount(rng, 64),
          U64_MAX,
        ]),
  }));
  return {
    pool: {
      address: lbPair,
      pair: decodeLbPair(lbPairBytes, 'random pair'),
      binArrays: read,
      bitmapExtension: undefined,
      mintX: plainMint(6),
      mintY: plainMint(9),
    },
    lbPairBytes,
    binArrays: arrays,
    context: { unixTimestamp: NOW, epoch: 700n, slot },
    swaps,
  };
}
