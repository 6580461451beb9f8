import {
  type Address,
  getAddressCodec,
  getArrayCodec,
  getStructCodec,
  getU64Codec,
  getU128Codec,
} from '@solana/kit';
import { LandfallError } from '../../../errors.js';

/**
 * The AmmInfo account of Raydium's AMM v4 (program `675kPX9MHTjS2zt1qfr1NYHuzeLXfQM9H24wFSUt1Mp8`,
 * source raydium-io/raydium-amm `program/src/state.rs`). It is a `#[repr(C, packed)]` Pod struct
 * with no discriminator: the program accepts an account of exactly `size_of::<AmmInfo>()` bytes
 * owned by it, and a status other than Uninitialized (`AmmInfo::load_mut_checked`).
 *
 * Field names are the program's. "Coin" is the pool's first token, "pc" its second.
 */

export const RAYDIUM_AMM_V4_PROGRAM = '675kPX9MHTjS2zt1qfr1NYHuzeLXfQM9H24wFSUt1Mp8' as Address;
/** 16 u64s + `Fees` (8 u64s) + `StateData` (144 bytes) + 9 pubkeys + 8 u64s + a pubkey + 4 u64s. */
export const AMM_INFO_SIZE = 752;

/** `AmmStatus` in state.rs. */
export const AmmStatus = {
  Uninitialized: 0n,
  Initialized: 1n,
  Disabled: 2n,
  WithdrawOnly: 3n,
  LiquidityOnly: 4n,
  OrderBookOnly: 5n,
  SwapOnly: 6n,
  WaitingTrade: 7n,
} as const;

export interface AmmFees {
  readonly minSeparateNumerator: bigint;
  readonly minSeparateDenominator: bigint;
  readonly tradeFeeNumerator: bigint;
  readonly tradeFeeDenominator: bigint;
  readonly pnlNumerator: bigint;
  readonly pnlDenominator: bigint;
  /** The fee a swap pays, on its input, rounded up: 25 / 10 000 on every pool created so far. */
  readonly swapFeeNumerator: bigint;
  readonly swapFeeDenominator: bigint;
}

export interface AmmStateData {
  /** PnL owed to the protocol but still in the coin vault: not the pool's to trade. */
  readonly needTakePnlCoin: bigint;
  readonly needTakePnlPc: bigint;
  readonly totalPnlPc: bigint;
  readonly totalPnlCoin: bigint;
  /** Unix seconds; a `WaitingTrade` pool refuses swaps before it. */
  readonly poolOpenTime: bigint;
  readonly padding: readonly bigint[];
  readonly orderbookToInitTime: bigint;
  readonly swapCoinInAmount: bigint;
  readonly swapPcOutAmount: bigint;
  readonly swapAccPcFee: bigint;
  readonly swapPcInAmount: bigint;
  readonly swapCoinOutAmount: bigint;
  readonly swapAccCoinFee: bigint;
}

export interface AmmInfo {
  readonly status: bigint;
  /** Bump of the pool authority, `create_program_address(["amm authority", nonce])`. */
  readonly nonce: bigint;
  readonly orderNum: bigint;
  readonly depth: bigint;
  readonly coinDecimals: bigint;
  readonly pcDecimals: bigint;
  readonly state: bigint;
  readonly resetFlag: bigint;
  readonly minSize: bigint;
  readonly volMaxCutRatio: bigint;
  readonly amountWave: bigint;
  readonly coinLotSize: bigint;
  readonly pcLotSize: bigint;
  readonly minPriceMultiplier: bigint;
  readonly maxPriceMultiplier: bigint;
  readonly sysDecimalValue: bigint;
  readonly fees: AmmFees;
  readonly stateData: AmmStateData;
  readonly coinVault: Address;
  readonly pcVault: Address;
  readonly coinVaultMint: Address;
  readonly pcVaultMint: Address;
  readonly lpMint: Address;
  readonly openOrders: Address;
  readonly market: Address;
  readonly marketProgram: Address;
  readonly targetOrders: Address;
  readonly padding1: readonly bigint[];
  readonly ammOwner: Address;
  readonly lpAmount: bigint;
  readonly clientOrderId: bigint;
  readonly recentEpoch: bigint;
  readonly padding2: bigint;
}

const u64 = getU64Codec();
const u128 = getU128Codec();
const address = getAddressCodec();

const feesCodec = getStructCodec([
  ['minSeparateNumerator', u64],
  ['minSeparateDenominator', u64],
  ['tradeFeeNumerator', u64],
  ['tradeFeeDenominator', u64],
  ['pnlNumerator', u64],
  ['pnlDenominator', u64],
  ['swapFeeNumerator', u64],
  ['swapFeeDenominator', u64],
]);

const stateDataCodec = getStructCodec([
  ['needTakePnlCoin', u64],
  ['needTakePnlPc', u64],
  ['totalPnlPc', u64],
  ['totalPnlCoin', u64],
  ['poolOpenTime', u64],
  ['padding', getArrayCodec(u64, { size: 2 })],
  ['orderbookToInitTime', u64],
  ['swapCoinInAmount', u128],
  ['swapPcOutAmount', u128],
  ['swapAccPcFee', u64],
  ['swapPcInAmount', u128],
  ['swapCoinOutAmount', u128],
  ['swapAccCoinFee', u64],
]);

const ammInfoCodec = getStructCodec([
  ['status', u64],
  ['nonce', u64],
  ['orderNum', u64],
  ['depth', u64],
  ['coinDecimals', u64],
  ['pcDecimals', u64],
  ['state', u64],
  ['resetFlag', u64],
  ['minSize', u64],
  ['volMaxCutRatio', u64],
  ['amountWave', u64],
  ['coinLotSize', u64],
  ['pcLotSize', u64],
  ['minPriceMultiplier', u64],
  ['maxPriceMultiplier', u64],
  ['sysDecimalValue', u64],
  ['fees', feesCodec],
  ['stateData', stateDataCodec],
  ['coinVault', address],
  ['pcVault', address],
  ['coinVaultMint', address],
  ['pcVaultMint', address],
  ['lpMint', address],
  ['openOrders', address],
  ['market', address],
  ['marketProgram', address],
  ['targetOrders', address],
  ['padding1', getArrayCodec(u64, { size: 8 })],
  ['ammOwner', address],
  ['lpAmount', u64],
  ['clientOrderId', u64],
  ['recentEpoch', u64],
  ['padding2', u64],
]);

/** Byte offsets the program's packed layout puts these at (checked against the codec in tests). */
export const AMM_INFO_OFFSETS = {
  status: 0,
  swapFeeNumerator: 128 + 48,
  needTakePnlCoin: 192,
  needTakePnlPc: 200,
  poolOpenTime: 224,
  coinVault: 336,
  pcVault: 368,
  coinVaultMint: 400,
  pcVaultMint: 432,
  recentEpoch: 736,
} as const;

export function decodeAmmInfo(data: Uint8Array, where: string): AmmInfo {
  if (data.length !== AMM_INFO_SIZE) {
    throw new LandfallError(
      'LF_SOLANA_ACCOUNT_DECODE',
      `${where}: a Raydium AMM v4 AmmInfo is ${AMM_INFO_SIZE} bytes, the account holds ${data.length}`,
    );
  }
  const info = ammInfoCodec.decode(data);
  if (info.status === AmmStatus.Uninitialized) {
    throw new LandfallError(
      'LF_SOLANA_ACCOUNT_DECODE',
      `${where}: Raydium AMM v4 AmmInfo is uninitialized (status 0)`,
    );
  }
  return info;
}

export function encodeAmmInfo(info: AmmInfo): Uint8Array {
  // The codec wants mutable arrays; these are copies.
  const stateData = { ...info.stateData, padding: [...info.stateData.padding] };
  return new Uint8Array(ammInfoCodec.encode({ ...info, stateData, padding1: [...info.padding1] }));
}
