import { createHash } from 'node:crypto';
import {
  type Address,
  type Codec,
  fixCodecSize,
  getAddressCodec,
  getArrayCodec,
  getBooleanCodec,
  getBytesCodec,
  getStructCodec,
  getU8Codec,
  getU16Codec,
  getU32Codec,
  getU64Codec,
} from '@solana/kit';
import { LandfallError } from '../errors.js';

/**
 * On-chain account layouts of Raydium CP-Swap (program `CPMMoo8L3F4NbTegBCKVNunggL7H1ZpdTHKxQB5qKP1C`,
 * source raydium-io/raydium-cp-swap `programs/cp-swap/src/states/{pool,config}.rs`) and of the
 * SPL token accounts that hold its vaults. Anchor accounts start with an 8-byte discriminator,
 * sha256("account:<Name>")[0..8]; `PoolState` is `#[repr(C, packed)]`, so fields sit back to back.
 */

export const RAYDIUM_CP_PROGRAM = 'CPMMoo8L3F4NbTegBCKVNunggL7H1ZpdTHKxQB5qKP1C' as Address;
/** CP-Swap fee rates are parts per million of the input (`FEE_RATE_DENOMINATOR_VALUE`). */
export const FEE_RATE_DENOMINATOR = 1_000_000n;

export function anchorDiscriminator(namespace: 'account' | 'global', name: string): Uint8Array {
  return new Uint8Array(
    createHash('sha256').update(`${namespace}:${name}`).digest().subarray(0, 8),
  );
}

export const POOL_STATE_DISCRIMINATOR = anchorDiscriminator('account', 'PoolState');
export const AMM_CONFIG_DISCRIMINATOR = anchorDiscriminator('account', 'AmmConfig');

const address = getAddressCodec();
const u64 = getU64Codec();
const u8 = getU8Codec();

export interface PoolState {
  readonly ammConfig: Address;
  readonly poolCreator: Address;
  readonly token0Vault: Address;
  readonly token1Vault: Address;
  readonly lpMint: Address;
  readonly token0Mint: Address;
  readonly token1Mint: Address;
  readonly token0Program: Address;
  readonly token1Program: Address;
  readonly observationKey: Address;
  readonly authBump: number;
  /** Bit flags: bit 2 set disables swaps. */
  readonly status: number;
  readonly lpMintDecimals: number;
  readonly mint0Decimals: number;
  readonly mint1Decimals: number;
  readonly lpSupply: bigint;
  readonly protocolFeesToken0: bigint;
  readonly protocolFeesToken1: bigint;
  readonly fundFeesToken0: bigint;
  readonly fundFeesToken1: bigint;
  readonly openTime: bigint;
  readonly recentEpoch: bigint;
  /**
   * `CreatorFeeOn`: 0 charges the creator fee on the input token whichever it is; 1 only in
   * token 0 (on the input when selling token 0, else on the output); 2 likewise for token 1.
   */
  readonly creatorFeeOn: number;
  readonly enableCreatorFee: boolean;
  readonly creatorFeesToken0: bigint;
  readonly creatorFeesToken1: bigint;
}

const poolStateBody = getStructCodec([
  ['ammConfig', address],
  ['poolCreator', address],
  ['token0Vault', address],
  ['token1Vault', address],
  ['lpMint', address],
  ['token0Mint', address],
  ['token1Mint', address],
  ['token0Program', address],
  ['token1Program', address],
  ['observationKey', address],
  ['authBump', u8],
  ['status', u8],
  ['lpMintDecimals', u8],
  ['mint0Decimals', u8],
  ['mint1Decimals', u8],
  ['lpSupply', u64],
  ['protocolFeesToken0', u64],
  ['protocolFeesToken1', u64],
  ['fundFeesToken0', u64],
  ['fundFeesToken1', u64],
  ['openTime', u64],
  ['recentEpoch', u64],
  ['creatorFeeOn', u8],
  ['enableCreatorFee', getBooleanCodec()],
  ['padding1', fixCodecSize(getBytesCodec(), 6)],
  ['creatorFeesToken0', u64],
  ['creatorFeesToken1', u64],
  ['padding', getArrayCodec(u64, { size: 28 })],
]);
/** 8 + 10·32 + 5 + 7·8 + 2 + 6 + 2·8 + 28·8: `PoolState::LEN` in pool.rs. */
export const POOL_STATE_SIZE = 637;

export interface AmmConfig {
  readonly bump: number;
  readonly disableCreatePool: boolean;
  readonly index: number;
  /** Parts per million of the input, charged on every swap. */
  readonly tradeFeeRate: bigint;
  readonly protocolFeeRate: bigint;
  readonly fundFeeRate: bigint;
  readonly createPoolFee: bigint;
  readonly protocolOwner: Address;
  readonly fundOwner: Address;
  /** Parts per million, charged when the pool has `enableCreatorFee`. */
  readonly creatorFeeRate: bigint;
}

const ammConfigBody = getStructCodec([
  ['bump', u8],
  ['disableCreatePool', getBooleanCodec()],
  ['index', getU16Codec()],
  ['tradeFeeRate', u64],
  ['protocolFeeRate', u64],
  ['fundFeeRate', u64],
  ['createPoolFee', u64],
  ['protocolOwner', address],
  ['fundOwner', address],
  ['creatorFeeRate', u64],
  ['padding', getArrayCodec(u64, { size: 15 })],
]);
/** 8 + 1 + 1 + 2 + 4·8 + 2·32 + 8 + 15·8: `AmmConfig::LEN` in config.rs. */
export const AMM_CONFIG_SIZE = 236;

export interface TokenAccount {
  readonly mint: Address;
  readonly owner: Address;
  readonly amount: bigint;
}

/** SPL Token `Account` (165 bytes; Token-2022 appends extensions after them). */
const tokenAccountHead = getStructCodec([
  ['mint', address],
  ['owner', address],
  ['amount', u64],
  ['delegateOption', getU32Codec()],
  ['delegate', fixCodecSize(getBytesCodec(), 32)],
  ['state', u8],
  ['isNativeOption', getU32Codec()],
  ['isNative', u64],
  ['delegatedAmount', u64],
  ['closeAuthorityOption', getU32Codec()],
  ['closeAuthority', fixCodecSize(getBytesCodec(), 32)],
]);
export const TOKEN_ACCOUNT_SIZE = 165;

function anchorAccount<T extends object>(
  name: string,
  discriminator: Uint8Array,
  size: number,
  body: Codec<T & object, T & object>,
) {
  return {
    decode(data: Uint8Array, where: string): T {
      if (data.length < size) {
        throw new LandfallError(
          'LF_SOLANA_ACCOUNT_DECODE',
          `${where}: ${name} needs ${size} bytes, the account holds ${data.length}`,
        );
      }
      if (!discriminator.every((b, i) => data[i] === b)) {
        throw new LandfallError(
          'LF_SOLANA_ACCOUNT_DECODE',
          `${where}: not a ${name} account (discriminator ${Buffer.from(data.subarray(0, 8)).toString('hex')})`,
        );
      }
      return body.decode(data, 8);
    },
    encode(value: T): Uint8Array {
      const out = new Uint8Array(size);
      out.set(discriminator, 0);
      out.set(body.encode(value), 8);
      return out;
    },
  };
}

type WithPadding<T> = T & { padding: bigint[]; padding1?: Uint8Array };

const poolStateAccount = anchorAccount<WithPadding<PoolState>>(
  'Raydium CP-Swap PoolState',
  POOL_STATE_DISCRIMINATOR,
  POOL_STATE_SIZE,
  poolStateBody as unknown as Codec<WithPadding<PoolState>, WithPadding<PoolState>>,
);
const ammConfigAccount = anchorAccount<WithPadding<AmmConfig>>(
  'Raydium CP-Swap AmmConfig',
  AMM_CONFIG_DISCRIMINATOR,
  AMM_CONFIG_SIZE,
  ammConfigBody as unknown as Codec<WithPadding<AmmConfig>, WithPadding<AmmConfig>>,
);

export function decodePoolState(data: Uint8Array, where: string): PoolState {
  const { padding: _padding, padding1: _padding1, ...state } = poolStateAccount.decode(data, where);
  return state;
}

/** Discriminator and the ten addresses; what follows them is what a swap changes. */
export const POOL_STATE_ADDRESSES_END = 8 + 10 * 32;

/**
 * `prev` with the fields after the addresses re-read from `data` at their packed offsets: for
 * an update whose first POOL_STATE_ADDRESSES_END bytes are unchanged (every swap), without
 * base58-encoding ten addresses again. The caller has checked those bytes are equal.
 */
export function withPoolStateCounters(prev: PoolState, data: Uint8Array, where: string): PoolState {
  if (data.length < POOL_STATE_SIZE) {
    throw new LandfallError(
      'LF_SOLANA_ACCOUNT_DECODE',
      `${where}: Raydium CP-Swap PoolState needs ${POOL_STATE_SIZE} bytes, the account holds ${data.length}`,
    );
  }
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const u64 = (at: number) => v.getBigUint64(at, true);
  const at = POOL_STATE_ADDRESSES_END;
  return {
    ...prev,
    authBump: v.getUint8(at),
    status: v.getUint8(at + 1),
    lpMintDecimals: v.getUint8(at + 2),
    mint0Decimals: v.getUint8(at + 3),
    mint1Decimals: v.getUint8(at + 4),
    lpSupply: u64(at + 5),
    protocolFeesToken0: u64(at + 13),
    protocolFeesToken1: u64(at + 21),
    fundFeesToken0: u64(at + 29),
    fundFeesToken1: u64(at + 37),
    openTime: u64(at + 45),
    recentEpoch: u64(at + 53),
    creatorFeeOn: v.getUint8(at + 61),
    enableCreatorFee: v.getUint8(at + 62) === 1,
    creatorFeesToken0: u64(at + 69),
    creatorFeesToken1: u64(at + 77),
  };
}

export function encodePoolState(state: PoolState): Uint8Array {
  return poolStateAccount.encode({
    ...state,
    padding1: new Uint8Array(6),
    padding: new Array(28).fill(0n),
  });
}

export function decodeAmmConfig(data: Uint8Array, where: string): AmmConfig {
  const { padding: _padding, ...config } = ammConfigAccount.decode(data, where);
  return config;
}

export function encodeAmmConfig(config: AmmConfig): Uint8Array {
  return ammConfigAccount.encode({ ...config, padding: new Array(15).fill(0n) });
}

export function decodeTokenAccount(data: Uint8Array, where: string): TokenAccount {
  if (data.length < TOKEN_ACCOUNT_SIZE) {
    throw new LandfallError(
      'LF_SOLANA_ACCOUNT_DECODE',
      `${where}: an SPL token account needs ${TOKEN_ACCOUNT_SIZE} bytes, the account holds ${data.length}`,
    );
  }
  const { mint, owner, amount } = tokenAccountHead.decode(data);
  return { mint, owner, amount };
}

/**
 * Just the balance of an SPL token account (u64 LE at byte 64): the one field a vault
 * notification changes, read without decoding the two addresses before it.
 */
export function tokenAccountAmount(data: Uint8Array, where: string): bigint {
  if (data.length < TOKEN_ACCOUNT_SIZE) {
    throw new LandfallError(
      'LF_SOLANA_ACCOUNT_DECODE',
      `${where}: an SPL token account needs ${TOKEN_ACCOUNT_SIZE} bytes, the account holds ${data.length}`,
    );
  }
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getBigUint64(64, true);
}

export function encodeTokenAccount(account: TokenAccount): Uint8Array {
  return new Uint8Array(
    tokenAccountHead.encode({
      ...account,
      delegateOption: 0,
      delegate: new Uint8Array(32),
      state: 1,
      isNativeOption: 0,
      isNative: 0n,
      delegatedAmount: 0n,
      closeAuthorityOption: 0,
      closeAuthority: new Uint8Array(32),
    }),
  );
}
