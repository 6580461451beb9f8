import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../../config/schema.js';
import { LandfallError } from '../../errors.js';
import { randomData } from '../../model/synthetic.js';
import type { Split } from '../../train/dataset.js';
import { boost } from '../../train/trainer.js';
import type { BenchContext, BenchRow, BenchSuite } from '../harness.js';
import { percentile } from '../stats.js';

const ROWS = 100_000;
const COLS = 11; // lf-v1
const TREES = 100;
const DEPTH = 6;
const ETA = 0.1;
const THREADS = 2;
const RUNS = 5;

/**
 * Training throughput, rows × trees per second: Landfall's worker path (DMatrix from memory,
 * one libxgboost update per round through koffi, progress between rounds) against Debian's
 * `xgboost` command-line trainer on the same rows, parameters and thread count, run side by
 * side in alternation. The CLI is timed as a whole command (start, parse its LIBSVM file,
 * train, save): that is what a user of it pays. Both sides also run 1 round, so the marginal
 * boosting cost (rounds 2..N) can be compared on its own.
 */
export const trainSuite: BenchSuite = {
  name: 'train',
  description: `binary:logistic hist, ${ROWS.toLocaleString('en-US')} rows × ${COLS} features, ${TREES} trees depth ${DEPTH}, ${THREADS} threads: landfall vs xgboost CLI`,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    if (spawnSync('xgboost', ['--help']).error !== undefined) {
      throw new LandfallError(
        'LF_BENCH_TOOL_MISSING',
        "Debian's xgboost command-line trainer is not installed (apt-get install xgboost)",
      );
    }
    const { x, y } = randomData(ROWS, COLS, 7);
    const dir = mkdtempSync(join(tmpdir(), 'lf-bench-train-'));
    try {
      const data = join(dir, 'train.libsvm');
      writeFileSync(data, libsvm(x, y));
      const cli = (rounds: number) => cliRun(dir, data, rounds);
      const split: Split = {
        rows: ROWS,
        data: x,
        labels: y,
        profit: new Float64Array(ROWS),
        firstMs: 0,
        lastMs: 0,
      };
      const config = configSchema.parse({ train: { threads: THREADS, seed: 1 } });
      const landfall = async (rounds: number) => {
        const began = performance.now();
        const b = await boost(
          { maxDepth: DEPTH, nEstimators: rounds, learningRate: ETA },
          { train: split, cols: COLS },
          { tree_method: 'hist' },
          { config, onRound: async () => undefined },
        );
        const seconds = (performance.now() - began) / 1000;
        b.free();
        return seconds;
      };
      const ours: number[] = [];
      const oursFixed: number[] = [];
      const theirs: number[] = [];
      const fixed: number[] = [];
      cli(TREES); // warm the page cache and the dynamic loader for both
      await landfall(TREES);
      for (let i = 0; i < RUNS; i++) {
        ours.push(await landfall(TREES));
        theirs.push(cli(TREES));
        oursFixed.push(await landfall(1));
        fixed.push(cli(1));
        ctx.progress(i + 1, RUNS);
      }
      const rate = (s: number[], q: number) => (ROWS * TREES) / percentile(s, q);
      const ourRate = rate(ours, 0.5);
      const cliRate = rate(theirs, 0.5);
      return [
        { name: 'landfall', metric: 'row_trees_per_s', value: ourRate, unit: 'rows·trees/s' },
        { name: 'landfall', metric: 'seconds_p50', value: percentile(ours, 0.5), unit: 's' },
        { name: 'landfall', metric: 'seconds_p99', value: percentile(ours, 0.99), unit: 's' },
        { name: 'xgboost_cli', metric: 'row_trees_per_s', value: cliRate, unit: 'rows·trees/s' },
        { name: 'xgboost_cli', metric: 'seconds_p50', value: percentile(theirs, 0.5), unit: 's' },
        { name: 'xgboost_cli', metric: 'seconds_p99', value: percentile(theirs, 0.99), unit: 's' },
        {
          name: 'xgboost_cli',
          metric: 'one_round_seconds_p50',
          value: percentile(fixed, 0.5),
          unit: 's',
        },
        { name: 'ratio', metric: 'ratio_to_xgboost_cli', value: ourRate / cliRate, unit: 'x' },
        {
          name: 'landfall',
          metric: 'one_round_seconds_p50',
          value: percentile(oursFixed, 0.5),
          unit: 's',
        },
        {
          // Rounds 2..N only on both sides: what is left once loading, the quantile sketch of
          // the first hist round, process start and model saving are taken out.
          name: 'ratio',
          metric: 'ratio_to_xgboost_cli_boosting_only',
          value:
            (percentile(theirs, 0.5) - percentile(fixed, 0.5)) /
            Math.max(1e-9, percentile(ours, 0.5) - percentile(oursFixed, 0.5)),
          unit: 'x',
        },
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** Wall seconds of one `xgboost <conf>` training run. */
function cliRun(dir: string, data: string, rounds: number): number {
  const conf = join(dir, `train-${rounds}.conf`);
  writeFileSync(
    conf,
    [
      'booster = gbtree',
      'objective = binary:logistic',
      'tree_method = hist',
      `eta = ${ETA}`,
      `max_depth = ${DEPTH}`,
      `num_round = ${rounds}`,
      `nthread = ${THREADS}`,
      'seed = 1',
      `data = "${data}?format=libsvm"`,
      `model_out = "${join(dir, 'cli.model')}"`,
      '',
    ].join('\n'),
  );
  const began = performance.now();
  const r = spawnSync('xgboost', [conf], { cwd: dir, encoding: 'utf8' });
  const seconds = (performance.now() - began) / 1000;
  if (r.status !== 0) throw new Error(`xgboost CLI failed: ${r.stderr || r.stdout}`);
  return seconds;
}

/** LIBSVM text: label, then index:value for every present (non-NaN) feature. */
function libsvm(x: Float32Array, y: Float32Array): string {
  const lines: string[] = [];
  for (let i = 0; i < y.length; i++) {
    const cells = [String(y[i])];
    for (let c = 0; c < COLS; c++) {
      const v = x[i * COLS + c] as number;
      if (!Number.isNaN(v)) cells.push(`${c}:${v}`);
    }
    lines.push(cells.join(' '));
  }
  return `${lines.join('\n')}\n`;
}
