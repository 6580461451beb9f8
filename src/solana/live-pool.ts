import type { Address } from '@solana/kit';
import type { SwapDirection } from '../market/types.js';
import type { RaydiumCpPool } from './raydium-cp-pool.js';
import { raydiumCp } from './venues/raydium-cp/venue.js';
import type { ChainContext, LiveVenue, QuoteOk, QuoteRefused } from './venues/venue.js';

/**
 * A watched pool of any venue as the live path plans and builds on it: the venue that prices it
 * and builds its swap, the state that venue decoded, the cluster facts it was decoded under, and
 * its two mints in the venue's order (`aToB` spends `mintA`).
 */
export interface LivePool {
  readonly address: Address;
  readonly venue: LiveVenue;
  readonly state: unknown;
  readonly context: ChainContext;
  readonly mintA: Address;
  readonly mintB: Address;
}

/**
 * A CP-Swap pool as a live pool. Its open time stands in for the clock: the safety gate checks
 * the open time at the send's own clock (`untradable`), so a plan prices the swap as the program
 * will once the pool is open, exactly as the CP path always has.
 */
export function cpLivePool(pool: RaydiumCpPool): LivePool {
  return {
    address: pool.address,
    venue: raydiumCp,
    state: pool,
    context: { unixTimestamp: pool.state.openTime, epoch: pool.epoch },
    mintA: pool.state.token0Mint,
    mintB: pool.state.token1Mint,
  };
}

/** `[spent, received]` mints of a swap on `pool` in `direction`. */
export function legMints(pool: LivePool, direction: SwapDirection): [Address, Address] {
  return direction === 'aToB' ? [pool.mintA, pool.mintB] : [pool.mintB, pool.mintA];
}

/**
 * The venue's exact quote. `nowSeconds`, when given, moves the clock forward from the one the
 * state was decoded under (never back), so a pool that opened since its last change is priced
 * as open.
 */
export function quoteLive(
  pool: LivePool,
  direction: SwapDirection,
  amountIn: bigint,
  nowSeconds?: number,
): QuoteOk | QuoteRefused {
  let context = pool.context;
  if (nowSeconds !== undefined && BigInt(nowSeconds) > context.unixTimestamp)
    context = { ...context, unixTimestamp: BigInt(nowSeconds) };
  return pool.venue.quote(pool.state, direction, amountIn, context);
}
