import { type Address, getAddressDecoder, getAddressEncoder } from '@solana/kit';
import { WSOL_MINT } from '../../../market/types.js';
import { encodeMint } from '../../testing/mint-fixtures.js';
import { TOKEN_PROGRAM } from '../../token-2022.js';
import {
  BIN_ARRAY_DISCRIMINATOR,
  BIN_ARRAY_SIZE,
  LB_PAIR_DISCRIMINATOR,
  LB_PAIR_SIZE,
} from './layout.js';
import { priceFromId } from './math.js';
import { binArrayAddress } from './pda.js';

/**
 * A SOL/USDC-shaped DLMM pair for tests: bin step 10 (0.1 %), base factor 10 000 (0.1 % base
 * fee), dynamic-fee parameters as Meteora's preset for that step, active bin −1 898 (≈ 150 USDC
 * per SOL: X is WSOL, 9 decimals; Y is USDC, 6). Every account is written byte for byte at the
 * documented offsets (MeteoraAg/dlmm-sdk `idls/dlmm.json`: zero-copy `#[repr(C)]` structs after an
 * 8-byte discriminator) with a DataView, not through the codec under test. Three bin arrays
 * (−29, −28, −27) hold 5 000 USDC in each bin below the active bin, 150 SOL in each above, both in
 * the active bin; the pair's bitmap marks exactly those three.
 */

export const FIXTURE_PAIR = '5rCf1DM8LjKTw4YqhnoLcngyZYeNnQqztScTogYHAS6' as Address;
export const USDC_MINT = 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v' as Address;
export const FIXTURE_ACTIVE_ID = -1898;
export const FIXTURE_BIN_STEP = 10;
export const FIXTURE_ARRAYS = [-29, -28, -27] as const;
export const FIXTURE_Y_PER_BIN = 5_000_000_000n;
export const FIXTURE_X_PER_BIN = 150_000_000_000n;
/** Unix time of the pair's last swap. */
export const FIXTURE_LAST_SWAP = 1_749_999_000n;

const decoder = getAddressDecoder();
const fixtureKey = (tag: number): Address => decoder.decode(new Uint8Array(32).fill(tag));

export const FIXTURE_KEYS = {
  reserveX: fixtureKey(21),
  reserveY: fixtureKey(22),
  oracle: fixtureKey(23),
  creator: fixtureKey(24),
};

export interface FixtureOverrides {
  readonly status?: number;
  readonly pairType?: number;
  readonly activationPoint?: bigint;
  readonly collectFeeMode?: number;
}

export function lbPairBytes(o: FixtureOverrides = {}): Uint8Array {
  const data = new Uint8Array(LB_PAIR_SIZE);
  const v = new DataView(data.buffer);
  const key = (at: number, a: Address) => data.set(getAddressEncoder().encode(a), at);
  data.set(LB_PAIR_DISCRIMINATOR, 0);
  // StaticParameters at 8: base_factor, filter_period, decay_period, reduction_factor (u16),
  // variable_fee_control, max_volatility_accumulator (u32), min/max_bin_id (i32),
  // protocol_share (u16), base_fee_power_factor, function_type, collect_fee_mode (u8).
  v.setUint16(8, 10_000, true);
  v.setUint16(10, 30, true);
  v.setUint16(12, 600, true);
  v.setUint16(14, 5_000, true);
  v.setUint32(16, 7_500, true);
  v.setUint32(20, 150_000, true);
  v.setInt32(24, -443_636, true);
  v.setInt32(28, 443_636, true);
  v.setUint16(32, 500, true);
  data[34] = 0;
  data[35] = 0;
  data[36] = o.collectFeeMode ?? 0;
  // VariableParameters at 40: volatility_accumulator, volatility_reference (u32),
  // index_reference (i32), 4 bytes of padding, last_update_timestamp (i64), 8 of padding.
  v.setUint32(40, 30_000, true);
  v.setUint32(44, 10_000, true);
  v.setInt32(48, FIXTURE_ACTIVE_ID + 2, true);
  v.setBigInt64(56, FIXTURE_LAST_SWAP, true);
  // bump_seed at 72, bin_step_seed at 73, pair_type 75, active_id 76, bin_step 80, status 82,
  // require_base_factor_seed 83, base_factor_seed 84, activation_type 86.
  data[72] = 255;
  v.setUint16(73, FIXTURE_BIN_STEP, true);
  data[75] = o.pairType ?? 0;
  v.setInt32(76, FIXTURE_ACTIVE_ID, true);
  v.setUint16(80, FIXTURE_BIN_STEP, true);
  data[82] = o.status ?? 0;
  v.setUint16(84, 10_000, true);
  data[86] = 1;
  // Mints and reserves from 88; protocol_fee (two u64) at 216.
  key(88, WSOL_MINT as Address);
  key(120, USDC_MINT);
  key(152, FIXTURE_KEYS.reserveX);
  key(184, FIXTURE_KEYS.reserveY);
  v.setBigUint64(216, 12_345n, true);
  v.setBigUint64(224, 67_890n, true);
  // Reward infos at 264 (two of 144 bytes) keep default mints: no farm, so limit orders apply.
  key(552, FIXTURE_KEYS.oracle);
  // bin_array_bitmap at 584: 16 u64, bit (index + 512) per bin array.
  for (const index of FIXTURE_ARRAYS) {
    const bit = index + 512;
    const at = 584 + (bit >> 6) * 8;
    v.setBigUint64(at, v.getBigUint64(at, true) | (1n << BigInt(bit & 63)), true);
  }
  v.setBigInt64(712, FIXTURE_LAST_SWAP - 86_400n, true);
  // activation_point at 816 (a timestamp: activation_type 1).
  v.setBigUint64(816, o.activationPoint ?? 1_700_000_000n, true);
  key(848, FIXTURE_KEYS.creator);
  // token_mint_x/y_program_flag at 880, 881 (SPL Token); version at 882.
  data[882] = 1;
  return data;
}

export function binArrayBytes(index: number): Uint8Array {
  const data = new Uint8Array(BIN_ARRAY_SIZE);
  const v = new DataView(data.buffer);
  data.set(BIN_ARRAY_DISCRIMINATOR, 0);
  // index (i64) at 8, version at 16, 7 bytes of padding, lb_pair at 24, bins from 56.
  v.setBigInt64(8, BigInt(index), true);
  data[16] = 1;
  data.set(getAddressEncoder().encode(FIXTURE_PAIR), 24);
  for (let i = 0; i < 70; i++) {
    const id = index * 70 + i;
    // Bin: amount_x u64 at 0, amount_y u64 at 8, price u128 at 16, liquidity_supply u128 at 32.
    const at = 56 + i * 144;
    const x = id >= FIXTURE_ACTIVE_ID ? FIXTURE_X_PER_BIN : 0n;
    const y = id <= FIXTURE_ACTIVE_ID ? FIXTURE_Y_PER_BIN : 0n;
    const price = priceFromId(id, FIXTURE_BIN_STEP) ?? 0n;
    v.setBigUint64(at, x, true);
    v.setBigUint64(at + 8, y, true);
    v.setBigUint64(at + 16, price & 0xffff_ffff_ffff_ffffn, true);
    v.setBigUint64(at + 24, price >> 64n, true);
    v.setBigUint64(at + 32, x + y, true);
  }
  return data;
}

/** The accounts of the fixture pair, as the venue reads them. */
export function fixtureAccounts(o: FixtureOverrides = {}): Map<Address, Uint8Array> {
  return new Map<Address, Uint8Array>([
    [FIXTURE_PAIR, lbPairBytes(o)],
    [WSOL_MINT as Address, encodeMint({ program: TOKEN_PROGRAM, decimals: 9 })],
    [USDC_MINT, encodeMint({ program: TOKEN_PROGRAM, decimals: 6 })],
    ...FIXTURE_ARRAYS.map(
      (i) => [binArrayAddress(FIXTURE_PAIR, i), binArrayBytes(i)] as [Address, Uint8Array],
    ),
  ]);
}
