import { describe, expect, it } from 'vitest';
import type { Route, SubmissionOutcome } from '../market/types.js';
import { PolicyRng } from './rng.js';
import { DiscountedBetaRoute, EwmaRoute, expectedNet } from './route-policy.js';
import type { RouteContext, RoutePolicy } from './types.js';

const context: RouteContext = {
  grossProfitLamports: 1_000_000n,
  leaderRunsJito: true,
  quotes: [
    { route: 'jito', tipLamports: 300_000n, feeLamports: 5_000n, feePaidOnFailure: false },
    { route: 'direct', tipLamports: 0n, feeLamports: 50_000n, feePaidOnFailure: true },
  ],
};

const outcome = (route: Route, landed: boolean): SubmissionOutcome => ({
  submissionId: 's',
  opportunityId: 'o',
  module: 'arb',
  route,
  landed,
  slot: 1,
  leader: 'v',
  profitLamports: 0n,
  tipLamports: 0n,
  feeLamports: 0n,
  failure: landed ? null : 'auction_lost',
  latencyMs: route === 'jito' ? 400 : 800,
  atMs: 0,
});

/** Trains on routes chosen by the policy plus forced exploration, then reads its choice. */
function train(policy: RoutePolicy, rates: Record<Route, number>, rounds: number): Route {
  const rng = new PolicyRng(2);
  for (let t = 0; t < rounds; t++) {
    const route: Route =
      t % 4 === 0 ? (t % 8 === 0 ? 'jito' : 'direct') : policy.choose(context).quote.route;
    policy.update(route, context, outcome(route, rng.float() < rates[route]));
  }
  return policy.choose(context).quote.route;
}

/** The route with the higher true expected net. */
function oracle(rates: Record<Route, number>): Route {
  const [jito, direct] = context.quotes;
  if (jito === undefined || direct === undefined) throw new Error('quotes');
  return expectedNet(context.grossProfitLamports, jito, rates.jito) >=
    expectedNet(context.grossProfitLamports, direct, rates.direct)
    ? 'jito'
    : 'direct';
}

describe('discounted Beta route policy', () => {
  it('picks the oracle route when landing rates are far apart', () => {
    for (const rates of [
      { jito: 0.9, direct: 0.1 },
      { jito: 0.1, direct: 0.9 },
    ]) {
      expect(train(new DiscountedBetaRoute(), rates, 400)).toBe(oracle(rates));
    }
  });

  it('weighs costs: equal landing rates favour the cheaper route', () => {
    const rates = { jito: 0.6, direct: 0.6 };
    // jito keeps 695k per landing; direct keeps 950k but pays 50k on each failure.
    expect(oracle(rates)).toBe('direct');
    expect(train(new DiscountedBetaRoute(), rates, 400)).toBe('direct');
  });

  it('keeps leader kinds apart: no bundle route where the leader does not run Jito', () => {
    const policy = new DiscountedBetaRoute();
    const other = { ...context, leaderRunsJito: false };
    for (let i = 0; i < 50; i++) {
      policy.update('jito', other, outcome('jito', false));
      policy.update('jito', context, outcome('jito', true));
      policy.update('direct', other, outcome('direct', true));
    }
    expect(policy.choose(other).quote.route).toBe('direct');
    expect(policy.choose(context).quote.route).toBe('jito');
  });
});

describe('EWMA route baseline', () => {
  it('switches on landing rates alone', () => {
    expect(train(new EwmaRoute(), { jito: 0.9, direct: 0.1 }, 400)).toBe('jito');
    // Ignores costs: equal-ish rates, it follows whichever rate is higher.
    expect(train(new EwmaRoute(), { jito: 0.95, direct: 0.7 }, 400)).toBe('jito');
  });
});
