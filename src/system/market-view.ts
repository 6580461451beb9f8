import type { RunningAgent } from '../agent/run.js';
import type { MarketSnapshot } from '../api/routes/market.js';
import type { Market } from '../market/types.js';
import type { SimMarket } from '../sim/index.js';
import type { WarmStart } from './warm-start.js';

/** Market time a rate is measured over, at least. */
const RATE_WINDOW_MS = 5_000;

/** What the panel reads of a market and its agents at one moment. */
export interface MarketFigures {
  /** The market clock. */
  readonly atMs: number;
  /** What only the simulator knows; absent off it. */
  readonly sim?: {
    readonly marketEvents: number;
    readonly ours: number;
    readonly theirs: number;
    readonly regime: string;
    readonly startTimeMs: number;
  };
  /** Opportunities the agents saw, and submissions they made. */
  readonly seen: number;
  readonly taken: number;
}

/** The figures of `market` and the agents on it, read on the thread they run on. */
export function figuresOf(market: Market, agents: readonly RunningAgent[]): () => MarketFigures {
  const sim = 'simulator' in market ? (market as SimMarket).simulator : undefined;
  return () => {
    let seen = 0;
    let taken = 0;
    for (const a of agents) {
      seen += a.engine.counters.opportunities;
      taken += a.engine.counters.submissions;
    }
    if (sim === undefined) return { atMs: market.clock.now(), seen, taken };
    const { arb, backrun } = sim.stats.opportunities;
    return {
      atMs: market.clock.now(),
      sim: {
        marketEvents: sim.stats.marketEvents,
        ours: arb.capturedByAgent + backrun.capturedByAgent,
        theirs: arb.capturedByRivals + backrun.capturedByRivals,
        regime: sim.regime,
        startTimeMs: sim.config.startTimeMs,
      },
      seen,
      taken,
    };
  };
}

/**
 * The market panel's figures, read when asked (from the agents' thread's last write when they
 * run on one): events per second of market time over the last few seconds (from the reads
 * themselves: no timer), the regime and the rivals' share where the simulator knows them, and
 * what the agents saw and took.
 */
export function marketSnapshots(
  tag: string,
  figures: () => MarketFigures,
  warm: WarmStart | undefined,
): () => MarketSnapshot {
  const samples: { atMs: number; events: number }[] = [];
  let caughtUp = warm === undefined;
  warm?.caughtUp.then(
    () => {
      caughtUp = true;
    },
    () => undefined,
  );
  return () => {
    const f = figures();
    const atMs = f.atMs;
    let eventsPerSecond: number | null = null;
    let rivalShare: number | null = null;
    const sim = f.sim;
    if (sim !== undefined) {
      const events = sim.marketEvents;
      samples.push({ atMs, events });
      while (samples.length > 2 && atMs - (samples[1]?.atMs ?? atMs) >= RATE_WINDOW_MS)
        samples.shift();
      const first = samples[0] as { atMs: number; events: number };
      const from = atMs - first.atMs >= 1_000 ? first : { atMs: sim.startTimeMs, events: 0 };
      eventsPerSecond = atMs > from.atMs ? ((events - from.events) * 1000) / (atMs - from.atMs) : 0;
      rivalShare = sim.ours + sim.theirs === 0 ? null : sim.theirs / (sim.ours + sim.theirs);
    }
    return {
      tag,
      atMs,
      eventsPerSecond,
      regime: sim?.regime ?? null,
      seen: f.seen,
      taken: f.taken,
      rivalShare,
      warming: !caughtUp,
    };
  };
}
