import { createHash } from 'node:crypto';
import { type Address, getAddressDecoder } from '@solana/kit';
import type { CurveMaths } from '../../../market/curve.js';
import { Rng } from '../../../random/rng.js';
import { plainMint } from '../../token-2022.js';
import type { SimulatedPoolFactory } from '../simulated.js';
import { BITMAP_SIZE, binArrayBounds, binArrayIndexOf, outsideInternalBitmap } from './bitmap.js';
import {
  BIN_ARRAY_DISCRIMINATOR,
  BINS_PER_ARRAY,
  BITMAP_EXTENSION_DISCRIMINATOR,
  type Bin,
  type BinArray,
  type BinArrayBitmapExtension,
  LB_PAIR_DISCRIMINATOR,
  type LbPair,
} from './layout.js';
import { priceFromId } from './math.js';
import type { DlmmPool, DlmmSwap } from './swap.js';
import { MAX_BIN_ID, MIN_BIN_ID } from './swap.js';
import { meteoraDlmm } from './venue.js';
import { virtualReserves } from './virtual-reserves.js';

/**
 * A DLMM pair for the simulator, priced by the live venue's maths. The bin step is Meteora's
 * preset nearest below `feeBps` (its presets pair a step of s basis points with a base fee of
 * s bps: base factor 10 000), and the base factor makes the base fee `feeBps` exactly where it
 * can (`feeBps · 10 000 / step`); no variable fee (variable_fee_control 0), so a simulated pool's
 * fee is what the scenario asked. The active bin is the one holding reserveB / reserveA; each bin
 * within ±SPAN holds what a constant-product pool with these reserves trades while the price
 * crosses it (X above, Y below, half of each in the active bin), so the depth near the price is
 * that pool's; farther out each bin's amount is scaled by a factor in 0.8–1.2 drawn from `seed`.
 * Liquidity covers up to ±2 100 bins (30 arrays), or a price move of ×8 either way if that is
 * fewer; a swap beyond it is refused, as on a real pair that runs out of bins.
 */

const PRESET_BIN_STEPS = [1, 2, 4, 5, 8, 10, 15, 16, 20, 25, 50, 80, 100, 125, 150, 200, 250, 400];
const MAX_BINS_EACH_WAY = 2_100;
/** Bins either side of the active one laid out exactly as the constant product. */
const EXACT_SPAN = 10;
const DEFAULT_ADDRESS = '11111111111111111111111111111111' as Address;
const U64_MAX = (1n << 64n) - 1n;

const addresses = getAddressDecoder();
const labelAddress = (label: string): Address =>
  addresses.decode(new Uint8Array(createHash('sha256').update(`dlmm-sim:${label}`).digest()));

export function presetBinStep(feeBps: number): number {
  let step = PRESET_BIN_STEPS[0] as number;
  for (const s of PRESET_BIN_STEPS) if (s <= feeBps) step = s;
  return step;
}

export const simulatedDlmm: SimulatedPoolFactory<DlmmPool> = (spec) => {
  const binStep = presetBinStep(spec.feeBps);
  const s = 1 + binStep / 10_000;
  const price = Number(spec.reserveB) / Number(spec.reserveA);
  const activeId = clampId(Math.round(Math.log(price) / Math.log(s)));
  const sqrtK = Math.sqrt(Number(spec.reserveA)) * Math.sqrt(Number(spec.reserveB));
  const reach = Math.min(MAX_BINS_EACH_WAY, Math.ceil(Math.log(8) / Math.log(s)));
  const rng = Rng.stream(spec.seed, `dlmm-sim/${spec.mintA}/${spec.mintB}`);

  const pairAddress = labelAddress(`${spec.mintA}/${spec.mintB}/${spec.seed}`);
  const arrays = new Map<number, BinArray>();
  const lowest = clampId(activeId - reach);
  const highest = clampId(activeId + reach);
  for (let index = binArrayIndexOf(lowest); index <= binArrayIndexOf(highest); index++) {
    const [lower] = binArrayBounds(index);
    const bins = Array.from({ length: BINS_PER_ARRAY }, (_, i) => {
      const id = lower + i;
      if (id < lowest || id > highest) return bin(id, binStep, 0n, 0n);
      const p = s ** id;
      const noise = Math.abs(id - activeId) <= EXACT_SPAN ? 1 : 0.8 + 0.4 * rng.float();
      // What x·y = k trades while the price crosses [p, p·s] (X) or [p/s, p] (Y).
      const x = id >= activeId ? sqrtK * (1 / Math.sqrt(p) - 1 / Math.sqrt(p * s)) : 0;
      const y = id <= activeId ? sqrtK * (Math.sqrt(p) - Math.sqrt(p / s)) : 0;
      const half = id === activeId ? 0.5 : 1;
      return bin(id, binStep, units(x * half * noise), units(y * half * noise));
    });
    arrays.set(index, {
      discriminator: Uint8Array.from(BIN_ARRAY_DISCRIMINATOR),
      index: BigInt(index),
      version: 1,
      padding1: new Uint8Array(7),
      lbPair: pairAddress,
      bins,
    });
  }
  const { internal, extension } = bitmaps([...arrays.keys()], pairAddress);
  const state: DlmmPool = {
    address: pairAddress,
    pair: lbPair(spec, pairAddress, activeId, binStep, internal),
    binArrays: arrays,
    bitmapExtension: extension,
    mintX: plainMint(0),
    mintY: plainMint(0),
  };
  return { curve: { maths: dlmmCurve, state }, reserveA: spec.reserveA, reserveB: spec.reserveB };
};

const dlmmCurve: CurveMaths<DlmmPool> = {
  name: meteoraDlmm.name,
  quote: (state, direction, amountIn, context) =>
    meteoraDlmm.quote(state, direction, amountIn, context),
  apply: (state, quote, context) => meteoraDlmm.apply(state, quote as DlmmSwap, context),
  virtualReserves,
};

function clampId(id: number): number {
  return Math.max(MIN_BIN_ID, Math.min(MAX_BIN_ID, id));
}

function units(v: number): bigint {
  if (!Number.isFinite(v) || v <= 0) return 0n;
  const u = BigInt(Math.floor(v));
  return u > U64_MAX ? U64_MAX : u;
}

function bin(id: number, binStep: number, amountX: bigint, amountY: bigint): Bin {
  return {
    amountX,
    amountY,
    price: priceFromId(id, binStep) ?? 0n,
    liquiditySupply: amountX + amountY,
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
    padding1: new Uint8Array(3),
  };
}

function bitmaps(
  indexes: readonly number[],
  lbPair: Address,
): { internal: bigint[]; extension: BinArrayBitmapExtension | undefined } {
  const internal = Array.from({ length: 16 }, () => 0n);
  const positive = Array.from({ length: 12 }, () => Array.from({ length: 8 }, () => 0n));
  const negative = Array.from({ length: 12 }, () => Array.from({ length: 8 }, () => 0n));
  let outside = false;
  const set = (words: bigint[] | undefined, bit: number) => {
    if (words) words[bit >> 6] = (words[bit >> 6] ?? 0n) | (1n << BigInt(bit & 63));
  };
  for (const index of indexes) {
    if (!outsideInternalBitmap(index)) {
      set(internal, index + BITMAP_SIZE);
      continue;
    }
    outside = true;
    const magnitude = index > 0 ? index : -(index + 1);
    const side = index > 0 ? positive : negative;
    set(side[Math.floor(magnitude / BITMAP_SIZE) - 1], magnitude % BITMAP_SIZE);
  }
  const extension = outside
    ? {
        discriminator: Uint8Array.from(BITMAP_EXTENSION_DISCRIMINATOR),
        lbPair,
        positiveBinArrayBitmap: positive,
        negativeBinArrayBitmap: negative,
      }
    : undefined;
  return { internal, extension };
}

function lbPair(
  spec: { mintA: string; mintB: string; feeBps: number },
  address: Address,
  activeId: number,
  binStep: number,
  bitmap: bigint[],
): LbPair {
  const baseFactor = Math.min(65_535, Math.round((spec.feeBps * 10_000) / binStep));
  const none = DEFAULT_ADDRESS;
  const reward = {
    mint: none,
    vault: none,
    funder: none,
    rewardDuration: 0n,
    rewardDurationEnd: 0n,
    rewardRate: 0n,
    lastUpdateTime: 0n,
    cumulativeSecondsWithEmptyLiquidityReward: 0n,
  };
  return {
    discriminator: Uint8Array.from(LB_PAIR_DISCRIMINATOR),
    parameters: {
      baseFactor,
      filterPeriod: 30,
      decayPeriod: 600,
      reductionFactor: 5_000,
      variableFeeControl: 0,
      maxVolatilityAccumulator: 350_000,
      minBinId: MIN_BIN_ID,
      maxBinId: MAX_BIN_ID,
      protocolShare: 500,
      baseFeePowerFactor: 0,
      functionType: 1,
      collectFeeMode: 0,
      padding: new Uint8Array(3),
    },
    vParameters: {
      volatilityAccumulator: 0,
      volatilityReference: 0,
      indexReference: activeId,
      padding: new Uint8Array(4),
      lastUpdateTimestamp: 0n,
      padding1: new Uint8Array(8),
    },
    bumpSeed: new Uint8Array(1),
    binStepSeed: Uint8Array.from([binStep & 0xff, binStep >> 8]),
    pairType: 0,
    activeId,
    binStep,
    status: 0,
    requireBaseFactorSeed: 0,
    baseFactorSeed: new Uint8Array(2),
    activationType: 1,
    creatorPoolOnOffControl: 0,
    tokenXMint: labelAddress(spec.mintA),
    tokenYMint: labelAddress(spec.mintB),
    reserveX: labelAddress(`${spec.mintA}/reserve`),
    reserveY: labelAddress(`${spec.mintB}/reserve`),
    protocolFee: { amountX: 0n, amountY: 0n },
    padding1: new Uint8Array(32),
    rewardInfos: [reward, reward],
    oracle: labelAddress(`${address}/oracle`),
    binArrayBitmap: bitmap,
    lastUpdatedAt: 0n,
    padding2: new Uint8Array(32),
    preActivationSwapAddress: none,
    baseKey: none,
    activationPoint: 0n,
    preActivationDuration: 0n,
    padding3: new Uint8Array(8),
    padding4: 0n,
    creator: none,
    tokenMintXProgramFlag: 0,
    tokenMintYProgramFlag: 0,
    version: 1,
    reserved: new Uint8Array(21),
  };
}
