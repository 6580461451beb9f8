import type { AgentRun } from '../agent/run.js';
import type { MarketSnapshot } from '../api/routes/market.js';
import type { Market } from '../market/types.js';
import type { SimMarket } from '../sim/index.js';
import type { WarmStart } from './warm-start.js';

/** Market time a rate is measured over, at least. */
const RATE_WINDOW_MS = 5_000;

/**
 * The market panel's figures for `market` and the agents on it, read when asked: events per
 * second of market time over the last few seconds (from the reads themselves: no timer), the
 * regime and the rivals' share where the simulator knows them, and what the agents saw and
 * took.
 */
export function marketSnapshots(
  market: Market,
  agents: AgentRun,
  warm: WarmStart | undefined,
): () => MarketSnapshot {
  const sim = 'simulator' in market ? (market as SimMarket).simulator : undefined;
  const samples: { atMs: number; events: number }[] = [];
  let caughtUp = warm === undefined;
  warm?.caughtUp.then(
    () => {
      caughtUp = true;
    },
    () => undefined,
  );
  return () => {
    const atMs = market.clock.now();
    let eventsPerSecond: number | null = null;
    let rivalShare: number | null = null;
    if (sim !== undefined) {
      const events = sim.stats.marketEvents;
      samples.push({ atMs, events });
      while (samples.length > 2 && atMs - (samples[1]?.atMs ?? atMs) >= RATE_WINDOW_MS)
        samples.shift();
      const first = samples[0] as { atMs: number; events: number };
      const from = atMs - first.atMs >= 1_000 ? first : { atMs: sim.config.startTimeMs, events: 0 };
      eventsPerSecond = atMs > from.atMs ? ((events - from.events) * 1000) / (atMs - from.atMs) : 0;
      const { arb, backrun } = sim.stats.opportunities;
      const ours = arb.capturedByAgent + backrun.capturedByAgent;
      const theirs = arb.capturedByRivals + backrun.capturedByRivals;
      rivalShare = ours + theirs === 0 ? null : theirs / (ours + theirs);
    }
    let seen = 0;
    let taken = 0;
    for (const a of agents.agents) {
      seen += a.engine.counters.opportunities;
      taken += a.engine.counters.submissions;
    }
    return {
      tag: market.tag,
      atMs,
      eventsPerSecond,
      regime: sim?.regime ?? null,
      seen,
      taken,
      rivalShare,
      warming: !caughtUp,
    };
  };
}
