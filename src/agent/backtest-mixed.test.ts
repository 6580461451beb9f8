import { describe, expect, it } from 'vitest';
import type { MarketEvent, PoolSnapshot, Submission, SubmissionOutcome } from '../market/types.js';
import { createSimMarket, MIXED_VENUES } from '../sim/index.js';
import { createAgent } from './assemble.js';
import { CompetitionSignal } from './competition-signal.js';
import type { DecisionRecord } from './engine.js';

/**
 * A mixed-venue market end to end (`MIXED_VENUES`: AMM v4, Whirlpool ticks and DLMM bins), both
 * agents trading it, and cycles across curve kinds found, sent and landed.
 */
describe('mixed-venue backtest', () => {
  it('finds and lands cycles across curve kinds', async () => {
    const market = createSimMarket({
      config: { seed: 3, market: { venues: MIXED_VENUES.map((v) => ({ ...v })) } },
      pace: 'virtual',
      durationMs: 15 * 60_000,
    });
    const kindOf = new Map(MIXED_VENUES.map((v) => [v.name, v.curve]));
    const submissions = new Map<string, Submission>();
    const outcomes: SubmissionOutcome[] = [];
    const pools = new Map<string, PoolSnapshot>();
    const observer = {
      onDecision: (r: DecisionRecord) => {
        if (r.submission !== undefined) submissions.set(r.submission.id, r.submission);
      },
      onOutcome: (o: SubmissionOutcome) => void outcomes.push(o),
    };
    const common = {
      market,
      runId: 'mixed',
      policy: { kind: 'fixed', tipShare: 0.5, route: 'jito' } as const,
      observers: [observer],
      competition: new CompetitionSignal(),
    };
    const arb = createAgent({ ...common, agentId: 'mx-arb', module: 'arb' });
    const mev = createAgent({ ...common, agentId: 'mx-mev', module: 'mev' });
    await market.simulator.run((event: MarketEvent) => {
      if (event.kind === 'pool') pools.set(event.pool.id, event.pool);
      arb.handle(event);
      mev.handle(event);
    });
    // Curve pools travel with their program's maths; constant-product ones without.
    for (const pool of pools.values()) {
      const kind = kindOf.get(pool.venue);
      expect(pool.curve === undefined).toBe(kind === 'constant_product');
    }
    const kinds = (s: Submission) =>
      new Set(s.legs.map((leg) => kindOf.get(leg.pool.split(':')[0] as string)));
    const landed = outcomes.filter((o) => o.landed);
    const across = landed.filter((o) => {
      const s = submissions.get(o.submissionId);
      return s !== undefined && kinds(s).size > 1;
    });
    expect(landed.length).toBeGreaterThan(5);
    expect(across.length).toBeGreaterThan(0);
    // Both modules landed cycles across kinds, and they paid.
    expect(new Set(across.map((o) => o.module))).toEqual(new Set(['arb', 'mev']));
    expect(across.reduce((sum, o) => sum + o.profitLamports, 0n)).toBeGreaterThan(0n);
  }, 60_000);
});
