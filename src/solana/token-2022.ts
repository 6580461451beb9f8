import type { Address } from '@solana/kit';
import { LandfallError } from '../errors.js';

/**
 * Mint accounts of SPL Token and Token-2022, and Token-2022's transfer fee, as the token programs
 * compute it (solana-program/token-2022 `program@v8.0.1`, the version Raydium CP-Swap links:
 * `extension/transfer_fee/mod.rs`, `extension/mod.rs`, `state.rs`).
 *
 * A Token-2022 mint is the 82-byte SPL mint, zero padding up to byte 165, an account-type byte
 * (1 = mint) and then type-length-value extensions (u16 type, u16 length, value). Extensions that
 * change what a transfer moves or whether it succeeds are refused by name unless modelled here.
 */

export const TOKEN_PROGRAM = 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA' as Address;
export const TOKEN_2022_PROGRAM = 'TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb' as Address;

/** `MAX_FEE_BASIS_POINTS`: a transfer fee of 100 %. */
export const MAX_FEE_BASIS_POINTS = 10_000;
const ONE_IN_BASIS_POINTS = 10_000n;
const U64_MAX = (1n << 64n) - 1n;

export const MINT_SIZE = 82;
/** `Account::LEN`: where a Token-2022 mint's account-type byte sits. */
const BASE_ACCOUNT_LENGTH = 165;
const MULTISIG_LENGTH = 355;
const ACCOUNT_TYPE_MINT = 1;

export interface TransferFee {
  /** First epoch the fee applies in. */
  readonly epoch: bigint;
  readonly maximumFee: bigint;
  /** 0..10 000. */
  readonly basisPoints: number;
}

export interface TransferFeeConfig {
  /** Applies while `epoch < newerTransferFee.epoch`. */
  readonly olderTransferFee: TransferFee;
  readonly newerTransferFee: TransferFee;
}

export interface MintInfo {
  /** The owning token program: TOKEN_PROGRAM or TOKEN_2022_PROGRAM. */
  readonly program: Address;
  readonly decimals: number;
  /** Token-2022's TransferFeeConfig extension, or null when the mint charges none. */
  readonly transferFee: TransferFeeConfig | null;
}

/** An SPL Token mint: what every pool leg held before Token-2022. */
export function plainMint(decimals: number): MintInfo {
  return { program: TOKEN_PROGRAM, decimals, transferFee: null };
}

/** `ExtensionType` in declaration order (its u16 value is the index). */
export const EXTENSION_NAMES = [
  'Uninitialized',
  'TransferFeeConfig',
  'TransferFeeAmount',
  'MintCloseAuthority',
  'ConfidentialTransferMint',
  'ConfidentialTransferAccount',
  'DefaultAccountState',
  'ImmutableOwner',
  'MemoTransfer',
  'NonTransferable',
  'InterestBearingConfig',
  'CpiGuard',
  'PermanentDelegate',
  'NonTransferableAccount',
  'TransferHook',
  'TransferHookAccount',
  'ConfidentialTransferFeeConfig',
  'ConfidentialTransferFeeAmount',
  'MetadataPointer',
  'TokenMetadata',
  'GroupPointer',
  'TokenGroup',
  'GroupMemberPointer',
  'TokenGroupMember',
  'ConfidentialMintBurn',
  'ScaledUiAmount',
  'Pausable',
  'PausableAccount',
] as const;
export type ExtensionName = (typeof EXTENSION_NAMES)[number];

const TRANSFER_FEE_CONFIG = 1;
/** Two optional authorities, withheld amount, older and newer `TransferFee` (8 + 8 + 2 each). */
const TRANSFER_FEE_CONFIG_SIZE = 32 + 32 + 8 + 18 + 18;

/**
 * Extensions that leave a plain `transfer_checked` of raw amounts unchanged: metadata and group
 * records, the close authority, and the two that only rescale the UI amount. Any other (transfer
 * hook, pausable, non-transferable, permanent delegate, default frozen state, confidential
 * transfers) can fail or alter a transfer in ways the quote does not model.
 */
const NEUTRAL_EXTENSIONS: ReadonlySet<ExtensionName> = new Set<ExtensionName>([
  'TransferFeeConfig',
  'MintCloseAuthority',
  'InterestBearingConfig',
  'MetadataPointer',
  'TokenMetadata',
  'GroupPointer',
  'TokenGroup',
  'GroupMemberPointer',
  'TokenGroupMember',
  'ScaledUiAmount',
]);

function decodeError(where: string, why: string): LandfallError {
  return new LandfallError('LF_SOLANA_ACCOUNT_DECODE', `${where}: ${why}`);
}

/**
 * Decodes a mint account owned by `owner`. Throws LF_SOLANA_ACCOUNT_DECODE for an account that is
 * not an initialised mint of either token program, and for a Token-2022 mint carrying an
 * extension this module does not model (the message names each).
 */
export function decodeMint(data: Uint8Array, owner: string, where: string): MintInfo {
  if (owner !== TOKEN_PROGRAM && owner !== TOKEN_2022_PROGRAM) {
    throw decodeError(where, `owner ${owner} is neither the SPL Token nor the Token-2022 program`);
  }
  const program = owner as Address;
  if (program === TOKEN_PROGRAM ? data.length !== MINT_SIZE : data.length < MINT_SIZE) {
    throw decodeError(where, `a mint of ${program} cannot hold ${data.length} bytes`);
  }
  // `is_initialized` is the byte after the supply and decimals.
  if (data[45] !== 1) throw decodeError(where, 'the mint is not initialised');
  const decimals = data[44] as number;
  if (program === TOKEN_PROGRAM || data.length === MINT_SIZE) {
    return { program, decimals, transferFee: null };
  }
  const types = extensionTypes(data, where);
  const unknown = types.filter((t) => !NEUTRAL_EXTENSIONS.has(EXTENSION_NAMES[t] as ExtensionName));
  if (unknown.length > 0) {
    const names = unknown.map((t) => EXTENSION_NAMES[t] ?? `unknown extension type ${t}`);
    throw decodeError(
      where,
      `Token-2022 mint carries extensions whose effect on a transfer is not modelled: ${names.join(', ')}`,
    );
  }
  const fee = findExtension(data, TRANSFER_FEE_CONFIG);
  return {
    program,
    decimals,
    transferFee: fee === null ? null : decodeTransferFeeConfig(data, fee, where),
  };
}

/** `StateWithExtensions::<Mint>::unpack` then `get_extension_types`, with its validity checks. */
function extensionTypes(data: Uint8Array, where: string): number[] {
  if (data.length === MULTISIG_LENGTH || data.length <= BASE_ACCOUNT_LENGTH + 1) {
    throw decodeError(where, `a Token-2022 mint cannot hold ${data.length} bytes`);
  }
  for (let i = MINT_SIZE; i < BASE_ACCOUNT_LENGTH; i++) {
    if (data[i] !== 0) throw decodeError(where, 'Token-2022 mint padding is not zero');
  }
  if (data[BASE_ACCOUNT_LENGTH] !== ACCOUNT_TYPE_MINT) {
    throw decodeError(where, `account type ${data[BASE_ACCOUNT_LENGTH]} is not a mint`);
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const types: number[] = [];
  let at = BASE_ACCOUNT_LENGTH + 1;
  // A trailing byte too short for a type, or an Uninitialized type, ends the list (realloc room).
  while (at + 2 <= data.length) {
    const type = view.getUint16(at, true);
    if (type === 0) break;
    if (at + 4 > data.length) throw decodeError(where, `extension ${type} has no length`);
    const end = at + 4 + view.getUint16(at + 2, true);
    if (end > data.length) throw decodeError(where, `extension ${type} runs past the account`);
    types.push(type);
    at = end;
  }
  return types;
}

/** Offset and length of the first extension of `type`, or null. Call after extensionTypes. */
function findExtension(data: Uint8Array, type: number): { at: number; length: number } | null {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let at = BASE_ACCOUNT_LENGTH + 1;
  while (at + 4 <= data.length) {
    const t = view.getUint16(at, true);
    if (t === 0) return null;
    const length = view.getUint16(at + 2, true);
    if (t === type) return { at: at + 4, length };
    at += 4 + length;
  }
  return null;
}

function decodeTransferFeeConfig(
  data: Uint8Array,
  ext: { at: number; length: number },
  where: string,
): TransferFeeConfig {
  if (ext.length !== TRANSFER_FEE_CONFIG_SIZE) {
    throw decodeError(
      where,
      `TransferFeeConfig holds ${ext.length} bytes, not ${TRANSFER_FEE_CONFIG_SIZE}`,
    );
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const fee = (at: number): TransferFee => {
    const basisPoints = view.getUint16(at + 16, true);
    if (basisPoints > MAX_FEE_BASIS_POINTS) {
      throw decodeError(where, `transfer fee of ${basisPoints} basis points exceeds 100 %`);
    }
    return {
      epoch: view.getBigUint64(at, true),
      maximumFee: view.getBigUint64(at + 8, true),
      basisPoints,
    };
  };
  const older = ext.at + 32 + 32 + 8;
  return { olderTransferFee: fee(older), newerTransferFee: fee(older + 18) };
}

/** `TransferFeeConfig::get_epoch_fee`. */
export function epochFee(config: TransferFeeConfig, epoch: bigint): TransferFee {
  return epoch >= config.newerTransferFee.epoch ? config.newerTransferFee : config.olderTransferFee;
}

/** `TransferFee::calculate_fee`: ceil(amount · bps / 10⁴), capped at the maximum fee. */
export function calculateFee(fee: TransferFee, preFeeAmount: bigint): bigint {
  if (fee.basisPoints === 0 || preFeeAmount === 0n) return 0n;
  const raw =
    (preFeeAmount * BigInt(fee.basisPoints) + ONE_IN_BASIS_POINTS - 1n) / ONE_IN_BASIS_POINTS;
  return raw < fee.maximumFee ? raw : fee.maximumFee;
}

/**
 * `TransferFee::calculate_pre_fee_amount`: the smallest transfer that nets `postFeeAmount`, or
 * null where the program returns None (the amount would not fit a u64).
 */
export function calculatePreFeeAmount(fee: TransferFee, postFeeAmount: bigint): bigint | null {
  const bps = BigInt(fee.basisPoints);
  const asU64 = (v: bigint) => (v > U64_MAX ? null : v);
  if (bps === 0n) return postFeeAmount;
  if (postFeeAmount === 0n) return 0n;
  if (bps === ONE_IN_BASIS_POINTS) return asU64(fee.maximumFee + postFeeAmount);
  const denominator = ONE_IN_BASIS_POINTS - bps;
  const raw = (postFeeAmount * ONE_IN_BASIS_POINTS + denominator - 1n) / denominator;
  if (raw - postFeeAmount >= fee.maximumFee) return asU64(postFeeAmount + fee.maximumFee);
  return asU64(raw);
}

/** `TransferFee::calculate_inverse_fee`: the fee charged on that smallest transfer, or null. */
export function calculateInverseFee(fee: TransferFee, postFeeAmount: bigint): bigint | null {
  const pre = calculatePreFeeAmount(fee, postFeeAmount);
  return pre === null ? null : calculateFee(fee, pre);
}

/** The fee a transfer of `amount` of this mint pays in `epoch` (0 for SPL Token mints). */
export function transferFeeOf(mint: MintInfo, epoch: bigint, amount: bigint): bigint {
  return mint.transferFee === null ? 0n : calculateFee(epochFee(mint.transferFee, epoch), amount);
}
