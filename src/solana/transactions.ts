import {
  type Address,
  appendTransactionMessageInstructions,
  type Base64EncodedWireTransaction,
  type Blockhash,
  createTransactionMessage,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  type Instruction,
  lamports,
  pipe,
  type Signature,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  type TransactionSigner,
} from '@solana/kit';
import {
  getSetComputeUnitLimitInstruction,
  getSetComputeUnitPriceInstruction,
} from '@solana-program/compute-budget';
import { getTransferSolInstruction } from '@solana-program/system';
import { LandfallError } from '../errors.js';
import type { Submission, SwapLeg } from '../market/types.js';
import { type RaydiumCpPool, swapBaseInput } from './raydium-cp-pool.js';
import { swapBaseInputInstruction } from './raydium-cp-swap.js';
import type { PoolDirectory } from './watched-pools.js';

/**
 * Landfall's transactions, all versioned (v0) and signed by the payer: a swap transaction
 * (compute budget, then one `swap_base_input` per leg) and a bundle's tip transaction (compute
 * budget, then a SOL transfer to a Jito tip account). Fees follow the runtime's rule:
 * 5 000 lamports per signature plus ceil(unit limit × unit price / 10⁶).
 */

export const LAMPORTS_PER_SIGNATURE = 5_000n;
/** The runtime's per-transaction maximum: the limit a sizing simulation runs under. */
export const MAX_COMPUTE_UNITS = 1_400_000;
/** Two compute-budget instructions and a transfer take 450 CU; the rest is headroom. */
export const TIP_COMPUTE_UNITS = 1_000;
/** A transaction must fit one packet: 1280 − 48 bytes of IPv6 and fragment headers. */
export const MAX_TRANSACTION_BYTES = 1_232;

export interface Lifetime {
  readonly blockhash: Blockhash;
  readonly lastValidBlockHeight: bigint;
}

export interface SignedTransaction {
  readonly signature: Signature;
  readonly base64: Base64EncodedWireTransaction;
  /** The signed transaction object (for litesvm and tests). */
  readonly transaction: Awaited<ReturnType<typeof signTransactionMessageWithSigners>>;
  readonly computeUnitLimit: number;
  readonly microLamportsPerUnit: bigint;
  readonly feeLamports: bigint;
}

export function transactionFee(
  signatures: number,
  unitLimit: number,
  microLamports: bigint,
): bigint {
  const priority = (BigInt(unitLimit) * microLamports + 999_999n) / 1_000_000n;
  return LAMPORTS_PER_SIGNATURE * BigInt(signatures) + priority;
}

/** Compute budget first, as the runtime reads it, then `instructions`; signed by `payer`. */
export async function signV0(
  payer: TransactionSigner,
  lifetime: Lifetime,
  unitLimit: number,
  microLamports: bigint,
  instructions: readonly Instruction[],
): Promise<SignedTransaction> {
  const budget = [
    getSetComputeUnitLimitInstruction({ units: unitLimit }),
    ...(microLamports > 0n ? [getSetComputeUnitPriceInstruction({ microLamports })] : []),
  ];
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(payer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(lifetime, m),
    (m) => appendTransactionMessageInstructions([...budget, ...instructions], m),
  );
  const transaction = await signTransactionMessageWithSigners(message);
  const base64 = getBase64EncodedWireTransaction(transaction);
  const size = Buffer.byteLength(base64, 'base64');
  if (size > MAX_TRANSACTION_BYTES) {
    throw new LandfallError(
      'LF_MARKET_SUBMISSION_INVALID',
      `transaction of ${instructions.length} instructions is ${size} bytes, over the ${MAX_TRANSACTION_BYTES}-byte packet limit: use fewer legs`,
    );
  }
  return {
    signature: getSignatureFromTransaction(transaction),
    base64,
    transaction,
    computeUnitLimit: unitLimit,
    microLamportsPerUnit: microLamports,
    feeLamports: transactionFee(1, unitLimit, microLamports),
  };
}

/** The tip transaction of a bundle: `lamports` from the payer to `tipAccount`. */
export function tipTransaction(
  payer: TransactionSigner,
  lifetime: Lifetime,
  tipAccount: Address,
  tipLamports: bigint,
): Promise<SignedTransaction> {
  const transfer = getTransferSolInstruction({
    source: payer,
    destination: tipAccount,
    amount: lamports(tipLamports),
  });
  return signV0(payer, lifetime, TIP_COMPUTE_UNITS, 0n, [transfer]);
}

/**
 * One `swap_base_input` per leg. CP-Swap takes an exact input, so a leg that spends
 * `'previous'` spends what the previous leg returns on the pools' current state (the venue's
 * math on the book), and that previous leg's minimum output is raised to exactly that amount:
 * the chain either has its input or reverts with ExceededSlippage, never half-runs.
 */
export async function swapInstructions(
  submission: Submission,
  pools: PoolDirectory,
  payer: TransactionSigner,
): Promise<Instruction[]> {
  const bad = (i: number, why: string) =>
    new LandfallError(
      'LF_MARKET_SUBMISSION_INVALID',
      `submission ${submission.id} leg ${i}: ${why}`,
    );
  const plan: Array<{
    pool: RaydiumCpPool;
    direction: SwapLeg['direction'];
    amountIn: bigint;
    minOut: bigint;
  }> = [];
  for (const [i, leg] of submission.legs.entries()) {
    const pool = pools.pool(leg.pool);
    if (pool === undefined) throw bad(i, `pool ${leg.pool} is not a watched, fully read pool`);
    const previous = plan[i - 1];
    let amountIn: bigint;
    if (leg.amountIn !== 'previous') amountIn = leg.amountIn;
    else if (previous === undefined) throw bad(i, "the first leg cannot spend 'previous'");
    else {
      const expected = swapBaseInput(
        previous.pool,
        previous.direction,
        previous.amountIn,
      ).amountOut;
      if (expected > previous.minOut) previous.minOut = expected;
      amountIn = previous.minOut;
    }
    if (amountIn <= 0n) throw bad(i, 'amountIn must be positive');
    plan.push({ pool, direction: leg.direction, amountIn, minOut: leg.minAmountOut });
  }
  return Promise.all(
    plan.map((p) =>
      swapBaseInputInstruction({
        payer,
        pool: p.pool.address,
        state: p.pool.state,
        direction: p.direction,
        amountIn: p.amountIn,
        minimumAmountOut: p.minOut,
      }),
    ),
  );
}

/** CU limit from a simulation: consumed × (1 + margin), rounded up, within the runtime's bounds. */
export function sizedUnitLimit(unitsConsumed: number, margin: number): number {
  return Math.min(MAX_COMPUTE_UNITS, Math.max(1, Math.ceil(unitsConsumed * (1 + margin))));
}
