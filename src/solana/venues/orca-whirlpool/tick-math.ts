/**
 * Tick index ↔ Q64.64 sqrt price, bit for bit as orca-so/whirlpools
 * `programs/whirlpool/src/math/tick_math.rs` computes them: a product of precomputed
 * `sqrt(1.0001)^(2^k)` factors (Q96 above tick 0, Q64 below, each product truncated), and the
 * inverse as a 14-bit log₂ estimate checked against the forward map. Bigint is exact, so the
 * truncations are the program's own.
 */

import { fail, U128_MAX } from './token-math.js';

export const MIN_TICK_INDEX = -443636;
export const MAX_TICK_INDEX = 443636;
export const MIN_SQRT_PRICE_X64 = 4295048016n;
export const MAX_SQRT_PRICE_X64 = 79226673515401279992447579055n;
/** Ticks per tick array (`TICK_ARRAY_SIZE`). */
export const TICK_ARRAY_SIZE = 88;

const POSITIVE_FACTORS_Q96 = [
  79236085330515764027303304731n,
  79244008939048815603706035061n,
  79259858533276714757314932305n,
  79291567232598584799939703904n,
  79355022692464371645785046466n,
  79482085999252804386437311141n,
  79736823300114093921829183326n,
  80248749790819932309965073892n,
  81282483887344747381513967011n,
  83390072131320151908154831281n,
  87770609709833776024991924138n,
  97234110755111693312479820773n,
  119332217159966728226237229890n,
  179736315981702064433883588727n,
  407748233172238350107850275304n,
  2098478828474011932436660412517n,
  55581415166113811149459800483533n,
  38992368544603139932233054999993551n,
];

const NEGATIVE_FACTORS_Q64 = [
  18444899583751176498n,
  18443055278223354162n,
  18439367220385604838n,
  18431993317065449817n,
  18417254355718160513n,
  18387811781193591352n,
  18329067761203520168n,
  18212142134806087854n,
  17980523815641551639n,
  17526086738831147013n,
  16651378430235024244n,
  15030750278693429944n,
  12247334978882834399n,
  8131365268884726200n,
  3584323654723342297n,
  696457651847595233n,
  26294789957452057n,
  37481735321082n,
];

/**
 * `sqrt_price_from_tick_index`; exact for ticks in [MIN_TICK_INDEX, MAX_TICK_INDEX], and like the
 * program it aborts (`ArithmeticAbort`) above MAX_TICK_INDEX, where a Q96 product exceeds u128.
 */
export function sqrtPriceFromTickIndex(tick: number): bigint {
  if (tick >= 0) {
    let ratio = tick & 1 ? 79232123823359799118286999567n : 79228162514264337593543950336n;
    for (const [i, factor] of POSITIVE_FACTORS_Q96.entries()) {
      if (tick & (2 << i)) {
        ratio = (ratio * factor) >> 96n;
        // `mul_shift_96` is `mul_u256(n0, n1).shift_right(96).try_into_u128().unwrap()`
        // (programs/whirlpool/src/math/tick_math.rs:98-100): a product of 2¹²⁸ or more (any tick
        // above MAX_TICK_INDEX) panics. The core's copy (rust-sdk/core/src/math/tick.rs:323-326,
        // `as_u128()`) truncates instead.
        if (ratio > U128_MAX) fail('ArithmeticAbort');
      }
    }
    return ratio >> 32n;
  }
  const abs = -tick;
  let ratio = abs & 1 ? 18445821805675392311n : 18446744073709551616n;
  for (const [i, factor] of NEGATIVE_FACTORS_Q64.entries()) {
    if (abs & (2 << i)) ratio = (ratio * factor) >> 64n;
  }
  return ratio;
}

const LOG_B_2_X32 = 59543866431248n;
const BIT_PRECISION = 14;
const LOG_B_P_ERR_MARGIN_LOWER_X64 = 184467440737095516n;
const LOG_B_P_ERR_MARGIN_UPPER_X64 = 15793534762490258745n;

/** `tick_index_from_sqrt_price`: the greatest tick whose sqrt price is at most `sqrtPrice`. */
export function tickIndexFromSqrtPrice(sqrtPrice: bigint): number {
  const msb = BigInt(sqrtPrice.toString(2).length - 1);
  const log2pIntegerX32 = (msb - 64n) << 32n;
  let bit = 0x8000_0000_0000_0000n;
  let log2pFractionX64 = 0n;
  let r = msb >= 64n ? sqrtPrice >> (msb - 63n) : sqrtPrice << (63n - msb);
  for (let precision = 0; bit > 0n && precision < BIT_PRECISION; precision++) {
    r *= r;
    const isMoreThanTwo = r >> 127n;
    r >>= 63n + isMoreThanTwo;
    log2pFractionX64 += bit * isMoreThanTwo;
    bit >>= 1n;
  }
  const log2pX32 = log2pIntegerX32 + (log2pFractionX64 >> 32n);
  const logbpX64 = log2pX32 * LOG_B_2_X32;
  // i128 `>>` is arithmetic, as bigint's is.
  const tickLow = Number((logbpX64 - LOG_B_P_ERR_MARGIN_LOWER_X64) >> 64n);
  const tickHigh = Number((logbpX64 + LOG_B_P_ERR_MARGIN_UPPER_X64) >> 64n);
  if (tickLow === tickHigh) return tickLow;
  return sqrtPriceFromTickIndex(tickHigh) <= sqrtPrice ? tickHigh : tickLow;
}

/** `floor_division` (int_division_math.rs) for a positive divisor. */
export function floorDivision(dividend: number, divisor: number): number {
  return Math.floor(dividend / divisor);
}
