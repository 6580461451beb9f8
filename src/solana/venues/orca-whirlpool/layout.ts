import {
  type Address,
  fixCodecSize,
  getAddressCodec,
  getArrayCodec,
  getBytesCodec,
  getI32Codec,
  getStructCodec,
  getU16Codec,
  getU32Codec,
  getU64Codec,
  getU128Codec,
  type ReadonlyUint8Array,
} from '@solana/kit';
import { decodeError, hasDiscriminator, withDiscriminator } from './anchor-account.js';

/**
 * The accounts of Orca's Whirlpool program (`whirLbMiicVdio4qvUfM5KAg6Ct8VwpYzGff3uctyCc`, source
 * orca-so/whirlpools `programs/whirlpool/src/state/`), each an Anchor account: an 8-byte
 * discriminator (sha256("account:<Name>")[..8]) then the struct. Whirlpool is Borsh (`#[account]`);
 * the Oracle is `#[repr(C, packed)]` zero-copy, a byte-exact concatenation of its fields with no
 * padding. The two tick array kinds are in tick-array-layout.ts (re-exported here). Field names are
 * the program's, in camelCase.
 */

export const WHIRLPOOL_PROGRAM = 'whirLbMiicVdio4qvUfM5KAg6Ct8VwpYzGff3uctyCc' as Address;

export const WHIRLPOOL_DISCRIMINATOR = Uint8Array.of(63, 149, 209, 12, 225, 128, 99, 9);
export const ORACLE_DISCRIMINATOR = Uint8Array.of(139, 194, 131, 179, 140, 179, 229, 244);

/** 8 + 261 + 3 × 128 (`Whirlpool::LEN`). */
export const WHIRLPOOL_SIZE = 653;
/** 8 + 32 + 8 + 34 + 44 + 128 (`Oracle::LEN`). */
export const ORACLE_SIZE = 254;

export interface WhirlpoolRewardInfo {
  readonly mint: Address;
  readonly vault: Address;
  /** Was `authority`; now [0] the reward authority, [1] control flags, [2] reserved. */
  readonly extension: ReadonlyUint8Array;
  readonly emissionsPerSecondX64: bigint;
  readonly growthGlobalX64: bigint;
}

export interface Whirlpool {
  readonly whirlpoolsConfig: Address;
  readonly whirlpoolBump: ReadonlyUint8Array;
  readonly tickSpacing: number;
  /** The fee tier's index, little-endian: equal to tick_spacing unless an adaptive fee tier. */
  readonly feeTierIndexSeed: ReadonlyUint8Array;
  /** Hundredths of a basis point (ppm). */
  readonly feeRate: number;
  /** Basis points of the fee. */
  readonly protocolFeeRate: number;
  readonly liquidity: bigint;
  /** Q64.64. */
  readonly sqrtPrice: bigint;
  readonly tickCurrentIndex: number;
  readonly protocolFeeOwedA: bigint;
  readonly protocolFeeOwedB: bigint;
  readonly tokenMintA: Address;
  readonly tokenVaultA: Address;
  readonly feeGrowthGlobalA: bigint;
  readonly tokenMintB: Address;
  readonly tokenVaultB: Address;
  readonly feeGrowthGlobalB: bigint;
  readonly rewardLastUpdatedTimestamp: bigint;
  readonly rewardInfos: readonly WhirlpoolRewardInfo[];
}

export interface AdaptiveFeeConstantsAccount {
  readonly filterPeriod: number;
  readonly decayPeriod: number;
  readonly reductionFactor: number;
  readonly adaptiveFeeControlFactor: number;
  readonly maxVolatilityAccumulator: number;
  readonly tickGroupSize: number;
  readonly majorSwapThresholdTicks: number;
  readonly reserved: ReadonlyUint8Array;
}

export interface AdaptiveFeeVariablesAccount {
  readonly lastReferenceUpdateTimestamp: bigint;
  readonly lastMajorSwapTimestamp: bigint;
  readonly volatilityReference: number;
  readonly tickGroupIndexReference: number;
  readonly volatilityAccumulator: number;
  readonly reserved: ReadonlyUint8Array;
}

export interface Oracle {
  readonly whirlpool: Address;
  /** Swaps fail with TradeIsNotEnabled before this unix time. */
  readonly tradeEnableTimestamp: bigint;
  readonly adaptiveFeeConstants: AdaptiveFeeConstantsAccount;
  readonly adaptiveFeeVariables: AdaptiveFeeVariablesAccount;
  readonly reserved: ReadonlyUint8Array;
}

const address = getAddressCodec();
const u16 = getU16Codec();
const u32 = getU32Codec();
const u64 = getU64Codec();
const u128 = getU128Codec();
const bytes = (n: number) => fixCodecSize(getBytesCodec(), n);

const rewardInfoCodec = getStructCodec([
  ['mint', address],
  ['vault', address],
  ['extension', bytes(32)],
  ['emissionsPerSecondX64', u128],
  ['growthGlobalX64', u128],
]);

const whirlpoolCodec = getStructCodec([
  ['whirlpoolsConfig', address],
  ['whirlpoolBump', bytes(1)],
  ['tickSpacing', u16],
  ['feeTierIndexSeed', bytes(2)],
  ['feeRate', u16],
  ['protocolFeeRate', u16],
  ['liquidity', u128],
  ['sqrtPrice', u128],
  ['tickCurrentIndex', getI32Codec()],
  ['protocolFeeOwedA', u64],
  ['protocolFeeOwedB', u64],
  ['tokenMintA', address],
  ['tokenVaultA', address],
  ['feeGrowthGlobalA', u128],
  ['tokenMintB', address],
  ['tokenVaultB', address],
  ['feeGrowthGlobalB', u128],
  ['rewardLastUpdatedTimestamp', u64],
  ['rewardInfos', getArrayCodec(rewardInfoCodec, { size: 3 })],
]);

const adaptiveFeeConstantsCodec = getStructCodec([
  ['filterPeriod', u16],
  ['decayPeriod', u16],
  ['reductionFactor', u16],
  ['adaptiveFeeControlFactor', u32],
  ['maxVolatilityAccumulator', u32],
  ['tickGroupSize', u16],
  ['majorSwapThresholdTicks', u16],
  ['reserved', bytes(16)],
]);

const adaptiveFeeVariablesCodec = getStructCodec([
  ['lastReferenceUpdateTimestamp', u64],
  ['lastMajorSwapTimestamp', u64],
  ['volatilityReference', u32],
  ['tickGroupIndexReference', getI32Codec()],
  ['volatilityAccumulator', u32],
  ['reserved', bytes(16)],
]);

const oracleCodec = getStructCodec([
  ['whirlpool', address],
  ['tradeEnableTimestamp', u64],
  ['adaptiveFeeConstants', adaptiveFeeConstantsCodec],
  ['adaptiveFeeVariables', adaptiveFeeVariablesCodec],
  ['reserved', bytes(128)],
]);

/** Byte offsets in the Whirlpool account (discriminator included), checked against the codec. */
export const WHIRLPOOL_OFFSETS = {
  tickSpacing: 41,
  feeTierIndexSeed: 43,
  feeRate: 45,
  protocolFeeRate: 47,
  liquidity: 49,
  sqrtPrice: 65,
  tickCurrentIndex: 81,
  tokenMintA: 101,
  tokenVaultA: 133,
  feeGrowthGlobalA: 165,
  tokenMintB: 181,
  tokenVaultB: 213,
  feeGrowthGlobalB: 245,
  rewardLastUpdatedTimestamp: 261,
  rewardInfos: 269,
} as const;

function checked(data: Uint8Array, what: string, discriminator: Uint8Array, where: string) {
  if (!hasDiscriminator(data, discriminator)) {
    throw decodeError(where, `not an Orca ${what} account (discriminator mismatch)`);
  }
}

export function decodeWhirlpool(data: Uint8Array, where: string): Whirlpool {
  if (data.length !== WHIRLPOOL_SIZE) {
    throw decodeError(
      where,
      `an Orca Whirlpool is ${WHIRLPOOL_SIZE} bytes, the account holds ${data.length}`,
    );
  }
  checked(data, 'Whirlpool', WHIRLPOOL_DISCRIMINATOR, where);
  return whirlpoolCodec.decode(data, 8);
}

export function decodeOracle(data: Uint8Array, where: string): Oracle {
  if (data.length !== ORACLE_SIZE) {
    throw decodeError(
      where,
      `an Orca Oracle is ${ORACLE_SIZE} bytes, the account holds ${data.length}`,
    );
  }
  checked(data, 'Oracle', ORACLE_DISCRIMINATOR, where);
  return oracleCodec.decode(data, 8);
}

export function encodeWhirlpool(w: Whirlpool): Uint8Array {
  const body = whirlpoolCodec.encode({ ...w, rewardInfos: w.rewardInfos.map((r) => ({ ...r })) });
  return withDiscriminator(WHIRLPOOL_DISCRIMINATOR, body);
}

export function encodeOracle(o: Oracle): Uint8Array {
  return withDiscriminator(ORACLE_DISCRIMINATOR, oracleCodec.encode(o));
}

export * from './tick-array-layout.js';
