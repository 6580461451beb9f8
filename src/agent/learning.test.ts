import { describe, expect, it } from 'vitest';
import type {
  Executor,
  FailureReason,
  MarketEvent,
  PoolSnapshot,
  Submission,
  SubmissionOutcome,
} from '../market/types.js';
import { WSOL_MINT } from '../market/types.js';
import { MarketCollector } from './collector.js';
import { Engine } from './engine.js';
import { FixedRoute } from './route-policy.js';
import { HeuristicScorer } from './scorer.js';
import { ArbStrategy } from './strategies.js';
import { FixedTip } from './tip-policy.js';

/**
 * The tip and route policies learn only from auction and network outcomes. Local refusals (the
 * live safety gate answers `dropped` before anything is sent), failed sizing simulations
 * (`slippage`, `dropped`), market conditions and block-engine refusals reach telemetry but
 * move neither policy.
 */
class CountingTip extends FixedTip {
  updates = 0;
  override update(arm: number, landed: boolean, payoff: number): void {
    this.updates++;
    super.update(arm, landed, payoff);
  }
}
class CountingRoute extends FixedRoute {
  updates = 0;
  override update(): void {
    this.updates++;
  }
}

const pool = (id: string, token: bigint): PoolSnapshot => ({
  id,
  venue: id,
  mintA: WSOL_MINT,
  mintB: 'T',
  reserveA: 10n ** 12n,
  reserveB: token,
  feeBps: 25,
});

/** One dislocation (2 % between two pools), sent as a bundle, answered with `failure`. */
async function outcomeOf(failure: FailureReason | null) {
  const tips = new CountingTip(0.1);
  const routes = new CountingRoute('jito', 0.5);
  const seen: SubmissionOutcome[] = [];
  let answered: Promise<void> = Promise.resolve();
  const executor: Executor = {
    submit(s: Submission) {
      const outcome: SubmissionOutcome = {
        submissionId: s.id,
        opportunityId: s.opportunityId,
        module: s.module,
        route: s.route,
        landed: failure === null,
        slot: 1,
        leader: 'L',
        profitLamports: failure === null ? 1_000n : 0n,
        tipLamports: failure === null ? s.tipLamports : 0n,
        feeLamports: 0n,
        failure,
        latencyMs: 1,
        atMs: 1,
      };
      const p = Promise.resolve(outcome);
      answered = p.then(() => undefined);
      return p;
    },
  };
  const engine = new Engine({
    agentId: 't',
    runId: 'r',
    module: 'arb',
    collector: new MarketCollector(),
    strategies: [new ArbStrategy({ quoteMint: WSOL_MINT, minProfitLamports: 1n })],
    scorer: new HeuristicScorer(),
    tips,
    routes,
    executor,
    observers: [{ onOutcome: (o) => void seen.push(o) }],
    minScore: 0,
    minTipLamports: 1_000n,
    baseFeeLamports: 5_000n,
    computeUnitLimit: 200_000,
  });
  const events: MarketEvent[] = [
    { kind: 'pool', atMs: 0, slot: 1, pool: pool('a', 10n ** 15n) },
    { kind: 'pool', atMs: 0, slot: 1, pool: pool('b', 102n * 10n ** 13n) },
  ];
  for (const e of events) engine.handle(e);
  expect(engine.counters.submissions).toBe(1);
  await answered;
  await Promise.resolve();
  return { tipUpdates: tips.updates, routeUpdates: routes.updates, recorded: seen.length };
}

describe('what outcomes teach the policies', () => {
  it.each([
    ['dropped', 'a safety refusal, a send error, a failed simulation'],
    ['slippage', 'a sizing simulation or leg that hit its minimum output'],
    ['market_condition', 'a leg that no longer pays, a transaction that cannot fit'],
    ['rejected', 'the block engine refused the bundle'],
    ['tip_below_minimum', 'refused for its tip before any auction'],
  ] as const)('%s (%s) is recorded but teaches neither policy', async (failure, _what) => {
    expect(await outcomeOf(failure)).toEqual({ tipUpdates: 0, routeUpdates: 0, recorded: 1 });
  });

  it.each([
    [null, 1, 1],
    ['auction_lost', 1, 1],
    ['rival_first', 1, 1],
    ['not_jito_leader', 0, 1],
    ['expired', 0, 1],
  ] as const)('%s teaches the tip %i and the route %i time(s)', async (failure, tip, route) => {
    expect(await outcomeOf(failure)).toEqual({
      tipUpdates: tip,
      routeUpdates: route,
      recorded: 1,
    });
  });
});
