import type { Command } from 'commander';
import { LandfallError } from '../../errors.js';
import { createLogger } from '../../log.js';
import type { Module } from '../../market/types.js';
import { marketModeOf } from '../../system/consent.js';
import { startSystem } from '../../system/system.js';
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
      const market = marketModeOf(config.mode, opts);
      const log = createLogger(config.log.level, `agent-${module}`);
      const system = await startSystem({
        config,
        log,
        services: ['agents'],
        market,
        modules: [module],
      });
      try {
        process.stdout.write(
          [
            `landfall agent: ${module}, ${market} market`,
            ...system.lines,
            'stop with Ctrl-C',
            '',
          ].join('\n'),
        );
        const reason = await Promise.race([
          nextSignalOrTimer(runFor),
          system.ended.then(() => 'market ended'),
        ]);
        await system.stop();
        process.stdout.write(
          `stopped (${reason})\n${(system.agents?.summary() ?? []).join('\n')}\n`,
        );
      } finally {
        await system.stop();
      }
    });
}

function moduleOf(value: string): Module {
  if (value === 'arb' || value === 'mev') return value;
  throw new LandfallError('LF_CLI_USAGE', `--module expects arb or mev, got "${value}"`);
}
