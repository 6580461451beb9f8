import type { PoolSnapshot, SwapDirection } from './types.js';

/**
 * Constant-product (x·y = k) pool math. The bigint functions are the exact on-chain rounding
 * used on the landing path; the float ones are for sizing on the hot path, where a relative
 * error of 1e-12 does not matter because every landing is re-checked exactly.
 *
 * Rounding follows the usual Solana AMM programs (Raydium AMM v4 style): the fee is taken
 * on the input and rounded up (the pool never undercharges), the output is rounded down,
 * and the whole input (fee included) is added to the input reserve.
 */

const BPS = 10_000n;

/** The fee charged on `amountIn`: ceil(amountIn · feeBps / 10 000). */
export function swapFee(amountIn: bigint, feeBps: number): bigint {
  const numerator = amountIn * BigInt(feeBps);
  return (numerator + BPS - 1n) / BPS;
}

/** Output of a swap: floor(reserveOut · inAfterFee / (reserveIn + inAfterFee)). */
export function amountOut(
  reserveIn: bigint,
  reserveOut: bigint,
  amountIn: bigint,
  feeBps: number,
): bigint {
  const afterFee = amountIn - swapFee(amountIn, feeBps);
  if (afterFee <= 0n) return 0n;
  return (reserveOut * afterFee) / (reserveIn + afterFee);
}

/**
 * How far the execution price falls short of the spot price, excluding the fee:
 * 1 − (out / inAfterFee) / (reserveOut / reserveIn), with the exact rounded output.
 */
export function priceImpact(
  reserveIn: bigint,
  reserveOut: bigint,
  amountIn: bigint,
  feeBps: number,
): number {
  const afterFee = amountIn - swapFee(amountIn, feeBps);
  if (afterFee <= 0n) return 0;
  const out = amountOut(reserveIn, reserveOut, amountIn, feeBps);
  const den = afterFee * reserveOut;
  const num = den - out * reserveIn;
  // Scale before the division so the ratio keeps 18 significant digits in bigint.
  return Number((num * 10n ** 18n) / den) / 1e18;
}

/** Float output for sizing; no rounding. */
export function amountOutFloat(
  reserveIn: number,
  reserveOut: number,
  amountIn: number,
  feeBps: number,
): number {
  const afterFee = amountIn * (1 - feeBps / 10_000);
  return afterFee <= 0 ? 0 : (reserveOut * afterFee) / (reserveIn + afterFee);
}

/** Float price impact for sizing: inAfterFee / (reserveIn + inAfterFee). */
export function priceImpactFloat(reserveIn: number, amountIn: number, feeBps: number): number {
  const afterFee = amountIn * (1 - feeBps / 10_000);
  return afterFee <= 0 ? 0 : afterFee / (reserveIn + afterFee);
}

/** The mint a swap spends and the one it receives. */
export function mintsOf(pool: PoolSnapshot, direction: SwapDirection): [string, string] {
  return direction === 'aToB' ? [pool.mintA, pool.mintB] : [pool.mintB, pool.mintA];
}

/** The direction that spends `inputMint`, or null when the pool does not hold it. */
export function directionFor(pool: PoolSnapshot, inputMint: string): SwapDirection | null {
  if (pool.mintA === inputMint) return 'aToB';
  if (pool.mintB === inputMint) return 'bToA';
  return null;
}

/** [reserveIn, reserveOut] for a swap in `direction`. */
export function reservesOf(pool: PoolSnapshot, direction: SwapDirection): [bigint, bigint] {
  return direction === 'aToB' ? [pool.reserveA, pool.reserveB] : [pool.reserveB, pool.reserveA];
}

export interface SwapResult {
  readonly amountOut: bigint;
  /** The pool after the swap. */
  readonly pool: PoolSnapshot;
}

/** Applies a swap exactly and returns the new pool state; the input is not modified. */
export function applySwap(
  pool: PoolSnapshot,
  direction: SwapDirection,
  amountIn: bigint,
): SwapResult {
  const [reserveIn, reserveOut] = reservesOf(pool, direction);
  const out = amountOut(reserveIn, reserveOut, amountIn, pool.feeBps);
  const next =
    direction === 'aToB'
      ? { ...pool, reserveA: pool.reserveA + amountIn, reserveB: pool.reserveB - out }
      : { ...pool, reserveA: pool.reserveA - out, reserveB: pool.reserveB + amountIn };
  return { amountOut: out, pool: next };
}

/** Spot price of mint A in units of mint B (atomic units), as a float. */
export function spotPrice(pool: PoolSnapshot): number {
  return Number(pool.reserveB) / Number(pool.reserveA);
}
