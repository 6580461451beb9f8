import { performance } from 'node:perf_hooks';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { withPaperSecret } from '../../auth/dev-secret.js';
import { LandfallError } from '../../errors.js';
import { createLogger } from '../../log.js';
import type { Sink } from '../../store/sink.js';
import { marketModeOf } from '../../system/consent.js';
import { startSystem } from '../../system/system.js';
import { type WarmStart, whenStored } from '../../system/warm-start.js';
import { configFrom } from '../context.js';
import { parseSeconds } from '../parse.js';
import { boundStop, nextSignal, nextSignalOrTimer } from '../signals.js';

interface UpOptions {
  for?: string;
  live?: boolean;
  dryRun?: boolean;
  warmMinutes?: string;
  /** False with --no-warm-start. */
  warmStart: boolean;
}

/**
 * `landfall up`: the whole system in one process (src/system). On the defaults every engine is
 * embedded (in-process bus, chDB); a config that names servers runs the same services on them.
 * In paper mode the market first fast-forwards the last `up.warmStartMinutes` (warm-start.ts),
 * with a progress bar, so the dashboard opens on history and `landfall train` has rows.
 */
export function registerUp(program: Command): void {
  program
    .command('up')
    .description('run the system in one process on the configured engines (embedded by default)')
    .option(
      '--for <seconds>',
      'stop by itself this many seconds after the banner (default: until SIGINT/SIGTERM)',
    )
    .option('--live', 'trade on Solana (needs mode: live and every live.* endpoint in the config)')
    .option('--dry-run', 'with --live: simulate bundles and transactions instead of sending them')
    .option(
      '--warm-minutes <n>',
      'paper mode: simulated minutes fast-forwarded before wall pace (default: up.warmStartMinutes, 60)',
    )
    .option('--no-warm-start', 'paper mode: start at the wall clock, with no history')
    .action(async (opts: UpOptions, command: Command) => {
      const loaded = configFrom(command);
      // Paper mode without a key gets a per-process secret: the API is never open (dev-secret.ts).
      const { config, generated } = withPaperSecret(loaded.config);
      const runFor = opts.for === undefined ? undefined : parseSeconds('--for', opts.for);
      const market = marketModeOf(config.mode, opts);
      const warmStartMinutes = warmMinutesOf(opts, config.up.warmStartMinutes);
      const log = createLogger(config.log.level, 'up');
      // From here on a signal stops the system cleanly, during the warm start too.
      const signalled = nextSignal();
      const system = await startSystem({
        config,
        log,
        services: ['sink', 'training', 'agents', 'guard', 'api'],
        market,
        generatedSecret: generated,
        ...(market === 'paper' ? { warmStartMinutes } : {}),
      });
      try {
        const head = `landfall up: ${config.mode} mode, config ${loaded.source ?? 'embedded defaults'}`;
        const warmed =
          system.warm === undefined
            ? []
            : await followWarmStart(system.warm, system.sink, signalled);
        const tail = 'stop with Ctrl-C; pending rows are stored first';
        let reason: string;
        if (warmed === undefined) reason = 'signal during the warm start';
        else {
          process.stdout.write(`${[head, ...system.lines, ...warmed, tail].join('\n')}\n`);
          // A market or agents' thread that fails ends `up` with its error (after the finally
          // below stores what is pending), rather than leaving the services up with no agents.
          reason = await Promise.race([
            nextSignalOrTimer(runFor),
            system.ended.then(() => 'the market ended'),
          ]);
        }
        process.stdout.write(`stopping (${reason}): storing what is pending\n`);
        const stopped = boundStop(log, 'up', 30);
        await system.stop();
        stopped();
        const rows = system.sink?.stats();
        process.stdout.write(
          `${[...(system.agents?.summary() ?? []), `stopped: ${rows?.rowsInserted} rows stored in ${rows?.batches} batches`].join('\n')}\n`,
        );
      } finally {
        await system.stop();
      }
    });
}

function warmMinutesOf(opts: UpOptions, configured: number): number {
  if (!opts.warmStart) {
    if (opts.warmMinutes !== undefined)
      throw new LandfallError('LF_CLI_USAGE', '--warm-minutes and --no-warm-start: give one');
    return 0;
  }
  if (opts.warmMinutes === undefined) return configured;
  const n = Number(opts.warmMinutes);
  if (opts.warmMinutes.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1_440)
    throw new LandfallError(
      'LF_CLI_USAGE',
      `--warm-minutes expects simulated minutes in [0, 1440], got "${opts.warmMinutes}"`,
    );
  return n;
}

/**
 * Follows the warm start to its end, with a bar on a terminal: resolves with the banner line
 * that says what it did once the market has caught up and the sink has stored it, or with
 * undefined when a signal came first.
 */
async function followWarmStart(
  warm: WarmStart,
  sink: Sink | undefined,
  signalled: Promise<NodeJS.Signals>,
): Promise<string[] | undefined> {
  const began = performance.now();
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar(
        {
          format: 'warm start [{bar}] {value}/{total} simulated min, {duration}s',
          stream: process.stderr,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(Math.round(warm.minutes), 0);
  const timer = setInterval(() => bar?.update(Math.floor(warm.progress().doneMs / 60_000)), 200);
  try {
    const done = await Promise.race([
      warm.caughtUp.then(() => (sink === undefined ? undefined : whenStored(sink))),
      signalled.then(() => 'signalled' as const),
    ]);
    if (done === 'signalled') return undefined;
    bar?.update(Math.round(warm.minutes));
  } finally {
    clearInterval(timer);
    bar?.stop();
  }
  const { doneMs } = warm.progress();
  const seconds = ((performance.now() - began) / 1000).toFixed(1);
  return [
    `  warm start ${(doneMs / 60_000).toFixed(0)} simulated minutes (ending now) in ${seconds} s; wall pace from here`,
  ];
}
