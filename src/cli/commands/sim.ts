import { performance } from 'node:perf_hooks';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { LandfallError } from '../../errors.js';
import {
  DEFAULT_REFERENCE,
  formatSummary,
  type ReferenceRoute,
  runReferenceSearcher,
  summarize,
} from '../../sim/index.js';
import { configFrom } from '../context.js';

interface SimCliOptions {
  seed?: string;
  minutes: string;
  route: string;
  tipShare: string;
  json?: boolean;
}

/** A progress bar appears on a terminal once a run has taken this long. */
const PROGRESS_AFTER_MS = 1_000;

export function registerSim(program: Command): void {
  program
    .command('sim')
    .description(
      'backtest on the seeded market simulator (config section sim, virtual time) with the ' +
        'reference searcher (a fixed tip share and route; `landfall backtest` compares the ' +
        "agents' policies); prints opportunities, landings by route, rival share, PnL, per regime",
    )
    .option('--seed <n>', 'random seed (default: sim.seed from the config)')
    .option('--minutes <m>', 'simulated minutes', '60')
    .option(
      '--route <route>',
      'baseline route: jito, direct or auto (Jito when the leader runs it)',
      DEFAULT_REFERENCE.route,
    )
    .option(
      '--tip-share <x>',
      'share of expected profit the baseline bids (tip, or priority-fee cap)',
      String(DEFAULT_REFERENCE.tipShare),
    )
    .option('--json', 'print the summary as JSON')
    .action(async (opts: SimCliOptions, command: Command) => {
      const { config } = configFrom(command);
      const minutes = number(
        '--minutes',
        opts.minutes,
        (n) => n > 0 && n <= 7 * 24 * 60,
        'a number of minutes in (0, 10080]',
      );
      const seed =
        opts.seed === undefined
          ? config.sim.seed
          : number(
              '--seed',
              opts.seed,
              (n) => Number.isSafeInteger(n) && n >= 0,
              'an integer >= 0',
            );
      const tipShare = number(
        '--tip-share',
        opts.tipShare,
        (n) => n > 0 && n < 1,
        'a share in (0, 1)',
      );
      const route = parseRoute(opts.route);
      const bar = progressBar(minutes);
      const result = await runReferenceSearcher({
        config: { ...config.sim, seed },
        minutes,
        policy: { ...DEFAULT_REFERENCE, route, tipShare },
        onProgress: (ms) => bar.update(ms / 60_000),
      });
      bar.stop();
      const summary = summarize(result);
      process.stdout.write(
        `${opts.json ? JSON.stringify(summary, null, 2) : formatSummary(summary)}\n`,
      );
    });
}

function number(flag: string, value: string, ok: (n: number) => boolean, expected: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !ok(n))
    throw new LandfallError('LF_CLI_USAGE', `${flag} expects ${expected}, got "${value}"`);
  return n;
}

function parseRoute(value: string): ReferenceRoute {
  if (value === 'jito' || value === 'direct' || value === 'auto') return value;
  throw new LandfallError('LF_CLI_USAGE', `--route expects jito, direct or auto, got "${value}"`);
}

/** A bar on stderr, only on a terminal and only once the run proves long. */
function progressBar(totalMinutes: number): { update(minutes: number): void; stop(): void } {
  if (!process.stderr.isTTY) return { update() {}, stop() {} };
  const began = performance.now();
  let bar: cliProgress.SingleBar | undefined;
  return {
    update(minutes) {
      if (bar === undefined) {
        if (performance.now() - began < PROGRESS_AFTER_MS) return;
        bar = new cliProgress.SingleBar(
          { format: 'sim [{bar}] {value}/{total} simulated min', stream: process.stderr },
          cliProgress.Presets.shades_classic,
        );
        bar.start(Math.round(totalMinutes), 0);
      }
      bar.update(Math.floor(minutes));
    },
    stop() {
      bar?.stop();
    },
  };
}
