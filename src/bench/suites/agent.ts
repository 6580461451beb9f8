import { comparePolicies, runPolicy } from '../../agent/backtest.js';
import type { BenchContext, BenchRow, BenchSuite } from '../harness.js';

const SEED = 1;
const MINUTES = 60;

/**
 * The agent engine. `hot_path`: event received → submission built (strategy sizing, features,
 * scoring, tip and route choice; no network), p50/p99 over every submission of a Landfall
 * backtest, after a warm-up run. Then one row per policy of `landfall backtest --seed SEED
 * --minutes MINUTES` (a run with regime changes): net profit and ratio to the oracle.
 */
export const agentSuite: BenchSuite = {
  name: 'agent',
  description: `agent hot path and policy backtest (seed ${SEED}, ${MINUTES} simulated minutes)`,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    await runPolicy('warmup', 'JIT warm-up', { kind: 'landfall' }, { seed: 0, minutes: 60 });
    const hot = await runPolicy(
      'landfall',
      'hot path',
      { kind: 'landfall' },
      { seed: SEED, minutes: MINUTES },
    );
    ctx.progress(1, 2);
    const comparison = await comparePolicies({ seed: SEED, minutes: MINUTES });
    ctx.progress(2, 2);
    const rows: BenchRow[] = [
      { name: 'hot_path', metric: 'p50_us', value: hot.hotPath.p50Us, unit: 'us' },
      { name: 'hot_path', metric: 'p99_us', value: hot.hotPath.p99Us, unit: 'us' },
      { name: 'hot_path', metric: 'samples', value: hot.hotPath.count, unit: 'submissions' },
    ];
    for (const r of comparison.rows) {
      rows.push(
        {
          name: r.name,
          metric: 'net_profit_sol',
          value: Number(r.netProfitLamports) / 1e9,
          unit: 'SOL',
        },
        { name: r.name, metric: 'ratio_to_oracle', value: r.ratioToOracle, unit: 'x' },
        { name: r.name, metric: 'landed_pct', value: r.landedPct, unit: '%' },
      );
    }
    return rows;
  },
};
