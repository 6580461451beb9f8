import type { Command } from 'commander';
import { withPaperSecret } from '../../auth/dev-secret.js';
import { createLogger } from '../../log.js';
import { marketModeOf } from '../../system/consent.js';
import { startSystem } from '../../system/system.js';
import { configFrom } from '../context.js';
import { parseSeconds } from '../parse.js';
import { boundStop, nextSignalOrTimer } from '../signals.js';

interface UpOptions {
  for?: string;
  live?: boolean;
  dryRun?: boolean;
}

/**
 * `landfall up`: the whole system in one process (src/system). On the defaults every engine is
 * embedded (in-process bus, chDB); a config that names servers runs the same services on them.
 */
export function registerUp(program: Command): void {
  program
    .command('up')
    .description('run the system in one process on the configured engines (embedded by default)')
    .option(
      '--for <seconds>',
      'stop by itself after this many seconds (default: until SIGINT/SIGTERM)',
    )
    .option('--live', 'trade on Solana (needs mode: live and every live.* endpoint in the config)')
    .option('--dry-run', 'with --live: simulate bundles and transactions instead of sending them')
    .action(async (opts: UpOptions, command: Command) => {
      const loaded = configFrom(command);
      // Paper mode without a key gets a per-process secret: the API is never open (dev-secret.ts).
      const { config, generated } = withPaperSecret(loaded.config);
      const runFor = opts.for === undefined ? undefined : parseSeconds('--for', opts.for);
      const market = marketModeOf(config.mode, opts);
      const log = createLogger(config.log.level, 'up');
      const system = await startSystem({
        config,
        log,
        services: ['sink', 'training', 'agents', 'guard', 'api'],
        market,
        generatedSecret: generated,
      });
      try {
        const head = `landfall up: ${config.mode} mode, config ${loaded.source ?? 'embedded defaults'}`;
        const tail = 'stop with Ctrl-C; pending rows are stored first';
        process.stdout.write(`${[head, ...system.lines, tail].join('\n')}\n`);
        const reason = await nextSignalOrTimer(runFor);
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
