/**
 * Meteora DLMM's fixed-point maths (MeteoraAg/dlmm-sdk `commons/src/math`: `u64x64_math.rs`,
 * `u128x128_math.rs`, `price_math.rs`, `utils.rs`; `commons/src/extensions/bin.rs`). Prices are
 * Q64.64 in u128; products are taken in U256 and must fit back into u128, and the program's
 * `safe_*_cast` then requires a u64. Where the program would fail, these return `null`.
 */

export const SCALE_OFFSET = 64n;
export const ONE = 1n << SCALE_OFFSET;
export const BASIS_POINT_MAX = 10_000n;
const U128_MAX = (1n << 128n) - 1n;
const U64_MAX = (1n << 64n) - 1n;
/** `MAX_EXPONENTIAL`: |exponent| at or above this has no price. */
const MAX_EXPONENTIAL = 0x80000;

export type Rounding = 'up' | 'down';

/**
 * `pow` in u64x64_math.rs: square-and-multiply over the 19 low bits of the exponent, each product
 * shifted down by 64 (floored). A base at or above one is inverted first (`u128::MAX / base`) so
 * every intermediate stays below one, and the result inverted back at the end.
 */
export function pow(base: bigint, exp: number): bigint | null {
  let invert = exp < 0;
  if (exp === 0) return ONE;
  const e = Math.abs(exp);
  if (e >= MAX_EXPONENTIAL) return null;
  let squared = base;
  let result = ONE;
  if (squared >= result) {
    if (squared === 0n) return null;
    squared = U128_MAX / squared;
    invert = !invert;
  }
  for (let bit = 1; bit < MAX_EXPONENTIAL; bit <<= 1) {
    // Both factors are below one here, so no product overflows u128.
    if (e & bit) result = (result * squared) >> SCALE_OFFSET;
    squared = (squared * squared) >> SCALE_OFFSET;
  }
  if (result === 0n) return null;
  return invert ? U128_MAX / result : result;
}

/** `get_price_from_id`: (1 + bin_step / 10 000) ^ bin_id in Q64.64. */
export function priceFromId(binId: number, binStep: number): bigint | null {
  const base = ONE + (BigInt(binStep) << SCALE_OFFSET) / BASIS_POINT_MAX;
  return pow(base, binId);
}

/** `mul_div` in U256: null on a zero denominator or a result above u128. */
export function mulDiv(
  x: bigint,
  y: bigint,
  denominator: bigint,
  rounding: Rounding,
): bigint | null {
  if (denominator === 0n) return null;
  const prod = x * y;
  let q = prod / denominator;
  if (rounding === 'up' && q * denominator !== prod) q += 1n;
  return q > U128_MAX ? null : q;
}

/** `safe_mul_shr_cast::<u64>`: x · y >> 64, as a u64. */
export function mulShrU64(x: bigint, y: bigint, rounding: Rounding): bigint | null {
  const r = mulDiv(x, y, ONE, rounding);
  return r === null || r > U64_MAX ? null : r;
}

/** `safe_shl_div_cast::<u64>`: (x << 64) / y, as a u64. */
export function shlDivU64(x: bigint, y: bigint, rounding: Rounding): bigint | null {
  const r = mulDiv(x, ONE, y, rounding);
  return r === null || r > U64_MAX ? null : r;
}

/**
 * `Bin::get_amount_in`: what buys `amountOut` at `price`. Selling X for Y pays out Y, so the input
 * is Y / price; selling Y for X, X · price.
 */
export function amountInFor(
  amountOut: bigint,
  price: bigint,
  swapForY: boolean,
  rounding: Rounding,
): bigint | null {
  return swapForY ? shlDivU64(amountOut, price, rounding) : mulShrU64(amountOut, price, rounding);
}

/** `Bin::get_amount_out`: what `amountIn` buys at `price`. */
export function amountOutFor(
  amountIn: bigint,
  price: bigint,
  swapForY: boolean,
  rounding: Rounding,
): bigint | null {
  return swapForY ? mulShrU64(price, amountIn, rounding) : shlDivU64(amountIn, price, rounding);
}
