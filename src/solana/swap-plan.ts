import type { Address, Instruction, TransactionSigner } from '@solana/kit';
import { LandfallError } from '../errors.js';
import { type Submission, type SwapDirection, WSOL_MINT } from '../market/types.js';
import { cpLivePool, type LivePool, legMints, quoteLive } from './live-pool.js';
import type { PoolDirectory } from './watched-pools.js';

/**
 * What each leg of a submission spends and must return, on the pools' current state (each leg's
 * venue's own exact maths on the book: the legs may cross venues). Every venue's swap is exact
 * input, so a leg that spends `'previous'` spends
 * the previous leg's predicted output less a small tolerance, and the previous leg's minimum
 * output is that same reduced amount: a one-unit rounding difference leaves dust in the wallet
 * instead of reverting the chain, and the chain either has its input or reverts, never half-runs.
 *
 * The profit guard: when the legs return to the input mint and that mint is wrapped SOL, the last
 * leg's minimum output is raised to amountIn + tip + fees + margin, so a trade that would not pay
 * for itself reverts on chain (a bundle then does not land; a direct transaction pays its fee).
 */
export interface PlannedLeg {
  readonly pool: LivePool;
  readonly direction: SwapDirection;
  readonly amountIn: bigint;
  /** Predicted output on the current book. */
  readonly expectedOut: bigint;
  minOut: bigint;
}

export interface SwapPlan {
  readonly legs: readonly PlannedLeg[];
  readonly inputMint: Address;
  readonly outputMint: Address;
  /** The first leg's input. */
  readonly amountIn: bigint;
  /** The last leg's predicted output. */
  readonly expectedOut: bigint;
}

const BPS = 10_000n;

/** What a chained leg holds back from the previous leg's predicted output: ≥ 1 unit. */
export function chainTolerance(expected: bigint, toleranceBps: number): bigint {
  const t = (expected * BigInt(toleranceBps)) / BPS;
  return t > 0n ? t : 1n;
}

/**
 * Where a plan finds its pools: any watched pool (`livePool`), or a CP-Swap model alone (a
 * backrun's pools as its target leaves them, tests).
 */
export type PlanPools = Pick<PoolDirectory, 'pool'> & Partial<Pick<PoolDirectory, 'livePool'>>;

function poolOf(pools: PlanPools, id: string): LivePool | undefined {
  const live = pools.livePool?.(id);
  if (live !== undefined) return live;
  const cp = pools.pool(id);
  return cp === undefined ? undefined : cpLivePool(cp);
}

function mints(pool: LivePool, direction: SwapDirection): [Address, Address] {
  return legMints(pool, direction);
}

/**
 * Throws LF_MARKET_SUBMISSION_INVALID for a leg that names an unknown pool or no input, or that
 * does not spend the previous leg's output (the legs must form one chain), and
 * LF_MARKET_CONDITION for one the pool would refuse on its current state.
 */
export function planSwaps(
  submission: Submission,
  pools: PlanPools,
  toleranceBps: number,
  /** The plan's clock (Unix seconds), for venues that gate swaps by time. */
  nowSeconds?: number,
): SwapPlan {
  const bad = (i: number, why: string) =>
    new LandfallError(
      'LF_MARKET_SUBMISSION_INVALID',
      `submission ${submission.id} leg ${i}: ${why}`,
    );
  const legs: PlannedLeg[] = [];
  for (const [i, leg] of submission.legs.entries()) {
    const pool = poolOf(pools, leg.pool);
    if (pool === undefined) throw bad(i, `pool ${leg.pool} is not a watched, fully read pool`);
    const previous = legs[i - 1];
    // The guard below floors the last leg at the FIRST leg's input: it covers what the trade
    // spent only if every later leg spends what the one before returned, mint to mint.
    if (previous !== undefined) {
      if (leg.amountIn !== 'previous')
        throw bad(i, "every leg after the first must spend 'previous' (one chain of swaps)");
      const [inMint] = mints(pool, leg.direction);
      const [, prevOut] = mints(previous.pool, previous.direction);
      if (inMint !== prevOut)
        throw bad(i, `spends ${inMint}, but the previous leg returns ${prevOut}`);
    }
    let amountIn: bigint;
    if (leg.amountIn !== 'previous') amountIn = leg.amountIn;
    else if (previous === undefined) throw bad(i, "the first leg cannot spend 'previous'");
    else {
      amountIn = previous.expectedOut - chainTolerance(previous.expectedOut, toleranceBps);
      if (amountIn > previous.minOut) previous.minOut = amountIn;
    }
    if (amountIn <= 0n) {
      // A chained leg with nothing to spend: the previous pool moved so far that it returns 0.
      if (leg.amountIn === 'previous')
        throw new LandfallError(
          'LF_MARKET_CONDITION',
          `submission ${submission.id} leg ${i}: the previous leg now returns nothing to spend`,
        );
      throw bad(i, 'amountIn must be positive');
    }
    const quote = quoteLive(pool, leg.direction, amountIn, nowSeconds);
    if (!quote.ok) {
      throw new LandfallError(
        'LF_MARKET_CONDITION',
        `submission ${submission.id} leg ${i}: pool ${leg.pool} would refuse a swap of ${amountIn} (${quote.refusal})`,
      );
    }
    const expectedOut = quote.amountOut;
    legs.push({ pool, direction: leg.direction, amountIn, expectedOut, minOut: leg.minAmountOut });
  }
  const first = legs[0];
  const last = legs.at(-1);
  if (first === undefined || last === undefined) throw bad(0, 'a submission needs a leg');
  return {
    legs,
    inputMint: mints(first.pool, first.direction)[0],
    outputMint: mints(last.pool, last.direction)[1],
    amountIn: first.amountIn,
    expectedOut: last.expectedOut,
  };
}

/**
 * The last leg's minimum output once `costLamports` (tip + fees + margin) must come back on top
 * of the input; the submission's own minimum when that is higher, or when the legs do not
 * return to wrapped SOL (a cost in lamports cannot be added to another mint's amount).
 */
export function guardedMinOut(plan: SwapPlan, costLamports: bigint): bigint {
  const last = plan.legs.at(-1) as PlannedLeg;
  if (plan.inputMint !== WSOL_MINT || plan.outputMint !== WSOL_MINT) return last.minOut;
  const floor = plan.amountIn + costLamports;
  // bigint: Math.max does not apply.
  if (floor > last.minOut) return floor;
  return last.minOut;
}

/**
 * Each leg's venue's own exact-in swap instruction, in order; the last leg's minimum is
 * `finalMinOut`. Every venue pays from and to the payer's associated token account of each mint
 * under that mint's token program, so one leg's output account is the next leg's input account,
 * whichever venues they are; WSOL is the wallet's pre-wrapped WSOL account (the wallet setup
 * keeps it topped up), so no leg wraps or unwraps.
 */
export function swapInstructions(
  plan: SwapPlan,
  payer: TransactionSigner,
  finalMinOut: bigint,
): Promise<Instruction[]> {
  const lastIndex = plan.legs.length - 1;
  return Promise.all(
    plan.legs.map((leg, i) =>
      leg.pool.venue.swapInstruction({
        payer,
        pool: leg.pool.address,
        state: leg.pool.state,
        direction: leg.direction,
        amountIn: leg.amountIn,
        minimumAmountOut: i === lastIndex ? finalMinOut : leg.minOut,
      }),
    ),
  );
}

/** Pools, directions and route: what decides a transaction's accounts and compute. */
export function shapeOf(submission: Submission): string {
  return `${submission.route}:${submission.legs.map((l) => `${l.pool}/${l.direction}`).join(',')}`;
}
