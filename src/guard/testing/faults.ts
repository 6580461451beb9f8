import { performance } from 'node:perf_hooks';
import type { Candidate, MarketView, Scorer, Strategy } from '../../agent/types.js';
import type { Clock, MarketEvent, Module } from '../../market/types.js';
import type { SimConfigInput } from '../../sim/config.js';

/** A window of simulated time a fault is active in: [fromMs, untilMs). */
export interface FaultWindow {
  readonly fromMs: number;
  readonly untilMs: number;
}

const active = (clock: Clock, w: FaultWindow) => {
  const now = clock.now();
  return now >= w.fromMs && now < w.untilMs;
};

/**
 * Latency spike: the scorer really takes `delayMs` of wall time per opportunity while the
 * fault is active (a busy wait, like a model that went slow), so the engine's own hot-path
 * measurement — wall time from event to built submission — sees it.
 */
export class SlowScorer implements Scorer {
  readonly version: string;
  readonly featureSet: string;

  constructor(
    private readonly inner: Scorer,
    private readonly clock: Clock,
    private readonly window: FaultWindow,
    private readonly delayMs: number,
  ) {
    this.version = inner.version;
    this.featureSet = inner.featureSet;
  }

  score(features: Float32Array, module: Module): number {
    if (active(this.clock, this.window)) {
      const end = performance.now() + this.delayMs;
      while (performance.now() < end) {
        // spin: the hot path is busy, exactly as a slow model would keep it
      }
    }
    return this.inner.score(features, module);
  }
}

/**
 * Negative-EV burst: while active, the strategy's quotes overstate gross profit `factor`
 * times (a bad price feed). The engine still sees positive expected net and submits; the tip
 * it pays is a share of the overstated figure, the simulator executes the legs against the
 * real pools, and the bundle lands with less gain than its tip: a decided submission that lost
 * money, which is exactly what `neg_ev_rate` counts.
 */
export class MispricedStrategy implements Strategy {
  readonly name: string;
  readonly module: Module;

  constructor(
    private readonly inner: Strategy,
    private readonly clock: Clock,
    private readonly window: FaultWindow,
    private readonly factor: bigint,
  ) {
    this.name = inner.name;
    this.module = inner.module;
  }

  onEvent(event: MarketEvent, view: MarketView): readonly Candidate[] {
    const found = this.inner.onEvent(event, view);
    if (!active(this.clock, this.window)) return found;
    return found.map((c) => ({ ...c, grossProfitLamports: c.grossProfitLamports * this.factor }));
  }
}

/**
 * A market dense enough to judge a module every 30 s: all leaders run Jito, brisk noise flow,
 * few outside arbitrageurs, and no rivals in regime `quiet` (about one decided arbitrage
 * submission a second; over seeds 1–8, every 30 s window of the baseline landed 78–96 % and
 * lost money on at most 4.7 %). Regime `swarm` is the landing collapse: all 12 rivals, 50×
 * faster, bidding the 0.95 cap — they outbid everything.
 */
export function faultMarket(seed: number, schedule: { regime: string; minutes: number }[]) {
  return {
    seed,
    chain: { jitoShare: 1 },
    // Other searchers' bundles clear low: a 15 % tip usually wins when no rival contests it.
    jito: { clearingQuantile: { idle: 0.01, saturated: 0.1 } },
    market: {
      noise: { tradesPerMinutePerToken: 300 },
      externalArb: { probabilityPerSlot: 0.02 },
    },
    rivals: {
      regimes: {
        quiet: { activeRivals: 0, latencyMultiplier: 1, tipShareMultiplier: 1 },
        swarm: { activeRivals: 12, latencyMultiplier: 0.02, tipShareMultiplier: 3 },
      },
      switching: { mode: 'schedule' as const, schedule },
    },
  } satisfies SimConfigInput;
}
