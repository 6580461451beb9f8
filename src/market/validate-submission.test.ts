import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLandfallError } from '../errors.js';
import type { Submission, SwapLeg } from './types.js';
import { type SubmissionLimits, validateSubmission } from './validate-submission.js';

const limits: SubmissionLimits = {
  maxComputeUnits: 1_400_000,
  maxBundleTransactions: 5,
  knownPool: (id) => id === 'p1' || id === 'p2',
};

const valid: Submission = {
  id: 's1',
  opportunityId: 'o1',
  module: 'arb',
  route: 'jito',
  legs: [
    { pool: 'p1', direction: 'aToB', amountIn: 1_000n, minAmountOut: 1n },
    { pool: 'p2', direction: 'bToA', amountIn: 'previous', minAmountOut: 1_001n },
  ],
  tipLamports: 5_000n,
  priorityFeeMicroLamports: 0n,
  computeUnitLimit: 150_000,
  transactions: 1,
  signatures: 1,
};

function refusal(s: Submission): string | undefined {
  try {
    validateSubmission(s, limits);
    return undefined;
  } catch (err) {
    expect(isLandfallError(err, 'LF_MARKET_SUBMISSION_INVALID')).toBe(true);
    return (err as Error).message;
  }
}

const leg0 = valid.legs[0] as SwapLeg;
const cases: Array<[Partial<Submission> | Record<string, unknown>, RegExp]> = [
  [{ id: '' }, /: id must be a non-empty string/],
  [{ opportunityId: '' }, /opportunityId must be a non-empty string/],
  [{ module: 'sandwich' }, /module must be arb or mev, not sandwich/],
  [{ route: 'carrier' }, /route must be jito or direct/],
  [{ legs: [] }, /legs must hold 1 to 16 swaps/],
  [{ legs: Array(17).fill(leg0) }, /legs must hold 1 to 16 swaps/],
  [{ legs: [{ ...leg0, pool: 'p9' }] }, /legs\[0\]\.pool "p9" is not a known pool/],
  [{ legs: [{ ...leg0, direction: 'up' }] }, /legs\[0\]\.direction must be aToB or bToA/],
  [{ legs: [{ ...leg0, amountIn: 'previous' }] }, /legs\[0\]\.amountIn cannot be 'previous'/],
  [{ legs: [{ ...leg0, amountIn: 0n }] }, /legs\[0\]\.amountIn must be a positive bigint/],
  [{ legs: [{ ...leg0, amountIn: 5 }] }, /legs\[0\]\.amountIn must be a positive bigint/],
  [{ legs: [{ ...leg0, minAmountOut: -1n }] }, /legs\[0\]\.minAmountOut must be a bigint ≥ 0/],
  [{ tipLamports: -1n }, /tipLamports must be a bigint ≥ 0/],
  [{ route: 'direct' }, /tipLamports must be 0 for route direct/],
  [{ tipLamports: 0n }, /tipLamports must be positive for route jito/],
  [{ priorityFeeMicroLamports: -1n }, /priorityFeeMicroLamports must be a bigint ≥ 0/],
  [{ computeUnitLimit: 0 }, /computeUnitLimit must be an integer in 1\.\.1400000/],
  [{ computeUnitLimit: 1_400_001 }, /computeUnitLimit must be an integer in 1\.\.1400000/],
  [{ transactions: 0 }, /transactions must be an integer ≥ 1/],
  [
    { route: 'direct', tipLamports: 0n, transactions: 2, signatures: 2 },
    /transactions must be 1 for route direct/,
  ],
  [
    { transactions: 5, signatures: 5, module: 'mev', afterSignature: 'sig' },
    /makes a bundle of 6 \(target swap included\); the limit is 5/,
  ],
  [{ signatures: 0 }, /signatures must be an integer ≥ transactions/],
  [{ module: 'mev', afterSignature: '' }, /afterSignature must be a non-empty signature/],
  [{ afterSignature: 'sig' }, /afterSignature is for backruns \(module mev\) only/],
];

describe('submission validator', () => {
  it('accepts a well-formed submission', () => {
    expect(refusal(valid)).toBeUndefined();
    expect(refusal({ ...valid, route: 'direct', tipLamports: 0n })).toBeUndefined();
  });

  it.each(cases)('refuses %o, naming the field', (patch, message) => {
    expect(refusal({ ...valid, ...patch } as Submission)).toMatch(message);
  });

  it('accepts only submissions that keep the invariants every executor relies on', () => {
    const leg = fc.record({
      pool: fc.constantFrom('p1', 'p2', 'p3'),
      direction: fc.constantFrom('aToB', 'bToA', 'x'),
      amountIn: fc.oneof(
        fc.bigInt({ min: -2n, max: 10n ** 12n }),
        fc.constant('previous' as const),
      ),
      minAmountOut: fc.bigInt({ min: -2n, max: 10n ** 12n }),
    });
    const submission = fc.record({
      id: fc.constantFrom('', 's'),
      opportunityId: fc.constant('o'),
      module: fc.constantFrom('arb', 'mev'),
      route: fc.constantFrom('jito', 'direct'),
      legs: fc.array(leg, { maxLength: 4 }),
      tipLamports: fc.bigInt({ min: -1n, max: 10n ** 7n }),
      priorityFeeMicroLamports: fc.bigInt({ min: -1n, max: 10n ** 6n }),
      computeUnitLimit: fc.integer({ min: -1, max: 1_500_000 }),
      transactions: fc.integer({ min: 0, max: 6 }),
      signatures: fc.integer({ min: 0, max: 7 }),
      afterSignature: fc.option(fc.constantFrom('', 'sig'), { nil: undefined }),
    });
    fc.assert(
      fc.property(submission, (raw) => {
        const s = raw as Submission;
        if (refusal(s) !== undefined) return;
        const first = s.legs[0] as SwapLeg;
        expect(s.legs.length).toBeGreaterThan(0);
        expect(typeof first.amountIn === 'bigint' && first.amountIn > 0n).toBe(true);
        for (const l of s.legs) expect(limits.knownPool(l.pool)).toBe(true);
        if (s.route === 'direct') expect([s.tipLamports, s.transactions]).toEqual([0n, 1]);
        else expect(s.tipLamports).toBeGreaterThan(0n);
        expect(s.signatures).toBeGreaterThanOrEqual(s.transactions);
        if (s.afterSignature !== undefined) expect(s.module).toBe('mev');
      }),
      { numRuns: 2_000, seed: 17 },
    );
  });
});
