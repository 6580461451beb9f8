import { runPolicy } from '../../agent/backtest.js';
import {
  compareSeeds,
  defaultJobs,
  type SeedsSummary,
  summarizeSeeds,
} from '../../agent/backtest-seeds.js';
import type { BenchContext, BenchRow, BenchSuite } from '../harness.js';
import { modelInLoop } from '../model-in-loop.js';

const SEED = 1;
/** Policies are judged over many seeds: a few large dislocations make one seed's result noise. */
const SEEDS = 14;
const MINUTES = 60;
/**
 * Held out: seeds no policy was tuned on (tuning uses 1–14 and a validation block below
 * 1000). 24 seeds of 20 minutes: long enough for a regime switch or two (mean dwell 12
 * minutes), short enough that the block runs in a couple of minutes on two cores.
 */
const HELDOUT_FIRST = 1001;
const HELDOUT_SEEDS = 24;
const HELDOUT_MINUTES = 20;
/** The loop: models trained on paper runs of the tuning seeds, judged on the held-out block. */
const LOOP_TRAIN_SEEDS = 14;
const LOOP_TRAIN_MINUTES = 60;
const LOOP_EXPLORATION = 0.1;
/** Held-out rows: bench row name → policy. */
const HELDOUT_ROWS: readonly (readonly [string, string])[] = [
  ['heldout_landfall', 'landfall'],
  ['heldout_oracle', 'oracle'],
  ['heldout_ucb', 'baseline_ucb_ewma'],
  ['heldout_always_direct', 'always_direct'],
];

/**
 * The agent engine. `hot_path`: event received → submission built (strategy sizing, features,
 * scoring, tip and route choice; no network), p50/p99 over every submission of a Landfall
 * backtest, after a warm-up run. Then one row per policy of `landfall backtest --seeds
 * 1-SEEDS --minutes MINUTES` (runs with regime changes), summed: net profit, and its ratio to
 * the oracle's summed profit; landed % over all seeds' submissions. Then the held-out block
 * (`landfall backtest --seeds 1001-1024 --minutes 20`): totals with 95% bootstrap intervals
 * over seeds, and paired ratios (ratio of sums) to the oracle and to the UCB + EWMA rule.
 */
export const agentSuite: BenchSuite = {
  name: 'agent',
  description:
    `agent hot path and policy backtests (seeds 1–${SEEDS}, ${MINUTES} simulated minutes each; ` +
    `held out ${HELDOUT_FIRST}–${HELDOUT_FIRST + HELDOUT_SEEDS - 1}, ${HELDOUT_MINUTES} minutes each)`,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    await runPolicy('warmup', 'JIT warm-up', { kind: 'landfall' }, { seed: 0, minutes: 60 });
    const hot = await runPolicy(
      'landfall',
      'hot path',
      { kind: 'landfall' },
      { seed: SEED, minutes: MINUTES },
    );
    const loopSteps = LOOP_TRAIN_SEEDS + 2 + HELDOUT_SEEDS;
    const steps = 1 + SEEDS + HELDOUT_SEEDS + loopSteps;
    ctx.progress(1, steps);
    const jobs = defaultJobs();
    const seeds = Array.from({ length: SEEDS }, (_, i) => i + 1);
    const tuning = summarizeSeeds(
      await compareSeeds({
        seeds,
        minutes: MINUTES,
        jobs,
        onSeed: (_, done) => ctx.progress(1 + done, steps),
      }),
    );
    const heldoutSeeds = Array.from({ length: HELDOUT_SEEDS }, (_, i) => HELDOUT_FIRST + i);
    const heldout = summarizeSeeds(
      await compareSeeds({
        seeds: heldoutSeeds,
        minutes: HELDOUT_MINUTES,
        jobs,
        onSeed: (_, done) => ctx.progress(1 + SEEDS + done, steps),
      }),
    );
    const rows: BenchRow[] = [
      { name: 'hot_path', metric: 'p50_us', value: hot.hotPath.p50Us, unit: 'us' },
      { name: 'hot_path', metric: 'p99_us', value: hot.hotPath.p99Us, unit: 'us' },
      { name: 'hot_path', metric: 'samples', value: hot.hotPath.count, unit: 'submissions' },
    ];
    const oracle = total(tuning, 'oracle');
    for (const t of tuning.totals) {
      if (t.landedPct === null) continue;
      rows.push(
        {
          name: t.name,
          metric: 'net_profit_sol',
          value: t.netProfitSol,
          unit: `SOL, ${SEEDS} seeds`,
        },
        { name: t.name, metric: 'ratio_to_oracle', value: t.netProfitSol / oracle, unit: 'x' },
        { name: t.name, metric: 'landed_pct', value: t.landedPct, unit: '%' },
      );
    }
    const unit = `SOL, ${HELDOUT_SEEDS} seeds × ${HELDOUT_MINUTES} min`;
    for (const [name, policy] of HELDOUT_ROWS) {
      const t = heldout.totals.find((x) => x.name === policy);
      if (t === undefined) continue;
      rows.push(
        { name, metric: 'net_profit_sol', value: t.netProfitSol, unit },
        { name, metric: 'ci95_low', value: t.interval.low, unit },
        { name, metric: 'ci95_high', value: t.interval.high, unit },
      );
      for (const [metric, baseline] of [
        ['ratio_to_oracle', 'oracle'],
        ['ratio_to_ucb', 'baseline_ucb_ewma'],
        ['ratio_to_always_direct', 'always_direct'],
      ] as const) {
        const r = ratio(heldout, policy, baseline);
        rows.push(
          { name, metric, value: r.value, unit: 'x, ratio of sums' },
          { name, metric: `${metric}_ci95_low`, value: r.low, unit: 'x, paired bootstrap' },
          { name, metric: `${metric}_ci95_high`, value: r.high, unit: 'x, paired bootstrap' },
        );
      }
    }
    const loop = await modelInLoop({
      trainSeeds: Array.from({ length: LOOP_TRAIN_SEEDS }, (_, i) => i + 1),
      trainMinutes: LOOP_TRAIN_MINUTES,
      exploration: LOOP_EXPLORATION,
      heldoutSeeds,
      heldoutMinutes: HELDOUT_MINUTES,
      onStep: (done) => ctx.progress(1 + SEEDS + HELDOUT_SEEDS + done, steps),
    });
    const loopUnit = `x, ${HELDOUT_SEEDS} held-out seeds, paired bootstrap`;
    rows.push(
      {
        name: 'model_in_loop',
        metric: 'ratio_to_heuristic',
        value: loop.ratio ?? Number.NaN,
        unit: 'x, ratio of sums',
      },
      {
        name: 'model_in_loop',
        metric: 'ci95_low',
        value: loop.interval?.low ?? Number.NaN,
        unit: loopUnit,
      },
      {
        name: 'model_in_loop',
        metric: 'ci95_high',
        value: loop.interval?.high ?? Number.NaN,
        unit: loopUnit,
      },
      { name: 'model_in_loop', metric: 'model_sol', value: loop.modelSol, unit: 'SOL' },
      { name: 'model_in_loop', metric: 'heuristic_sol', value: loop.heuristicSol, unit: 'SOL' },
      {
        name: 'model_in_loop',
        metric: 'arb_validation_auc',
        value: loop.trained.arb.auc,
        unit: '',
      },
      {
        name: 'model_in_loop',
        metric: 'mev_validation_auc',
        value: loop.trained.mev.auc,
        unit: '',
      },
    );
    return rows;
  },
};

function total(s: SeedsSummary, name: string): number {
  return s.totals.find((t) => t.name === name)?.netProfitSol ?? Number.NaN;
}

/** A policy's ratio to a baseline, 1 for itself; NaN where it is undefined. */
function ratio(s: SeedsSummary, policy: string, baseline: string) {
  if (policy === baseline) return { value: 1, low: 1, high: 1 };
  const e = s.ratios.find((r) => r.policy === policy && r.baseline === baseline)?.estimate;
  return {
    value: e?.ratio ?? Number.NaN,
    low: e?.interval?.low ?? Number.NaN,
    high: e?.interval?.high ?? Number.NaN,
  };
}
