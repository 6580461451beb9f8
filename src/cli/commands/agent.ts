import type { Command } from 'commander';
import { startPaper, summaryLines } from '../../agent/paper.js';
import { createBus } from '../../bus/create.js';
import { TypedBus } from '../../bus/typed.js';
import { LandfallError } from '../../errors.js';
import { createLogger } from '../../log.js';
import type { Module } from '../../market/types.js';
import { startLive } from '../../solana/live.js';
import { configFrom } from '../context.js';
import { parseSeconds } from '../parse.js';
import { nextSignalOrTimer } from '../signals.js';

interface AgentCliOptions {
  module: string;
  for?: string;
  live?: boolean;
  dryRun?: boolean;
}

/**
 * `landfall agent --module arb|mev`: one agent as its own service. It publishes its telemetry
 * on the configured bus (memory, NATS or Kafka) and trades on the market source: the simulator
 * at wall pace (paper mode), or with `--live` Solana and the Jito block engine (src/solana).
 */
export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description(
      'run one agent (arbitrage or backrun) against the simulator market (or Solana with --live), publishing ' +
        'opportunities, outcomes and 1 s metrics on the configured bus, until SIGINT/SIGTERM',
    )
    .requiredOption('--module <module>', 'arb (2- and 3-pool cycles) or mev (backruns)')
    .option('--for <seconds>', 'stop by itself after this many seconds')
    .option('--live', 'trade on Solana (needs mode: live and every live.* endpoint in the config)')
    .option(
      '--dry-run',
      'with --live: build, sign and simulate bundles and transactions, never send',
    )
    .action(async (opts: AgentCliOptions, command: Command) => {
      const { config } = configFrom(command);
      const module = moduleOf(opts.module);
      const runFor = opts.for === undefined ? undefined : parseSeconds('--for', opts.for);
      const live = liveChoice(config.mode, opts);
      const log = createLogger(config.log.level, `agent-${module}`);
      const bus = await createBus(config.bus);
      try {
        const typed = new TypedBus(bus);
        const liveRun =
          live === 'paper'
            ? undefined
            : await startLive({
                config,
                bus: typed,
                modules: [module],
                log,
                dryRun: live === 'dry-run',
                env: process.env,
              });
        const run =
          liveRun ??
          (await startPaper({
            config,
            publisher: typed,
            controlBus: typed,
            modules: [module],
            log,
          }));
        process.stdout.write(
          [
            `landfall agent: ${module}, bus ${config.bus.kind}`,
            ...run.lines,
            'stop with Ctrl-C',
            '',
          ].join('\n'),
        );
        const reason = await Promise.race([
          nextSignalOrTimer(runFor),
          run.ended.then(() => 'market ended'),
        ]);
        await run.stop();
        const extra = liveRun?.summary() ?? [];
        process.stdout.write(
          `stopped (${reason})\n${[...summaryLines(run), ...extra].join('\n')}\n`,
        );
      } finally {
        await bus.close();
      }
    });
}

/**
 * Live trading needs two explicit consents: `mode: live` in the config and `--live` on the
 * command line; either alone is refused, and `--dry-run` only makes sense with `--live`.
 */
function liveChoice(mode: string, opts: AgentCliOptions): 'paper' | 'live' | 'dry-run' {
  if (opts.dryRun && !opts.live) {
    throw new LandfallError(
      'LF_CLI_USAGE',
      '--dry-run applies to live mode: pass --live --dry-run',
    );
  }
  if (opts.live && mode !== 'live') {
    throw new LandfallError(
      'LF_SOLANA_CONFIG',
      `--live given but the config says mode: ${mode}; set mode: live and name the live.* endpoints`,
    );
  }
  if (!opts.live && mode === 'live') {
    throw new LandfallError(
      'LF_AGENT_NO_MARKET',
      'mode: live trades real money: pass --live to confirm (or --live --dry-run to simulate)',
    );
  }
  if (!opts.live) return 'paper';
  return opts.dryRun ? 'dry-run' : 'live';
}

function moduleOf(value: string): Module {
  if (value === 'arb' || value === 'mev') return value;
  throw new LandfallError('LF_CLI_USAGE', `--module expects arb or mev, got "${value}"`);
}
