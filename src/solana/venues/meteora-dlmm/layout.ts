import {
  type Address,
  fixCodecSize,
  getAddressCodec,
  getArrayCodec,
  getBytesCodec,
  getI32Codec,
  getI64Codec,
  getStructCodec,
  getU8Codec,
  getU16Codec,
  getU32Codec,
  getU64Codec,
  getU128Codec,
  type ReadonlyUint8Array,
} from '@solana/kit';
import { LandfallError } from '../../../errors.js';

/**
 * Accounts of Meteora DLMM (program `lb_clmm`, `LBUZKhRxPF3XUpBCjp4YzTKgLccjZhTSDM9YuVaPwxo`),
 * from its IDL (MeteoraAg/dlmm-sdk `idls/dlmm.json`, program 0.12.0). They are zero-copy Anchor
 * accounts: an 8-byte discriminator, then the `#[repr(C)]` struct whose fields the IDL lists in
 * order with explicit padding, so the codec below is the byte layout.
 *
 * Field names are the program's, camel-cased. X is the pair's first token, Y its second.
 */

export const DLMM_PROGRAM = 'LBUZKhRxPF3XUpBCjp4YzTKgLccjZhTSDM9YuVaPwxo' as Address;

export const LB_PAIR_DISCRIMINATOR = [33, 11, 49, 98, 181, 101, 177, 13] as const;
export const BIN_ARRAY_DISCRIMINATOR = [92, 142, 92, 220, 5, 148, 70, 181] as const;
export const BITMAP_EXTENSION_DISCRIMINATOR = [80, 111, 124, 113, 55, 237, 18, 5] as const;

/** Discriminator + 896-byte LbPair. */
export const LB_PAIR_SIZE = 904;
/** Discriminator + index, version, padding, lb_pair + 70 bins of 144 bytes. */
export const BIN_ARRAY_SIZE = 10_136;
/** Discriminator + lb_pair + two 12 × 512-bit bitmaps. */
export const BITMAP_EXTENSION_SIZE = 1_576;
export const BINS_PER_ARRAY = 70;

/** `PairStatus`: 0 Enabled, 1 Disabled. */
export const PairStatus = { Enabled: 0, Disabled: 1 } as const;
/** `PairType`: Permission and CustomizablePermissionless pairs open at `activationPoint`. */
export const PairType = {
  Permissionless: 0,
  Permission: 1,
  CustomizablePermissionless: 2,
  PermissionlessV2: 3,
} as const;
export const ActivationType = { Slot: 0, Timestamp: 1 } as const;
/** `TokenProgramFlags`: which token program owns a mint. */
export const TokenProgramFlag = { TokenProgram: 0, TokenProgram2022: 1 } as const;

export interface StaticParameters {
  readonly baseFactor: number;
  readonly filterPeriod: number;
  readonly decayPeriod: number;
  readonly reductionFactor: number;
  readonly variableFeeControl: number;
  readonly maxVolatilityAccumulator: number;
  readonly minBinId: number;
  readonly maxBinId: number;
  /** Basis points of the LP fee kept by the protocol. */
  readonly protocolShare: number;
  readonly baseFeePowerFactor: number;
  /** `FunctionType`: 0 Undetermined, 1 LiquidityMining, 2 LimitOrder. */
  readonly functionType: number;
  /** `CollectFeeMode`: 0 InputOnly, 1 OnlyY (the fee is always taken in token Y). */
  readonly collectFeeMode: number;
  readonly padding: ReadonlyUint8Array;
}

export interface VariableParameters {
  readonly volatilityAccumulator: number;
  readonly volatilityReference: number;
  readonly indexReference: number;
  readonly padding: ReadonlyUint8Array;
  readonly lastUpdateTimestamp: bigint;
  readonly padding1: ReadonlyUint8Array;
}

export interface RewardInfo {
  readonly mint: Address;
  readonly vault: Address;
  readonly funder: Address;
  readonly rewardDuration: bigint;
  readonly rewardDurationEnd: bigint;
  readonly rewardRate: bigint;
  readonly lastUpdateTime: bigint;
  readonly cumulativeSecondsWithEmptyLiquidityReward: bigint;
}

export interface LbPair {
  readonly discriminator: ReadonlyUint8Array;
  readonly parameters: StaticParameters;
  readonly vParameters: VariableParameters;
  readonly bumpSeed: ReadonlyUint8Array;
  readonly binStepSeed: ReadonlyUint8Array;
  readonly pairType: number;
  readonly activeId: number;
  readonly binStep: number;
  readonly status: number;
  readonly requireBaseFactorSeed: number;
  readonly baseFactorSeed: ReadonlyUint8Array;
  readonly activationType: number;
  readonly creatorPoolOnOffControl: number;
  readonly tokenXMint: Address;
  readonly tokenYMint: Address;
  readonly reserveX: Address;
  readonly reserveY: Address;
  readonly protocolFee: { readonly amountX: bigint; readonly amountY: bigint };
  readonly padding1: ReadonlyUint8Array;
  readonly rewardInfos: readonly RewardInfo[];
  readonly oracle: Address;
  /** 1024 bits, one per bin array index −512..511: set where the array holds liquidity. */
  readonly binArrayBitmap: readonly bigint[];
  readonly lastUpdatedAt: bigint;
  readonly padding2: ReadonlyUint8Array;
  readonly preActivationSwapAddress: Address;
  readonly baseKey: Address;
  readonly activationPoint: bigint;
  readonly preActivationDuration: bigint;
  readonly padding3: ReadonlyUint8Array;
  readonly padding4: bigint;
  readonly creator: Address;
  readonly tokenMintXProgramFlag: number;
  readonly tokenMintYProgramFlag: number;
  readonly version: number;
  readonly reserved: ReadonlyUint8Array;
}

export interface Bin {
  /** Market-making liquidity, protocol fees already excluded. */
  readonly amountX: bigint;
  readonly amountY: bigint;
  /** Q64.64 price of X in Y; 0 until the program first stores it. */
  readonly price: bigint;
  readonly liquiditySupply: bigint;
  readonly fulfilledOrderAmountX: bigint;
  readonly fulfilledOrderAmountY: bigint;
  readonly limitOrderFeeAskSide: bigint;
  readonly limitOrderFeeBidSide: bigint;
  readonly feeAmountXPerTokenStored: bigint;
  readonly feeAmountYPerTokenStored: bigint;
  readonly openOrderAmount: bigint;
  readonly totalProcessingOrderAmount: bigint;
  readonly processedOrderRemainingAmount: bigint;
  readonly orderAge: number;
  /** Non-zero: the bin's limit orders sell X (fill a Y→X swap); zero: they sell Y. */
  readonly limitOrderAskSide: number;
  readonly padding1: ReadonlyUint8Array;
}

export interface BinArray {
  readonly discriminator: ReadonlyUint8Array;
  /** Holds bins `index · 70 … index · 70 + 69`. */
  readonly index: bigint;
  readonly version: number;
  readonly padding1: ReadonlyUint8Array;
  readonly lbPair: Address;
  readonly bins: readonly Bin[];
}

export interface BinArrayBitmapExtension {
  readonly discriminator: ReadonlyUint8Array;
  readonly lbPair: Address;
  /** 12 × 512 bits each, for bin array indexes 512… and −513… outward. */
  readonly positiveBinArrayBitmap: readonly (readonly bigint[])[];
  readonly negativeBinArrayBitmap: readonly (readonly bigint[])[];
}

const u8 = getU8Codec();
const u16 = getU16Codec();
const u32 = getU32Codec();
const i32 = getI32Codec();
const u64 = getU64Codec();
const i64 = getI64Codec();
const u128 = getU128Codec();
const address = getAddressCodec();
const bytes = (n: number) => fixCodecSize(getBytesCodec(), n);

const staticParametersCodec = getStructCodec([
  ['baseFactor', u16],
  ['filterPeriod', u16],
  ['decayPeriod', u16],
  ['reductionFactor', u16],
  ['variableFeeControl', u32],
  ['maxVolatilityAccumulator', u32],
  ['minBinId', i32],
  ['maxBinId', i32],
  ['protocolShare', u16],
  ['baseFeePowerFactor', u8],
  ['functionType', u8],
  ['collectFeeMode', u8],
  ['padding', bytes(3)],
]);

const variableParametersCodec = getStructCodec([
  ['volatilityAccumulator', u32],
  ['volatilityReference', u32],
  ['indexReference', i32],
  ['padding', bytes(4)],
  ['lastUpdateTimestamp', i64],
  ['padding1', bytes(8)],
]);

const rewardInfoCodec = getStructCodec([
  ['mint', address],
  ['vault', address],
  ['funder', address],
  ['rewardDuration', u64],
  ['rewardDurationEnd', u64],
  ['rewardRate', u128],
  ['lastUpdateTime', u64],
  ['cumulativeSecondsWithEmptyLiquidityReward', u64],
]);

const lbPairCodec = getStructCodec([
  ['discriminator', bytes(8)],
  ['parameters', staticParametersCodec],
  ['vParameters', variableParametersCodec],
  ['bumpSeed', bytes(1)],
  ['binStepSeed', bytes(2)],
  ['pairType', u8],
  ['activeId', i32],
  ['binStep', u16],
  ['status', u8],
  ['requireBaseFactorSeed', u8],
  ['baseFactorSeed', bytes(2)],
  ['activationType', u8],
  ['creatorPoolOnOffControl', u8],
  ['tokenXMint', address],
  ['tokenYMint', address],
  ['reserveX', address],
  ['reserveY', address],
  [
    'protocolFee',
    getStructCodec([
      ['amountX', u64],
      ['amountY', u64],
    ]),
  ],
  ['padding1', bytes(32)],
  ['rewardInfos', getArrayCodec(rewardInfoCodec, { size: 2 })],
  ['oracle', address],
  ['binArrayBitmap', getArrayCodec(u64, { size: 16 })],
  ['lastUpdatedAt', i64],
  ['padding2', bytes(32)],
  ['preActivationSwapAddress', address],
  ['baseKey', address],
  ['activationPoint', u64],
  ['preActivationDuration', u64],
  ['padding3', bytes(8)],
  ['padding4', u64],
  ['creator', address],
  ['tokenMintXProgramFlag', u8],
  ['tokenMintYProgramFlag', u8],
  ['version', u8],
  ['reserved', bytes(21)],
]);

const binCodec = getStructCodec([
  ['amountX', u64],
  ['amountY', u64],
  ['price', u128],
  ['liquiditySupply', u128],
  ['fulfilledOrderAmountX', u64],
  ['fulfilledOrderAmountY', u64],
  ['limitOrderFeeAskSide', u64],
  ['limitOrderFeeBidSide', u64],
  ['feeAmountXPerTokenStored', u128],
  ['feeAmountYPerTokenStored', u128],
  ['openOrderAmount', u64],
  ['totalProcessingOrderAmount', u64],
  ['processedOrderRemainingAmount', u64],
  ['orderAge', u32],
  ['limitOrderAskSide', u8],
  ['padding1', bytes(3)],
]);

const binArrayCodec = getStructCodec([
  ['discriminator', bytes(8)],
  ['index', i64],
  ['version', u8],
  ['padding1', bytes(7)],
  ['lbPair', address],
  ['bins', getArrayCodec(binCodec, { size: BINS_PER_ARRAY })],
]);

const bitmapExtensionCodec = getStructCodec([
  ['discriminator', bytes(8)],
  ['lbPair', address],
  ['positiveBinArrayBitmap', getArrayCodec(getArrayCodec(u64, { size: 8 }), { size: 12 })],
  ['negativeBinArrayBitmap', getArrayCodec(getArrayCodec(u64, { size: 8 }), { size: 12 })],
]);

/** Byte offsets of the fields a reader most often checks (asserted against the codec in tests). */
export const LB_PAIR_OFFSETS = {
  parameters: 8,
  vParameters: 40,
  pairType: 75,
  activeId: 76,
  binStep: 80,
  status: 82,
  activationType: 86,
  tokenXMint: 88,
  tokenYMint: 120,
  reserveX: 152,
  reserveY: 184,
  rewardInfos: 264,
  oracle: 552,
  binArrayBitmap: 584,
  activationPoint: 816,
  tokenMintXProgramFlag: 880,
} as const;

function check(
  data: Uint8Array,
  size: number,
  discriminator: readonly number[],
  what: string,
  where: string,
): void {
  if (data.length !== size) {
    throw new LandfallError(
      'LF_SOLANA_ACCOUNT_DECODE',
      `${where}: a Meteora DLMM ${what} is ${size} bytes, the account holds ${data.length}`,
    );
  }
  if (discriminator.some((b, i) => data[i] !== b)) {
    throw new LandfallError(
      'LF_SOLANA_ACCOUNT_DECODE',
      `${where}: the account is not a Meteora DLMM ${what} (its discriminator differs)`,
    );
  }
}

export function decodeLbPair(data: Uint8Array, where: string): LbPair {
  check(data, LB_PAIR_SIZE, LB_PAIR_DISCRIMINATOR, 'LbPair', where);
  return lbPairCodec.decode(data);
}

export function decodeBinArray(data: Uint8Array, where: string): BinArray {
  check(data, BIN_ARRAY_SIZE, BIN_ARRAY_DISCRIMINATOR, 'BinArray', where);
  return binArrayCodec.decode(data);
}

export function decodeBitmapExtension(data: Uint8Array, where: string): BinArrayBitmapExtension {
  check(
    data,
    BITMAP_EXTENSION_SIZE,
    BITMAP_EXTENSION_DISCRIMINATOR,
    'BinArrayBitmapExtension',
    where,
  );
  return bitmapExtensionCodec.decode(data);
}

// The codecs want mutable arrays; these are copies.
export function encodeLbPair(pair: LbPair): Uint8Array {
  return new Uint8Array(
    lbPairCodec.encode({
      ...pair,
      rewardInfos: [...pair.rewardInfos],
      binArrayBitmap: [...pair.binArrayBitmap],
    }),
  );
}

export function encodeBinArray(array: BinArray): Uint8Array {
  return new Uint8Array(binArrayCodec.encode({ ...array, bins: [...array.bins] }));
}

export function encodeBitmapExtension(ext: BinArrayBitmapExtension): Uint8Array {
  return new Uint8Array(
    bitmapExtensionCodec.encode({
      ...ext,
      positiveBinArrayBitmap: ext.positiveBinArrayBitmap.map((w) => [...w]),
      negativeBinArrayBitmap: ext.negativeBinArrayBitmap.map((w) => [...w]),
    }),
  );
}
