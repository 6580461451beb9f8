import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { comparePolicies, comparisonJson, formatComparison } from '../../agent/backtest.js';
import { cumulativeProfitSvg } from '../../agent/chart.js';
import { settingsFrom } from '../../agent/config.js';
import { LandfallError } from '../../errors.js';
import { configFrom } from '../context.js';

interface BacktestCliOptions {
  seed?: string;
  minutes: string;
  out: string;
}

/**
 * `landfall backtest`: the same seeded market once per policy pair (oracle, baselines,
 * Landfall), side by side; writes the table as JSON and a chart of cumulative profit (SVG).
 */
export function registerBacktest(program: Command): void {
  program
    .command('backtest')
    .description(
      'compare tip/route policies on one seeded simulated market: oracle (best fixed tip and ' +
        'route in hindsight), baselines and Landfall; prints a table, writes JSON and an SVG chart',
    )
    .option('--seed <n>', 'random seed (default: sim.seed from the config)')
    .option('--minutes <m>', 'simulated minutes', '60')
    .option('--out <dir>', 'where to write backtest-<seed>.json and .svg', 'bench/results')
    .action(async (opts: BacktestCliOptions, command: Command) => {
      const { config } = configFrom(command);
      const seed = opts.seed === undefined ? config.sim.seed : integer('--seed', opts.seed, 0);
      const minutes = integer('--minutes', opts.minutes, 1);
      const comparison = await comparePolicies({
        seed,
        minutes,
        sim: config.sim,
        settings: settingsFrom(config.agent),
      });
      const dir = resolve(opts.out);
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
      process.stdout.write(`${formatComparison(comparison)}\nwrote ${json}\nwrote ${svg}\n`);
    });
}

function integer(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new LandfallError('LF_CLI_USAGE', `${flag} expects an integer ≥ ${min}, got "${value}"`);
  return n;
}
