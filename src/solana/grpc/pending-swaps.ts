import type { PendingSwapEvent } from '../../market/types.js';
import {
  afterSwap,
  type RaydiumCpPool,
  type SwapOutcome,
  snapshotOf,
  swapBaseInput,
  swapBaseOutput,
} from '../raydium-cp-pool.js';
import type { DecodedSwap } from './swap-decode.js';

/**
 * The pending-swap events a transaction's swaps make, each priced with the venue's exact maths
 * on the pool as the book holds it, and carrying the state it leaves (`poolAfter`). Swaps on one
 * pool in one transaction compound: each is priced on the state the previous one left. A swap
 * the program would refuse on that state (its slippage limit, an empty vault) makes no event:
 * it would fail, so it moves nothing. Also returns each pool as the whole transaction leaves it.
 */
export function pendingSwapEvents(
  swaps: readonly DecodedSwap[],
  poolOf: (id: string) => RaydiumCpPool | undefined,
  target: { readonly signature: string; readonly slot: number; readonly atMs: number },
): { events: PendingSwapEvent[]; after: ReadonlyMap<string, RaydiumCpPool> } {
  const states = new Map<string, RaydiumCpPool>();
  const out: PendingSwapEvent[] = [];
  for (const swap of swaps) {
    const pool = states.get(swap.pool) ?? poolOf(swap.pool);
    if (pool === undefined) continue;
    const q: SwapOutcome =
      swap.mode === 'baseInput'
        ? swapBaseInput(pool, swap.direction, swap.amount)
        : swapBaseOutput(pool, swap.direction, swap.amount);
    if (!q.ok) continue;
    const refused = swap.mode === 'baseInput' ? q.amountOut < swap.limit : q.amountIn > swap.limit;
    if (refused) continue;
    const after = afterSwap(pool, q);
    states.set(swap.pool, after);
    out.push({
      kind: 'pendingSwap',
      atMs: target.atMs,
      slot: target.slot,
      signature: target.signature,
      pool: swap.pool,
      direction: swap.direction,
      amountIn: q.amountIn,
      poolAfter: snapshotOf(after),
    });
  }
  return { events: out, after: states };
}
