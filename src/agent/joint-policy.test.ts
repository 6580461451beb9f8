import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SubmissionOutcome } from '../market/types.js';
import { CompetitionSignal } from './competition-signal.js';
import { type JointContext, JointPolicy, type JointSettings } from './joint-policy.js';
import { JOINT_PRIORS, type JointPriors } from './joint-priors.js';
import { sigmoid } from './online-logistic.js';
import { PolicyRng } from './rng.js';
import type { MarketView } from './types.js';

const BASE_FEE = 5_000n;

function view(over: Partial<MarketView> = {}): MarketView {
  return {
    nowMs: 0,
    slot: 1,
    leaderRunsJito: true,
    leaderSlotsLeft: 3,
    nextLeaderRunsJito: true,
    slotStartMs: 0,
    congestion: 0.3,
    priorityFeeP50: 10_000,
    priorityFeeP95: 50_000,
    tipFloorP50: 100_000,
    pool: () => undefined,
    poolsWith: () => [],
    ...over,
  };
}

function settings(over: Partial<JointSettings> = {}): JointSettings {
  return {
    ladder: [0.05, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9],
    directLevels: [0.5, 1, 2, 4],
    forget: 0.998,
    auctionTickMs: 200,
    slotMs: 400,
    thompsonScale: 1,
    priors: JOINT_PRIORS.mev,
    seed: 7,
    ...over,
  };
}

function context(gross: bigint, over: Partial<MarketView> = {}, score = 0.5): JointContext {
  return {
    grossProfitLamports: gross,
    minTipLamports: 1_000n,
    baseFeeLamports: BASE_FEE,
    computeUnitLimit: 150_000,
    score,
    view: view(over),
  };
}

function outcome(
  route: 'jito' | 'direct',
  failure: SubmissionOutcome['failure'],
): SubmissionOutcome {
  return {
    submissionId: 's',
    opportunityId: 's',
    module: 'mev',
    route,
    landed: failure === null,
    slot: 1,
    leader: 'l',
    profitLamports: 0n,
    tipLamports: 0n,
    feeLamports: 0n,
    failure,
    latencyMs: 400,
    atMs: 0,
  };
}

const TIPS = [1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000, 3_000_000, 9_000_000];

describe('joint tip and route policy', () => {
  it('keeps the auction win model non-decreasing in the tip, for the mean and every draw, under any updates', () => {
    const update = fc.record({
      share: fc.double({ min: 0.001, max: 0.95, noNaN: true }),
      gross: fc.integer({ min: 4, max: 9 }),
      congestion: fc.double({ min: 0, max: 1, noNaN: true }),
      nowMs: fc.integer({ min: 0, max: 10_000 }),
      landed: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(update, { maxLength: 120 }),
        fc.integer({ min: 4, max: 9 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (updates, grossExp, congestion) => {
          const policy = new JointPolicy(settings(), new CompetitionSignal());
          for (const u of updates) {
            const gross = 10n ** BigInt(u.gross);
            const ctx = context(gross, { congestion: u.congestion, nowMs: u.nowMs });
            const tip = BigInt(Math.max(1_000, Math.floor(Number(gross) * u.share)));
            policy.learn(
              policy.memoAt(tip, ctx),
              outcome('jito', u.landed ? null : 'auction_lost'),
            );
          }
          const { win } = policy.models;
          const ctx = context(10n ** BigInt(grossExp), { congestion });
          const phis = TIPS.map((t) => policy.memoAt(BigInt(t), ctx).win as Float64Array);
          const rng = new PolicyRng(3);
          const draws = [
            win.mean,
            ...Array.from({ length: 4 }, () => Float64Array.from(win.sample(rng))),
          ];
          for (const weights of draws) {
            const p = phis.map((phi) => win.prob(phi, weights));
            for (let i = 1; i < p.length; i++)
              expect(p[i] as number).toBeGreaterThanOrEqual((p[i - 1] as number) - 1e-12);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('prices every decision under the posterior mean and never offers one whose mean expected net is not positive as positive', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            gross: fc.bigInt({ min: 10_000n, max: 1_000_000_000n }),
            congestion: fc.double({ min: 0, max: 1, noNaN: true }),
            score: fc.double({ min: 0, max: 1, noNaN: true }),
            jito: fc.boolean(),
            failure: fc.constantFrom(null, 'auction_lost', 'rival_first', 'expired', 'slippage'),
          }),
          { minLength: 1, maxLength: 80 },
        ),
        (steps) => {
          const policy = new JointPolicy(settings(), new CompetitionSignal());
          for (const s of steps) {
            const ctx = context(
              s.gross,
              { congestion: s.congestion, leaderRunsJito: s.jito },
              s.score,
            );
            const d = policy.choose(ctx);
            const { win, still, include } = policy.models;
            const m = d.memo;
            const gross = Number(s.gross);
            const net = gross - Number(d.quote.tipLamports) - Number(d.quote.feeLamports);
            if (d.quote.route === 'jito') {
              expect(d.priorityFeeMicroLamports).toBe(0n);
              if (!s.jito) expect(d.expectedNetLamports).toBeLessThanOrEqual(0);
              else {
                const ev = still.prob(m.still) * win.prob(m.win as Float64Array) * net;
                expect(d.expectedNetLamports).toBeCloseTo(ev, 6);
              }
            } else {
              const fee = Number(d.quote.feeLamports);
              const ev =
                include.prob(m.include as Float64Array) * (still.prob(m.still) * gross - fee);
              if (Number.isFinite(d.expectedNetLamports))
                expect(d.expectedNetLamports).toBeCloseTo(ev, 6);
            }
            // The engine submits only when this is > 0: a positive figure is a positive mean.
            expect(Number.isFinite(d.expectedNetLamports)).toBe(true);
            if (d.expectedNetLamports > 0) expect(net).toBeGreaterThan(0);
            policy.learn(m, outcome(d.quote.route, s.failure as SubmissionOutcome['failure']));
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('reads the leader at the tick the bundle meets: a non-Jito leader is never bid on, its Jito successor is', () => {
    const policy = new JointPolicy(settings({ thompsonScale: 0 }), new CompetitionSignal());
    const big = 100_000_000n;
    expect(policy.choose(context(big, { leaderRunsJito: false })).quote.route).toBe('direct');
    // The leader's last slot ends before the next tick: the bundle meets the next leader.
    const ending = { leaderRunsJito: false, leaderSlotsLeft: 0, slotStartMs: 0, nowMs: 390 };
    expect(policy.choose(context(big, ending)).quote.route).toBe('jito');
  });

  it('on a stationary auction with a known best bid, its regret grows sublinearly (doubling horizons)', () => {
    // Win probability of a bid t: a logistic in log10 t, which the model's class contains.
    const truth = (tip: number) => sigmoid(-2 + 2.5 * (Math.log10(tip) - 5));
    const gross = 10_000_000;
    const neutral: JointPriors = {
      win: { mean: [0, 0, 0, 0, 0, 0, 0, 0], sd: [2, 2, 2, 2, 2, 2, 2, 2] },
      still: { mean: [2, 0, 0, 0, 0, 0], sd: [1, 1, 1, 1, 1, 1] },
      include: { mean: [0, 1, 0], sd: [1, 1, 1] },
    };
    const ladder = [0.01, 0.02, 0.04, 0.07, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
    const value = (tip: number) => truth(tip) * (gross - tip - Number(BASE_FEE));
    const horizons = [500, 1_000, 2_000, 4_000];
    const regret = horizons.map(() => 0);
    for (const seed of [1, 2, 3, 4]) {
      // No market events: the competition signal stays put, the context is stationary.
      const policy = new JointPolicy(
        settings({ ladder, forget: 1, priors: neutral, seed }),
        new CompetitionSignal(),
      );
      const best = Math.max(
        ...policy
          .arms()
          .slice(0, -4)
          .map((a) => value(shareTip(a.label))),
      );
      const luck = new PolicyRng(100 + seed);
      let cumulative = 0;
      let h = 0;
      // Direct costs more than the opportunity: only the bid is learnt.
      const ctx = context(BigInt(gross), { priorityFeeP50: 1e9, priorityFeeP95: 1e9 });
      for (let t = 1; t <= (horizons.at(-1) as number); t++) {
        const d = policy.choose(ctx);
        const tip = Number(d.quote.tipLamports);
        cumulative += best - value(tip);
        const won = luck.float() < truth(tip);
        policy.learn(d.memo, outcome('jito', won ? null : 'auction_lost'));
        if (t === horizons[h]) {
          regret[h] = (regret[h] ?? 0) + cumulative;
          h++;
        }
      }
    }
    const perRound = regret.map((r, i) => r / (horizons[i] as number));
    for (let i = 1; i < horizons.length; i++) {
      // Doubling the horizon less than doubles the regret; the regret per round falls.
      expect(regret[i] as number).toBeLessThan(1.8 * (regret[i - 1] as number));
      expect(perRound[i] as number).toBeLessThan(perRound[i - 1] as number);
    }

    function shareTip(label: string): number {
      return Math.max(1_000, Math.floor(gross * Number(label.split(' ')[1])));
    }
  });

  it('set_policy: a new ladder and route priors restart learning; outcomes of the old ones are dropped', () => {
    const policy = new JointPolicy(settings(), new CompetitionSignal());
    const ctx = context(10_000_000n);
    const before = policy.choose(ctx);
    policy.setLadder([0.2, 0.4]);
    expect(policy.arms().map((a) => a.label)).toEqual([
      'jito 0.1',
      'jito 0.2',
      'jito 0.3',
      'jito 0.4',
      'direct 0.5×p95',
      'direct 1×p95',
      'direct 2×p95',
      'direct 4×p95',
    ]);
    const updates = policy.models.win.updates;
    policy.learn(before.memo, outcome('jito', null));
    expect(policy.models.win.updates).toBe(updates);
    policy.setPriors({ jito: 0.8, direct: 0.2, strength: 50 });
    expect(policy.priors).toEqual({ jito: 0.8, direct: 0.2, strength: 50 });
    expect(policy.models.still.mean[0]).toBeCloseTo(Math.log(0.8 / 0.2), 9);
  });
});
