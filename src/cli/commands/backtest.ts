import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { type Comparison, comparePolicies } from '../../agent/backtest.js';
import {
  comparisonJson,
  formatComparison,
  formatSeedsSummary,
  seedsSummaryJson,
} from '../../agent/backtest-report.js';
import {
  compareSeeds,
  defaultJobs,
  parseSeeds,
  summarizeSeeds,
} from '../../agent/backtest-seeds.js';
import { cumulativeProfitSvg } from '../../agent/chart.js';
import { settingsFrom } from '../../agent/config.js';
import { LandfallError } from '../../errors.js';
import { withVenuePreset } from '../../sim/index.js';
import { configFrom } from '../context.js';

interface BacktestCliOptions {
  seed?: string;
  seeds?: string;
  jobs?: string;
  minutes: string;
  out: string;
  venues?: string;
}

/**
 * `landfall backtest`: the same seeded market once per policy pair (oracle, baselines,
 * Landfall), side by side; writes the table as JSON and a chart of cumulative profit (SVG).
 * With `--seeds A-B`, every seed in the range on `--jobs` worker threads, then totals with
 * bootstrap intervals over seeds and paired ratios to each baseline.
 */
export function registerBacktest(program: Command): void {
  program
    .command('backtest')
    .description(
      'compare tip/route policies on seeded simulated markets: oracle (best fixed tip and ' +
        'route in hindsight), baselines and Landfall; prints a table, writes JSON and an SVG chart ' +
        '(--seeds: many seeds in parallel, totals with 95% bootstrap intervals and paired ratios)',
    )
    .option('--seed <n>', 'random seed (default: sim.seed from the config)')
    .option('--seeds <list>', 'many seeds: a range A-B, a list A,B,C, or both (1-14,20)')
    .option('--jobs <n>', `seeds run at once with --seeds (default: cores, here ${defaultJobs()})`)
    .option('--minutes <m>', 'simulated minutes per seed', '60')
    .option('--out <dir>', 'where to write backtest-<seed>.json and .svg', 'bench/results')
    .option(
      '--venues <preset>',
      "the market's venues instead of the config's: cp (constant product) or mixed (each venue on a live program's maths; README, Mixed market)",
    )
    .action(async (opts: BacktestCliOptions, command: Command) => {
      const { config } = configFrom(command);
      const minutes = integer('--minutes', opts.minutes, 1);
      const sim = opts.venues === undefined ? config.sim : withVenuePreset(config.sim, opts.venues);
      const base = { minutes, sim, settings: settingsFrom(config.agent) };
      const dir = resolve(opts.out);
      if (opts.seeds === undefined) {
        if (opts.jobs !== undefined) throw usage('--jobs goes with --seeds');
        const seed = opts.seed === undefined ? config.sim.seed : integer('--seed', opts.seed, 0);
        const comparison = await comparePolicies({ ...base, seed });
        const [json, svg] = writeSeed(dir, comparison);
        process.stdout.write(`${formatComparison(comparison)}\nwrote ${json}\nwrote ${svg}\n`);
        return;
      }
      if (opts.seed !== undefined) throw usage('--seed and --seeds: give one or the other');
      let seeds: number[];
      try {
        seeds = parseSeeds(opts.seeds);
      } catch (err) {
        throw usage(`--seeds: ${(err as Error).message}`);
      }
      const jobs = opts.jobs === undefined ? defaultJobs() : integer('--jobs', opts.jobs, 1);
      const began = performance.now();
      const comparisons = await compareSeeds({
        ...base,
        seeds,
        jobs,
        onSeed: (c, done, total) => {
          writeSeed(dir, c);
          const landfall = c.rows.find((r) => r.name === 'landfall');
          process.stderr.write(
            `seed ${c.seed} done (${done}/${total}, ${(c.wallMs / 1000).toFixed(1)} s): landfall ` +
              `${landfall === undefined ? '?' : landfall.ratioToOracle.toFixed(3)} × oracle\n`,
          );
        },
      });
      const run = { jobs: Math.min(jobs, seeds.length), wallMs: performance.now() - began };
      const summary = summarizeSeeds(comparisons);
      const name = `backtest-seeds-${seeds[0]}-${seeds.at(-1)}.json`;
      const json = join(dir, name);
      writeFileSync(json, `${JSON.stringify(seedsSummaryJson(summary, run), null, 2)}\n`);
      process.stdout.write(
        `${formatSeedsSummary(summary, run)}\nwrote ${json} (and backtest-<seed>.json, .svg per seed)\n`,
      );
    });
}

/** One seed's JSON and chart; returns their paths. */
function writeSeed(dir: string, comparison: Comparison): [string, string] {
  const { seed, minutes } = comparison;
  mkdirSync(dir, { recursive: true });
  const json = join(dir, `backtest-${seed}.json`);
  const svg = join(dir, `backtest-${seed}.svg`);
  writeFileSync(json, `${JSON.stringify(comparisonJson(comparison), null, 2)}\n`);
  writeFileSync(
    svg,
    cumulativeProfitSvg(
      `landfall backtest: seed ${seed}, ${minutes} min, cumulative net profit`,
      comparison.rows.map((r) => ({ name: r.name, values: r.curve })),
    ),
  );
  return [json, svg];
}

function usage(message: string): LandfallError {
  return new LandfallError('LF_CLI_USAGE', message);
}

function integer(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw usage(`${flag} expects an integer ≥ ${min}, got "${value}"`);
  return n;
}
