import { runReferenceSearcher } from '../../sim/index.js';
import type { BenchContext, BenchRow, BenchSuite } from '../harness.js';
import { percentile } from '../stats.js';

const RUNS = 5;
const MINUTES = 30;

/**
 * Simulator throughput: the baseline policy against the default market, RUNS backtests of
 * MINUTES simulated minutes (seeds 1..RUNS, after one warm-up run); medians over the runs.
 */
export const simSuite: BenchSuite = {
  name: 'sim',
  description: `market simulator with the reference searcher: ${RUNS} x ${MINUTES} simulated minutes`,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    await runReferenceSearcher({ minutes: 5, config: { seed: 0 } });
    const speed: number[] = [];
    const events: number[] = [];
    const marketEvents: number[] = [];
    for (let i = 1; i <= RUNS; i++) {
      const { stats, wallMs } = await runReferenceSearcher({
        minutes: MINUTES,
        config: { seed: i },
      });
      const wallS = wallMs / 1000;
      speed.push(stats.simulatedMs / 1000 / wallS);
      events.push(stats.events / wallS);
      marketEvents.push(stats.marketEvents / wallS);
      ctx.progress(i, RUNS);
    }
    return [
      {
        name: 'sim',
        metric: 'sim_seconds_per_wall_second',
        value: percentile(speed, 0.5),
        unit: 'x',
      },
      { name: 'sim', metric: 'events_per_s', value: percentile(events, 0.5), unit: 'events/s' },
      {
        name: 'sim',
        metric: 'market_events_per_s',
        value: percentile(marketEvents, 0.5),
        unit: 'events/s',
      },
    ];
  },
};
