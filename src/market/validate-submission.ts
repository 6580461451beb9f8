import { LandfallError } from '../errors.js';
import type { Submission } from './types.js';

/** What a market's executors may carry: the only rules that differ between markets. */
export interface SubmissionLimits {
  /** The compute-unit ceiling of one transaction (Solana: 1,400,000). */
  readonly maxComputeUnits: number;
  /** Transactions one bundle may hold, a backrun's target included (Jito: 5). */
  readonly maxBundleTransactions: number;
  /** Whether the market knows (watches, trades) this pool. */
  readonly knownPool: (id: string) => boolean;
}

const MAX_LEGS = 16;

/**
 * The one rule book for a malformed submission, used by every executor (simulator, Jito,
 * direct, dry-run): the first fault is refused with `LF_MARKET_SUBMISSION_INVALID`, naming the
 * field. A market rule (a tip under the minimum, a stale pool) is not malformed: the market
 * answers it with an outcome instead. A Jito submission without a tip is malformed: a bundle's
 * tip is what it bids in the auction.
 */
export function validateSubmission(s: Submission, limits: SubmissionLimits): void {
  const fail = (field: string, problem: string): never => {
    throw new LandfallError(
      'LF_MARKET_SUBMISSION_INVALID',
      `submission ${JSON.stringify(s.id)}: ${field} ${problem}`,
    );
  };
  if (typeof s.id !== 'string' || s.id.length === 0) fail('id', 'must be a non-empty string');
  if (typeof s.opportunityId !== 'string' || s.opportunityId.length === 0)
    fail('opportunityId', 'must be a non-empty string');
  if (s.module !== 'arb' && s.module !== 'mev')
    fail('module', `must be arb or mev, not ${String(s.module)}`);
  if (s.route !== 'jito' && s.route !== 'direct')
    fail('route', `must be jito or direct, not ${String(s.route)}`);
  if (!Array.isArray(s.legs) || s.legs.length === 0 || s.legs.length > MAX_LEGS)
    fail('legs', `must hold 1 to ${MAX_LEGS} swaps`);
  s.legs.forEach((leg, i) => {
    if (typeof leg.pool !== 'string' || !limits.knownPool(leg.pool))
      fail(`legs[${i}].pool`, `${JSON.stringify(leg.pool)} is not a known pool`);
    if (leg.direction !== 'aToB' && leg.direction !== 'bToA')
      fail(`legs[${i}].direction`, 'must be aToB or bToA');
    if (leg.amountIn === 'previous') {
      if (i === 0) fail('legs[0].amountIn', "cannot be 'previous' on the first leg");
    } else if (typeof leg.amountIn !== 'bigint' || leg.amountIn <= 0n) {
      fail(`legs[${i}].amountIn`, "must be a positive bigint or 'previous'");
    }
    if (typeof leg.minAmountOut !== 'bigint' || leg.minAmountOut < 0n)
      fail(`legs[${i}].minAmountOut`, 'must be a bigint ≥ 0');
  });
  if (typeof s.tipLamports !== 'bigint' || s.tipLamports < 0n)
    fail('tipLamports', 'must be a bigint ≥ 0');
  if (s.route === 'direct' && s.tipLamports !== 0n)
    fail('tipLamports', 'must be 0 for route direct (tips go in bundles)');
  if (s.route === 'jito' && s.tipLamports === 0n)
    fail('tipLamports', 'must be positive for route jito (the tip is the auction bid)');
  if (typeof s.priorityFeeMicroLamports !== 'bigint' || s.priorityFeeMicroLamports < 0n)
    fail('priorityFeeMicroLamports', 'must be a bigint ≥ 0');
  const maxUnits = limits.maxComputeUnits;
  if (
    !Number.isInteger(s.computeUnitLimit) ||
    s.computeUnitLimit < 1 ||
    s.computeUnitLimit > maxUnits
  )
    fail('computeUnitLimit', `must be an integer in 1..${maxUnits}`);
  if (!Number.isInteger(s.transactions) || s.transactions < 1)
    fail('transactions', 'must be an integer ≥ 1');
  if (s.route === 'direct' && s.transactions !== 1)
    fail('transactions', 'must be 1 for route direct (only a bundle holds several atomically)');
  const inBundle = s.transactions + (s.afterSignature === undefined ? 0 : 1);
  if (s.route === 'jito' && inBundle > limits.maxBundleTransactions)
    fail(
      'transactions',
      `makes a bundle of ${inBundle} (target swap included); the limit is ${limits.maxBundleTransactions}`,
    );
  if (!Number.isInteger(s.signatures) || s.signatures < s.transactions)
    fail('signatures', 'must be an integer ≥ transactions');
  if (
    s.afterSignature !== undefined &&
    (typeof s.afterSignature !== 'string' || s.afterSignature === '')
  )
    fail('afterSignature', 'must be a non-empty signature when present');
  if (s.afterSignature !== undefined && s.module !== 'mev')
    fail('afterSignature', 'is for backruns (module mev) only');
}
