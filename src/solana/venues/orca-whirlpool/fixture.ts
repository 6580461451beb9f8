import { type Address, getAddressDecoder, getAddressEncoder } from '@solana/kit';
import { WSOL_MINT } from '../../../market/types.js';
import { encodeMint } from '../../testing/mint-fixtures.js';
import { TOKEN_PROGRAM } from '../../token-2022.js';
import { oracleAddress, tickArrayAddress } from './accounts.js';
import {
  DYNAMIC_TICK_ARRAY_DISCRIMINATOR,
  FIXED_TICK_ARRAY_DISCRIMINATOR,
  ORACLE_DISCRIMINATOR,
  ORACLE_SIZE,
  WHIRLPOOL_DISCRIMINATOR,
  WHIRLPOOL_SIZE,
} from './layout.js';
import { sqrtPriceFromTickIndex } from './tick-math.js';

/**
 * A SOL/USDC-shaped adaptive-fee Whirlpool for tests, every account written byte for byte at the
 * offsets of orca-so/whirlpools `state/` (with a DataView, not through the codecs under test):
 * Whirlpool (Borsh, 653 bytes), fixed TickArray and Oracle (`repr(C, packed)`, 9 988 and 254),
 * one dynamic TickArray (tag-per-tick), one tick-array PDA with no account (empty data), and two
 * SPL mints.
 * Tick spacing 64 on an adaptive tier (fee tier index 1 088), 0.30 % static fee, 13 % protocol
 * fee, the price ~150 USDC/SOL (tick −18 972). Liquidity: one wide position across all five
 * arrays and three narrow ones around the price, so swaps cross ticks.
 */

export const FIXTURE_POOL = 'HJPjoWUrhoZzkNfRpHuieeFk9WcZWjwy6PBjZ81ngndJ' as Address;
export const USDC_MINT = 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v' as Address;
export const FIXTURE_TICK_SPACING = 64;
export const FIXTURE_TICK = -18_972;
/** 5 632 ticks per array at spacing 64. */
export const FIXTURE_STARTS = {
  fixed: [-33_792, -22_528, -16_896],
  dynamic: -11_264,
} as const;
/** A PDA with no account (no position has a tick there): the program reads zeroed ticks. */
export const FIXTURE_ABSENT_START = -28_160;

const decoder = getAddressDecoder();
export const fixtureKey = (tag: number): Address => decoder.decode(new Uint8Array(32).fill(tag));
export const FIXTURE_KEYS = {
  config: fixtureKey(31),
  vaultA: fixtureKey(32),
  vaultB: fixtureKey(33),
  rewardMint: fixtureKey(34),
  rewardVault: fixtureKey(35),
};

/** [lower, upper, liquidity] of each position. */
export const FIXTURE_POSITIONS: readonly [number, number, bigint][] = [
  [-33_600, -6_144, 10_000_000_000_000n],
  [-19_200, -18_752, 3_000_000_000_000n],
  [-19_520, -18_944, 2_000_000_000_000n],
  [-18_944, -17_920, 4_000_000_000_000n],
];

export const FIXTURE_LIQUIDITY = FIXTURE_POSITIONS.filter(
  ([lower, upper]) => lower <= FIXTURE_TICK && FIXTURE_TICK < upper,
).reduce((sum, [, , l]) => sum + l, 0n);

const key = (data: Uint8Array, at: number, a: Address) =>
  data.set(getAddressEncoder().encode(a), at);
const u128 = (v: DataView, at: number, value: bigint) => {
  v.setBigUint64(at, value & 0xffff_ffff_ffff_ffffn, true);
  v.setBigUint64(at + 8, (value >> 64n) & 0xffff_ffff_ffff_ffffn, true);
};
const i128 = (v: DataView, at: number, value: bigint) => u128(v, at, BigInt.asUintN(128, value));

export function whirlpoolBytes(): Uint8Array {
  const data = new Uint8Array(WHIRLPOOL_SIZE);
  const v = new DataView(data.buffer);
  data.set(WHIRLPOOL_DISCRIMINATOR, 0);
  key(data, 8, FIXTURE_KEYS.config);
  data[40] = 254; // whirlpool_bump
  v.setUint16(41, FIXTURE_TICK_SPACING, true);
  v.setUint16(43, 1_088, true); // fee_tier_index_seed: an adaptive tier
  v.setUint16(45, 3_000, true); // fee_rate, ppm
  v.setUint16(47, 1_300, true); // protocol_fee_rate, bps
  u128(v, 49, FIXTURE_LIQUIDITY);
  // Between ticks −18 972 and −18 971.
  u128(v, 65, sqrtPriceFromTickIndex(FIXTURE_TICK) + 1_000_000n);
  v.setInt32(81, FIXTURE_TICK, true);
  v.setBigUint64(85, 12_345n, true); // protocol_fee_owed_a
  v.setBigUint64(93, 678n, true); // protocol_fee_owed_b
  key(data, 101, WSOL_MINT as Address);
  key(data, 133, FIXTURE_KEYS.vaultA);
  u128(v, 165, 0x1234_5678_9abc_def0_1122_3344n); // fee_growth_global_a
  key(data, 181, USDC_MINT);
  key(data, 213, FIXTURE_KEYS.vaultB);
  u128(v, 245, 0x0fed_cba9_8765_4321n); // fee_growth_global_b
  v.setBigUint64(261, 1_749_990_000n, true); // reward_last_updated_timestamp
  // reward_infos from 269, 128 bytes each: one live reward, the others unset.
  key(data, 269, FIXTURE_KEYS.rewardMint);
  key(data, 301, FIXTURE_KEYS.rewardVault);
  u128(v, 269 + 96, 5n << 60n); // emissions_per_second_x64
  u128(v, 269 + 112, 1n << 70n); // growth_global_x64
  return data;
}

/** Ticks of the fixture's positions that fall in the array at `start`, as [offset, net, gross]. */
function ticksIn(start: number): [number, bigint, bigint][] {
  const out = new Map<number, [bigint, bigint]>();
  for (const [lower, upper, l] of FIXTURE_POSITIONS) {
    for (const [tick, net] of [
      [lower, l],
      [upper, -l],
    ] as const) {
      const offset = (tick - start) / FIXTURE_TICK_SPACING;
      if (offset < 0 || offset >= 88) continue;
      const [n, g] = out.get(offset) ?? [0n, 0n];
      out.set(offset, [n + net, g + l]);
    }
  }
  return [...out.entries()].map(([o, [n, g]]) => [o, n, g]);
}

export function fixedTickArrayBytes(start: number): Uint8Array {
  const data = new Uint8Array(9_988);
  const v = new DataView(data.buffer);
  data.set(FIXED_TICK_ARRAY_DISCRIMINATOR, 0);
  v.setInt32(8, start, true);
  // Ticks from 12, 113 bytes each: initialized, liquidity_net i128, liquidity_gross, fee growth
  // outside A and B, three reward growths outside.
  for (const [offset, net, gross] of ticksIn(start)) {
    const at = 12 + offset * 113;
    data[at] = 1;
    i128(v, at + 1, net);
    u128(v, at + 17, gross);
    u128(v, at + 33, BigInt(offset) << 64n);
    u128(v, at + 49, 7n);
  }
  key(data, 9_956, FIXTURE_POOL);
  return data;
}

export function dynamicTickArrayBytes(start: number): Uint8Array {
  const ticks = new Map(ticksIn(start).map(([o, n, g]) => [o, [n, g] as const]));
  const data = new Uint8Array(60 + 88 + ticks.size * 112);
  const v = new DataView(data.buffer);
  data.set(DYNAMIC_TICK_ARRAY_DISCRIMINATOR, 0);
  v.setInt32(8, start, true);
  key(data, 12, FIXTURE_POOL);
  let bitmap = 0n;
  let at = 60;
  for (let offset = 0; offset < 88; offset++) {
    const tick = ticks.get(offset);
    if (tick === undefined) {
      at += 1; // tag 0: uninitialised
      continue;
    }
    bitmap |= 1n << BigInt(offset);
    data[at] = 1;
    i128(v, at + 1, tick[0]);
    u128(v, at + 17, tick[1]);
    at += 113;
  }
  u128(v, 44, bitmap);
  return data;
}

export function oracleBytes(): Uint8Array {
  const data = new Uint8Array(ORACLE_SIZE);
  const v = new DataView(data.buffer);
  data.set(ORACLE_DISCRIMINATOR, 0);
  key(data, 8, FIXTURE_POOL);
  v.setBigUint64(40, 1_700_000_000n, true); // trade_enable_timestamp
  // AdaptiveFeeConstants from 48.
  v.setUint16(48, 30, true); // filter_period
  v.setUint16(50, 600, true); // decay_period
  v.setUint16(52, 5_000, true); // reduction_factor
  v.setUint32(54, 4_000, true); // adaptive_fee_control_factor
  v.setUint32(58, 350_000, true); // max_volatility_accumulator
  v.setUint16(62, 64, true); // tick_group_size
  v.setUint16(64, 64, true); // major_swap_threshold_ticks
  // AdaptiveFeeVariables from 82.
  v.setBigUint64(82, 1_749_999_900n, true); // last_reference_update_timestamp
  v.setBigUint64(90, 1_749_999_950n, true); // last_major_swap_timestamp
  v.setUint32(98, 20_000, true); // volatility_reference
  v.setInt32(102, -297, true); // tick_group_index_reference
  v.setUint32(106, 30_000, true); // volatility_accumulator
  return data;
}

/** Every account the fixture pool is read from, as a venue reads them. */
export function fixtureAccounts(): Map<Address, Uint8Array> {
  const accounts = new Map<Address, Uint8Array>([[FIXTURE_POOL, whirlpoolBytes()]]);
  for (const start of FIXTURE_STARTS.fixed) {
    accounts.set(tickArrayAddress(FIXTURE_POOL, start), fixedTickArrayBytes(start));
  }
  const dynamic = FIXTURE_STARTS.dynamic;
  accounts.set(tickArrayAddress(FIXTURE_POOL, dynamic), dynamicTickArrayBytes(dynamic));
  accounts.set(tickArrayAddress(FIXTURE_POOL, FIXTURE_ABSENT_START), new Uint8Array(0));
  accounts.set(oracleAddress(FIXTURE_POOL), oracleBytes());
  accounts.set(WSOL_MINT as Address, encodeMint({ program: TOKEN_PROGRAM, decimals: 9 }));
  accounts.set(USDC_MINT, encodeMint({ program: TOKEN_PROGRAM, decimals: 6 }));
  return accounts;
}
