import type { PendingSwapEvent, PoolSnapshot } from '../../market/types.js';
import type { LivePool } from '../live-pool.js';
import {
  afterSwap,
  type RaydiumCpPool,
  type SwapOutcome,
  snapshotOf,
  swapBaseInput,
  swapBaseOutput,
} from '../raydium-cp-pool.js';
import type { DecodedSwap } from './swap-decode.js';
import { fillVenueSwap, liveSnapshot } from './venue-pending.js';

/**
 * The pending-swap events a transaction's swaps make, each priced with the venue's exact maths
 * on the pool as the book holds it, and carrying the state it leaves (`poolAfter`). Swaps on one
 * pool in one transaction compound: each is priced on the state the previous one left. A swap
 * the program would refuse on that state (its slippage limit, an empty vault) makes no event:
 * it would fail, so it moves nothing; nor does one the maths here cannot fill exactly (counted
 * through `skipped`). Also returns each pool as the whole transaction leaves it (CP-Swap pools
 * as their model, others as live pools) and what each swap paid and received (`fills`, aligned
 * with `swaps`; undefined where it was not priced).
 */
export interface SwapFill {
  readonly amountIn: bigint;
  readonly amountOut: bigint;
}

export interface VenuePools {
  /** A watched pool of another venue than CP-Swap. */
  readonly livePool?: (id: string) => LivePool | undefined;
  readonly skipped?: (reason: string) => void;
}

export interface PendingSwaps {
  readonly events: PendingSwapEvent[];
  readonly after: ReadonlyMap<string, RaydiumCpPool>;
  readonly afterLive: ReadonlyMap<string, LivePool>;
  readonly fills: ReadonlyArray<SwapFill | undefined>;
}

export function pendingSwapEvents(
  swaps: readonly DecodedSwap[],
  poolOf: (id: string) => RaydiumCpPool | undefined,
  target: { readonly signature: string; readonly slot: number; readonly atMs: number },
  venues: VenuePools = {},
): PendingSwaps {
  const states = new Map<string, RaydiumCpPool>();
  const lives = new Map<string, LivePool>();
  const out: PendingSwapEvent[] = [];
  const fills: Array<SwapFill | undefined> = [];
  const nowSeconds = Math.floor(target.atMs / 1000);
  const priced = (swap: DecodedSwap, fill: SwapFill, poolAfter: PoolSnapshot) => {
    fills.push(fill);
    out.push({
      kind: 'pendingSwap',
      atMs: target.atMs,
      slot: target.slot,
      signature: target.signature,
      pool: swap.pool,
      direction: swap.direction,
      amountIn: fill.amountIn,
      poolAfter,
    });
  };
  for (const swap of swaps) {
    const pool = states.get(swap.pool) ?? poolOf(swap.pool);
    if (pool !== undefined) {
      const q: SwapOutcome =
        swap.mode === 'baseInput'
          ? swapBaseInput(pool, swap.direction, swap.amount)
          : swapBaseOutput(pool, swap.direction, swap.amount);
      const refused =
        !q.ok || (swap.mode === 'baseInput' ? q.amountOut < swap.limit : q.amountIn > swap.limit);
      if (!q.ok || refused) {
        fills.push(undefined);
        continue;
      }
      const after = afterSwap(pool, q);
      states.set(swap.pool, after);
      priced(swap, q, snapshotOf(after));
      continue;
    }
    const live = lives.get(swap.pool) ?? venues.livePool?.(swap.pool);
    const fill = live === undefined ? undefined : fillVenueSwap(live, swap, nowSeconds);
    if (fill?.ok !== true) {
      if (fill !== undefined) venues.skipped?.(fill.reason);
      fills.push(undefined);
      continue;
    }
    let snapshot: PoolSnapshot;
    try {
      snapshot = liveSnapshot(fill.after);
    } catch (err) {
      // A state the venue cannot describe (AMM v4 owing more PnL than a vault holds) moves nothing.
      venues.skipped?.(`${live?.venue.name}: ${(err as Error).message}`);
      fills.push(undefined);
      continue;
    }
    lives.set(swap.pool, fill.after);
    priced(swap, fill.quote, snapshot);
  }
  return { events: out, after: states, afterLive: lives, fills };
}
