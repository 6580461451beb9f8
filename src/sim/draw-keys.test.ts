import { describe, expect, it } from 'vitest';
import type { Submission } from '../market/types.js';
import { DrawKeys } from './draw-keys.js';

function sub(route: 'jito' | 'direct', tip: bigint, pool = 'orca:JUP-SOL'): Submission {
  return {
    id: `any-${route}-${tip}`,
    opportunityId: 'o',
    module: 'arb',
    route,
    legs: [
      { pool, direction: 'bToA', amountIn: 1n, minAmountOut: 0n },
      { pool: 'raydium:JUP-SOL', direction: 'aToB', amountIn: 'previous', minAmountOut: 0n },
    ],
    tipLamports: tip,
    priorityFeeMicroLamports: 0n,
    computeUnitLimit: 1,
    transactions: 1,
    signatures: 1,
  };
}

describe('draw keys', () => {
  it('key a submission by sender, module, instant and trade, not by its id, route or tip', () => {
    const a = new DrawKeys().submission('agent', sub('jito', 10n), 100);
    const b = new DrawKeys().submission('agent', sub('direct', 0n), 100);
    expect(b).toBe(a);
    expect(new DrawKeys().submission('rival-01', sub('jito', 10n), 100)).not.toBe(a);
    expect(new DrawKeys().submission('agent', sub('jito', 10n), 101)).not.toBe(a);
    expect(new DrawKeys().submission('agent', sub('jito', 10n, 'meteora:JUP-SOL'), 100)).not.toBe(
      a,
    );
  });

  it('tell repeats within an instant apart, and do not count what came before it', () => {
    const keys = new DrawKeys();
    const first = keys.submission('agent', sub('jito', 1n), 5);
    const second = keys.submission('agent', sub('jito', 2n), 5);
    expect(second).toBe(`${first}#1`);
    // Earlier instants' submissions, however many, leave a later key unchanged.
    const busy = new DrawKeys();
    for (let t = 0; t < 50; t++) busy.submission('agent', sub('jito', 1n), t);
    expect(busy.submission('agent', sub('jito', 1n), 60)).toBe(
      new DrawKeys().submission('agent', sub('jito', 1n), 60),
    );
  });

  it('key a backrun by its target and an arbitrage by token and instant', () => {
    const keys = new DrawKeys();
    expect(keys.opportunity('backrun', 'T', 7, 'nt:JUP:3')).toBe('backrun|nt:JUP:3');
    expect(keys.opportunity('arb', 'T', 7)).toBe('arb|T|7');
    expect(keys.opportunity('arb', 'T', 7)).toBe('arb|T|7#1');
    expect(keys.opportunity('arb', 'T', 8)).toBe('arb|T|8');
  });
});
