import { type Address, getAddressDecoder, getAddressEncoder } from '@solana/kit';
import { WSOL_MINT } from '../../../market/types.js';
import { encodeTokenAccount } from '../../raydium-cp-layout.js';
import { AMM_INFO_SIZE } from './layout.js';

/**
 * A SOL/USDC-shaped AMM v4 pool for tests, its AmmInfo built byte for byte from the documented
 * layout (raydium-io/raydium-amm `program/src/state.rs`, `#[repr(C, packed)]`: each field written
 * at its offset with a DataView, not through the codec under test), and its two vaults as SPL
 * token accounts. Coin is WSOL (9 decimals), pc USDC (6); 1.5 SOL and 70 USDC of PnL are owed.
 */

export const FIXTURE_POOL = '58oQChx4yWmvKdwLLZzBi4ChoCc2fqCUWBkwMihLYQo2' as Address;
export const USDC_MINT = 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v' as Address;
export const FIXTURE_COIN_VAULT_AMOUNT = 12_347_178_901_234n;
export const FIXTURE_PC_VAULT_AMOUNT = 2_000_181_222_333n;
/** The authority of every AMM v4 pool, with its bump (the pool's `nonce`). */
export const AMM_AUTHORITY = '5Q544fKrFoe6tsEbD7S8EmxGTJYAKtTVhAW5Q5pge4j1' as Address;
export const AMM_AUTHORITY_NONCE = 254n;

const decoder = getAddressDecoder();
/** A distinct, valid key per tag: 32 bytes of the tag. */
export const fixtureKey = (tag: number): Address => decoder.decode(new Uint8Array(32).fill(tag));

export const FIXTURE_KEYS = {
  coinVault: fixtureKey(11),
  pcVault: fixtureKey(12),
  lpMint: fixtureKey(13),
  openOrders: fixtureKey(14),
  market: fixtureKey(15),
  marketProgram: fixtureKey(16),
  targetOrders: fixtureKey(17),
  ammOwner: fixtureKey(18),
};

export interface FixtureOverrides {
  readonly status?: bigint;
  readonly poolOpenTime?: bigint;
  readonly swapFee?: readonly [bigint, bigint];
  readonly needTakePnl?: readonly [bigint, bigint];
}

export function ammInfoBytes(o: FixtureOverrides = {}): Uint8Array {
  const data = new Uint8Array(AMM_INFO_SIZE);
  const v = new DataView(data.buffer);
  const u64 = (at: number, value: bigint) => v.setBigUint64(at, value, true);
  const key = (at: number, a: Address) => data.set(getAddressEncoder().encode(a), at);
  // 16 u64s from 0: status, nonce, order_num, depth, coin_decimals, pc_decimals, state,
  // reset_flag, min_size, vol_max_cut_ratio, amount_wave, coin/pc_lot_size, min/max price
  // multiplier, sys_decimal_value.
  const head = [o.status ?? 6n, AMM_AUTHORITY_NONCE, 7n, 3n, 9n, 6n, 1n, 1n, 0n, 500n];
  for (const [i, value] of head.entries()) u64(i * 8, value);
  u64(80, 5_000_000n);
  u64(88, 100_000_000n);
  u64(96, 100n);
  u64(104, 1n);
  u64(112, 1_000_000_000n);
  u64(120, 1_000_000_000n);
  // Fees from 128: min_separate 5/10 000, trade 25/10 000, pnl 12/100, swap fee.
  const [feeNum, feeDen] = o.swapFee ?? [25n, 10_000n];
  const fees = [5n, 10_000n, 25n, 10_000n, 12n, 100n, feeNum, feeDen];
  for (const [i, f] of fees.entries()) u64(128 + i * 8, f);
  // StateData from 192: need_take_pnl_coin, need_take_pnl_pc, total pnl pc/coin, open time.
  const [pnlCoin, pnlPc] = o.needTakePnl ?? [1_500_000_000n, 70_000_000n];
  u64(192, pnlCoin);
  u64(200, pnlPc);
  u64(208, 9_000_000n);
  u64(216, 40_000_000n);
  u64(224, o.poolOpenTime ?? 1_650_000_000n);
  // swap_coin_in_amount, a u128 at 256, to catch a mis-sized field before the keys.
  v.setBigUint64(256, 0xffff_ffff_ffff_ffffn, true);
  v.setBigUint64(264, 0x1234n, true);
  // Nine keys from 336.
  key(336, FIXTURE_KEYS.coinVault);
  key(368, FIXTURE_KEYS.pcVault);
  key(400, WSOL_MINT as Address);
  key(432, USDC_MINT);
  key(464, FIXTURE_KEYS.lpMint);
  key(496, FIXTURE_KEYS.openOrders);
  key(528, FIXTURE_KEYS.market);
  key(560, FIXTURE_KEYS.marketProgram);
  key(592, FIXTURE_KEYS.targetOrders);
  // padding1 [u64; 8] at 624, then amm_owner, lp_amount, client_order_id, recent_epoch, padding2.
  key(688, FIXTURE_KEYS.ammOwner);
  u64(720, 5_000_000_000_000n);
  u64(728, 42n);
  u64(736, 712n);
  return data;
}

/** The accounts of the fixture pool, as a venue reads them. */
export function fixtureAccounts(o: FixtureOverrides = {}): Map<Address, Uint8Array> {
  const vault = (mint: string, amount: bigint) =>
    encodeTokenAccount({ mint: mint as Address, owner: AMM_AUTHORITY, amount });
  return new Map([
    [FIXTURE_POOL, ammInfoBytes(o)],
    [FIXTURE_KEYS.coinVault, vault(WSOL_MINT, FIXTURE_COIN_VAULT_AMOUNT)],
    [FIXTURE_KEYS.pcVault, vault(USDC_MINT, FIXTURE_PC_VAULT_AMOUNT)],
  ]);
}
