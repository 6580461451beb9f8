import { mintsOf } from '../market/cpmm.js';
import type { CurveContext } from '../market/curve.js';
import { NO_CLOCK, swapExact } from '../market/pool-quote.js';
import { type PoolSnapshot, type Submission, type SwapLeg, WSOL_MINT } from '../market/types.js';
import type { SwapRecord } from './pools.js';

export type Execution =
  | { readonly ok: true; readonly swaps: SwapRecord[]; readonly quoteDelta: bigint }
  | { readonly ok: false; readonly failedLeg: number };

/**
 * Runs a submission's legs in order against current pool states without committing them:
 * all or nothing. A leg returning less than its `minAmountOut`, or nothing (its program refused),
 * fails the whole unit. Curve pools are priced at `context`, the market's clock. A pool
 * used twice sees the first leg's effect. `quoteDelta` is the net change of the searcher's
 * wSOL: what the legs returned minus what they spent (other mints' residue counts as zero).
 */
export function simulateLegs(
  legs: readonly SwapLeg[],
  lookup: (poolId: string) => PoolSnapshot | undefined,
  context: CurveContext = NO_CLOCK,
): Execution {
  const touched = new Map<string, PoolSnapshot>();
  const swaps: SwapRecord[] = [];
  let previous = 0n;
  let quoteDelta = 0n;
  for (let i = 0; i < legs.length; i++) {
    const leg = legs[i] as SwapLeg;
    const pool = touched.get(leg.pool) ?? lookup(leg.pool);
    if (pool === undefined) return { ok: false, failedLeg: i };
    const amountIn = leg.amountIn === 'previous' ? previous : leg.amountIn;
    const result = swapExact(pool, leg.direction, amountIn, context);
    // A program that refuses (or pays nothing) reverts the whole transaction, whatever the minimum.
    if (amountIn <= 0n || result.amountOut <= 0n || result.amountOut < leg.minAmountOut)
      return { ok: false, failedLeg: i };
    const [mintIn, mintOut] = mintsOf(pool, leg.direction);
    if (mintIn === WSOL_MINT) quoteDelta -= amountIn;
    if (mintOut === WSOL_MINT) quoteDelta += result.amountOut;
    touched.set(leg.pool, result.pool);
    swaps.push({
      pool: result.pool,
      direction: leg.direction,
      amountIn,
      amountOut: result.amountOut,
    });
    previous = result.amountOut;
  }
  return { ok: true, swaps, quoteDelta };
}

/** Base fee per signature plus the priority fee: ceil(CU price × CU limit / 10⁶) lamports. */
export function feesOf(submission: Submission, baseFeeLamports: number): bigint {
  const priority =
    (submission.priorityFeeMicroLamports * BigInt(submission.computeUnitLimit) + 999_999n) /
    1_000_000n;
  return BigInt(baseFeeLamports) * BigInt(submission.signatures) + priority;
}
