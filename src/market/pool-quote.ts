import { amountOut, applySwap, reservesOf, type SwapResult } from './cpmm.js';
import type { CurveContext, CurveQuote } from './curve.js';
import type { PoolSnapshot, SwapDirection } from './types.js';

/**
 * The one exact swap of any pool snapshot, wherever money is decided (the simulator's ledger,
 * the strategies' sizing, the searchers' plans): a snapshot without `curve` is constant
 * product and goes through `cpmm.ts` exactly as before; one with a curve is priced by the
 * program's own maths. A swap the program would refuse pays nothing and leaves the pool as it
 * was, which is what a reverted leg does on chain.
 */

/**
 * The cluster facts a curve reads, when the caller has no clock of its own: time 0 and epoch 0.
 * The simulator's pools open at time 0 and carry no epoch schedule, so it prices them here.
 */
export const NO_CLOCK: CurveContext = { unixTimestamp: 0n, epoch: 0n };

/**
 * Facts at `ms` on a market's clock. The epoch is not a function of time (slots vary), and
 * only Token-2022 fee schedules read it; a caller that knows it passes its own context.
 */
export function curveContextAt(ms: number): CurveContext {
  return { unixTimestamp: BigInt(Math.floor(ms / 1000)), epoch: 0n };
}

/** What `amountIn` returns in `direction`, exactly; 0 where the program refuses the swap. */
export function quoteSwap(
  pool: PoolSnapshot,
  direction: SwapDirection,
  amountIn: bigint,
  context: CurveContext = NO_CLOCK,
): bigint {
  const curve = pool.curve;
  if (curve === undefined) {
    const [reserveIn, reserveOut] = reservesOf(pool, direction);
    return amountOut(reserveIn, reserveOut, amountIn, pool.feeBps);
  }
  if (amountIn <= 0n) return 0n;
  const quote = curve.maths.quote(curve.state, direction, amountIn, context);
  return quote.ok ? quote.amountOut : 0n;
}

/**
 * The swap applied: its output and the pool after it (the argument is left unchanged). A
 * curve pool's reserves become its virtual reserves at the new price where its maths say,
 * else they move by the amounts swapped.
 */
export function swapExact(
  pool: PoolSnapshot,
  direction: SwapDirection,
  amountIn: bigint,
  context: CurveContext = NO_CLOCK,
): SwapResult {
  const curve = pool.curve;
  if (curve === undefined) return applySwap(pool, direction, amountIn);
  if (amountIn <= 0n) return { amountOut: 0n, pool };
  const quote = curve.maths.quote(curve.state, direction, amountIn, context);
  if (!quote.ok) return { amountOut: 0n, pool };
  const state = curve.maths.apply(curve.state, quote, context);
  const [reserveA, reserveB] =
    curve.maths.virtualReserves?.(state) ?? carried(pool, direction, quote);
  return {
    amountOut: quote.amountOut,
    pool: { ...pool, reserveA, reserveB, curve: { maths: curve.maths, state } },
  };
}

/** Reserves moved by what entered and left, kept at 1 or more so a price stays defined. */
function carried(
  pool: PoolSnapshot,
  direction: SwapDirection,
  quote: CurveQuote,
): [bigint, bigint] {
  const floor = (x: bigint) => (x < 1n ? 1n : x);
  return direction === 'aToB'
    ? [pool.reserveA + quote.amountIn, floor(pool.reserveB - quote.amountOut)]
    : [floor(pool.reserveA - quote.amountOut), pool.reserveB + quote.amountIn];
}
