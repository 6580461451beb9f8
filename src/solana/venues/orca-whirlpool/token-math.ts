import { MAX_SQRT_PRICE_X64, MIN_SQRT_PRICE_X64 } from './tick-math.js';

/**
 * Token amounts ↔ sqrt price moves, as orca-so/whirlpools `math/token_math.rs` and `bit_math.rs`
 * compute them. The program works in u128 and its own U256; bigint is exact, so only the places
 * where a width bounds a value (and the error it raises there) need writing out:
 * - Δa = ⌈or⌊ L·(√P₁−√P₀)·2⁶⁴ / (√P₁·√P₀) ⌉: the shifted numerator must fit 256 bits
 *   (`MultiplicationOverflow`), the quotient 128 (`NumberDownCastError`) then 64 (`TokenMaxExceeded`);
 * - Δb = L·(√P₁−√P₀) >> 64: the product must fit 128 bits (`MultiplicationShiftRightOverflow`),
 *   rounding up from u64::MAX is `MultiplicationOverflow`;
 * the two "exceeds" cases are recoverable in the first delta a swap step computes (`try_…`), fatal
 * everywhere else.
 */

export const U64_MAX = (1n << 64n) - 1n;
export const U128_MAX = (1n << 128n) - 1n;
/** Math.max/min take no bigint. */
export const maxOf = (x: bigint, y: bigint): bigint => (x > y ? x : y);
export const minOf = (x: bigint, y: bigint): bigint => (x < y ? x : y);
const U192 = 1n << 192n;
const Q64 = 64n;
const Q64_MASK = U64_MAX;

/** A program error: the swap aborts with this `ErrorCode` name. */
export class WhirlpoolProgramError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

export const fail = (code: string): never => {
  throw new WhirlpoolProgramError(code);
};

/** `AmountDeltaU64`: a u64 amount, or the error that put it out of range. */
export type AmountDelta = { readonly value: bigint } | { readonly exceeds: string };

const order = (p0: bigint, p1: bigint): [bigint, bigint] => (p0 > p1 ? [p1, p0] : [p0, p1]);

export function tryAmountDeltaA(p0: bigint, p1: bigint, liquidity: bigint, roundUp: boolean) {
  const [lower, upper] = order(p0, p1);
  const product = liquidity * (upper - lower);
  if (product >= U192) fail('MultiplicationOverflow');
  const numerator = product << Q64;
  const denominator = upper * lower;
  let result = numerator / denominator;
  if (roundUp && numerator % denominator !== 0n) result += 1n;
  if (result > U128_MAX) return { exceeds: 'NumberDownCastError' } as AmountDelta;
  if (result > U64_MAX) return { exceeds: 'TokenMaxExceeded' } as AmountDelta;
  return { value: result } as AmountDelta;
}

export function tryAmountDeltaB(p0: bigint, p1: bigint, liquidity: bigint, roundUp: boolean) {
  const [lower, upper] = order(p0, p1);
  const diff = upper - lower;
  if (liquidity === 0n || diff === 0n) return { value: 0n } as AmountDelta;
  const p = liquidity * diff;
  if (p > U128_MAX) return { exceeds: 'MultiplicationShiftRightOverflow' } as AmountDelta;
  const result = p >> Q64;
  const shouldRound = roundUp && (p & Q64_MASK) > 0n;
  if (shouldRound && result === U64_MAX)
    return { exceeds: 'MultiplicationOverflow' } as AmountDelta;
  return { value: shouldRound ? result + 1n : result } as AmountDelta;
}

export const deltaValue = (delta: AmountDelta): bigint =>
  'value' in delta ? delta.value : fail(delta.exceeds);

/** `get_next_sqrt_price_from_a_round_up`, exact-in (token A added, price falls). */
export function nextSqrtPriceFromAInput(sqrtPrice: bigint, liquidity: bigint, amount: bigint) {
  if (amount === 0n) return sqrtPrice;
  const lp = liquidity * sqrtPrice;
  if (lp >= U192) fail('MultiplicationOverflow');
  const numerator = lp << Q64;
  const denominator = (liquidity << Q64) + sqrtPrice * amount;
  let price = numerator / denominator;
  if (numerator % denominator !== 0n) price += 1n;
  if (price > U128_MAX) fail('NumberDownCastError');
  if (price < MIN_SQRT_PRICE_X64) fail('TokenMinSubceeded');
  if (price > MAX_SQRT_PRICE_X64) fail('TokenMaxExceeded');
  return price;
}

/** `get_next_sqrt_price_from_b_round_down`, exact-in (token B added, price rises, Δ floored). */
export function nextSqrtPriceFromBInput(sqrtPrice: bigint, liquidity: bigint, amount: bigint) {
  if (liquidity === 0n) fail('DivideByZero');
  const next = sqrtPrice + (amount << Q64) / liquidity;
  return next > U128_MAX ? fail('SqrtPriceOutOfBounds') : next;
}

/** `checked_mul_div_round_up_if` over u128. */
export function checkedMulDiv(n0: bigint, n1: bigint, d: bigint, roundUp: boolean): bigint {
  if (d === 0n) fail('DivideByZero');
  const p = n0 * n1;
  if (p > U128_MAX) fail('MulDivOverflow');
  const q = p / d;
  return roundUp && p % d > 0n ? q + 1n : q;
}
