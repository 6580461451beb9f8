import { comparePolicies, runPolicy } from '../../agent/backtest.js';
import type { BenchContext, BenchRow, BenchSuite } from '../harness.js';

const SEED = 1;
/** Policies are judged over many seeds: a few large dislocations make one seed's result noise. */
const SEEDS = 14;
const MINUTES = 60;

/**
 * The agent engine. `hot_path`: event received → submission built (strategy sizing, features,
 * scoring, tip and route choice; no network), p50/p99 over every submission of a Landfall
 * backtest, after a warm-up run. Then one row per policy of `landfall backtest --seed s
 * --minutes MINUTES` for seeds 1..SEEDS (runs with regime changes), summed: net profit, and
 * its ratio to the oracle's summed profit; landed % is the mean over seeds.
 */
export const agentSuite: BenchSuite = {
  name: 'agent',
  description: `agent hot path and policy backtests (seeds 1–${SEEDS}, ${MINUTES} simulated minutes each)`,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    await runPolicy('warmup', 'JIT warm-up', { kind: 'landfall' }, { seed: 0, minutes: 60 });
    const hot = await runPolicy(
      'landfall',
      'hot path',
      { kind: 'landfall' },
      { seed: SEED, minutes: MINUTES },
    );
    ctx.progress(1, SEEDS + 1);
    const totals = new Map<string, { lamports: number; landedPct: number }>();
    for (let seed = 1; seed <= SEEDS; seed++) {
      const comparison = await comparePolicies({ seed, minutes: MINUTES });
      for (const r of comparison.rows) {
        const t = totals.get(r.name) ?? { lamports: 0, landedPct: 0 };
        t.lamports += Number(r.netProfitLamports);
        t.landedPct += r.landedPct / SEEDS;
        totals.set(r.name, t);
      }
      ctx.progress(seed + 1, SEEDS + 1);
    }
    const oracle = totals.get('oracle')?.lamports ?? Number.NaN;
    const rows: BenchRow[] = [
      { name: 'hot_path', metric: 'p50_us', value: hot.hotPath.p50Us, unit: 'us' },
      { name: 'hot_path', metric: 'p99_us', value: hot.hotPath.p99Us, unit: 'us' },
      { name: 'hot_path', metric: 'samples', value: hot.hotPath.count, unit: 'submissions' },
    ];
    for (const [name, t] of totals) {
      rows.push(
        { name, metric: 'net_profit_sol', value: t.lamports / 1e9, unit: `SOL, ${SEEDS} seeds` },
        { name, metric: 'ratio_to_oracle', value: t.lamports / oracle, unit: 'x' },
        { name, metric: 'landed_pct', value: t.landedPct, unit: '%' },
      );
    }
    return rows;
  },
};
