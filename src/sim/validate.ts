import { LandfallError } from '../errors.js';
import type { PoolSnapshot, Submission } from '../market/types.js';
import { MAX_COMPUTE_UNITS } from './calibration.js';
import type { SimConfig } from './config.js';

const MAX_LEGS = 16;

/**
 * Rejects a malformed submission before it reaches the market, naming the field at fault.
 * A market rule (a tip under the minimum) is not malformed: it gets an outcome instead.
 */
export function validateSubmission(
  s: Submission,
  config: SimConfig,
  pool: (id: string) => PoolSnapshot | undefined,
): void {
  const fail = (field: string, problem: string): never => {
    throw new LandfallError(
      'LF_MARKET_SUBMISSION_INVALID',
      `submission ${JSON.stringify(s.id)}: ${field} ${problem}`,
    );
  };
  if (typeof s.id !== 'string' || s.id.length === 0) fail('id', 'must be a non-empty string');
  if (s.module !== 'arb' && s.module !== 'mev')
    fail('module', `must be arb or mev, not ${String(s.module)}`);
  if (s.route !== 'jito' && s.route !== 'direct')
    fail('route', `must be jito or direct, not ${String(s.route)}`);
  if (!Array.isArray(s.legs) || s.legs.length === 0 || s.legs.length > MAX_LEGS)
    fail('legs', `must hold 1 to ${MAX_LEGS} swaps`);
  s.legs.forEach((leg, i) => {
    if (pool(leg.pool) === undefined)
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
  if (typeof s.priorityFeeMicroLamports !== 'bigint' || s.priorityFeeMicroLamports < 0n)
    fail('priorityFeeMicroLamports', 'must be a bigint ≥ 0');
  if (
    !Number.isInteger(s.computeUnitLimit) ||
    s.computeUnitLimit < 1 ||
    s.computeUnitLimit > MAX_COMPUTE_UNITS
  )
    fail('computeUnitLimit', `must be an integer in 1..${MAX_COMPUTE_UNITS}`);
  if (!Number.isInteger(s.transactions) || s.transactions < 1)
    fail('transactions', 'must be an integer ≥ 1');
  if (s.route === 'direct' && s.transactions !== 1)
    fail('transactions', 'must be 1 for route direct (only a bundle holds several atomically)');
  const max = config.jito.maxBundleTransactions;
  const inBundle = s.transactions + (s.afterSignature === undefined ? 0 : 1);
  if (s.route === 'jito' && inBundle > max)
    fail(
      'transactions',
      `makes a bundle of ${inBundle} (target swap included); the limit is ${max}`,
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
