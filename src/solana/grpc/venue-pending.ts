import type { PoolSnapshot } from '../../market/types.js';
import type { LivePool } from '../live-pool.js';
import type { AmmV4Pool } from '../venues/raydium-amm-v4/math.js';
import { AMM_V4_VENUE } from '../venues/raydium-amm-v4/snapshot.js';
import type { ChainContext, QuoteOk, QuoteRefused } from '../venues/venue.js';
import { ammV4SwapBaseOut } from './amm-v4-exact-out.js';
import type { DecodedSwap } from './swap-decode.js';

/**
 * A streamed swap on a pool of a live venue other than CP-Swap, priced with the venue's exact
 * maths on the pool as the book holds it, at the clock of the moment the stream delivered it (a
 * DLMM fee decays with time): what it pays and the pool it leaves. An exact-out swap is filled as
 * its program fills it where that is written (AMM v4); elsewhere (DLMM's `swap_exact_out`) it is
 * skipped with its reason rather than approximated.
 */
export type VenueFill =
  | { readonly ok: true; readonly quote: QuoteOk; readonly after: LivePool }
  | { readonly ok: false; readonly reason: string };

type ExactOut = (
  state: unknown,
  direction: DecodedSwap['direction'],
  amountOut: bigint,
  context: ChainContext,
) => QuoteOk | QuoteRefused;

/** Venues whose exact-out swap is filled here, by name. */
const EXACT_OUT = new Map<string, ExactOut>([
  [
    AMM_V4_VENUE,
    (state, direction, amountOut, context) =>
      ammV4SwapBaseOut(state as AmmV4Pool, direction, amountOut, context.unixTimestamp),
  ],
]);

export function fillVenueSwap(pool: LivePool, swap: DecodedSwap, nowSeconds: number): VenueFill {
  const { venue } = pool;
  const context =
    BigInt(nowSeconds) > pool.context.unixTimestamp
      ? { ...pool.context, unixTimestamp: BigInt(nowSeconds) }
      : pool.context;
  if (swap.unpriced !== undefined) return { ok: false, reason: swap.unpriced };
  let quote: QuoteOk | QuoteRefused;
  if (swap.mode === 'baseInput') {
    quote = venue.quote(pool.state, swap.direction, swap.amount, context);
    if (quote.ok && quote.amountOut < swap.limit)
      return { ok: false, reason: `${venue.name}: below its minimum out` };
  } else {
    const exactOut = EXACT_OUT.get(venue.name);
    if (exactOut === undefined) return { ok: false, reason: `${venue.name}: exact-out not priced` };
    quote = exactOut(pool.state, swap.direction, swap.amount, context);
    if (quote.ok && quote.amountIn > swap.limit)
      return { ok: false, reason: `${venue.name}: above its maximum in` };
  }
  if (!quote.ok) return { ok: false, reason: `${venue.name}: refused ${quote.refusal}` };
  const state = venue.apply(pool.state, quote, context);
  return { ok: true, quote, after: { ...pool, state, context } };
}

/** The pool a fill leaves, as the book would snapshot it: the venue's description and curve. */
export function liveSnapshot(pool: LivePool): PoolSnapshot {
  return {
    ...pool.venue.snapshot(pool.address, pool.state),
    curve: { maths: pool.venue, state: pool.state },
  };
}
