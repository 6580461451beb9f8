import type { Command } from 'commander';
import { startPaper, summaryLines } from '../../agent/paper.js';
import { createBus } from '../../bus/create.js';
import { TypedBus } from '../../bus/typed.js';
import { LandfallError } from '../../errors.js';
import { createLogger } from '../../log.js';
import type { Module } from '../../market/types.js';
import { configFrom } from '../context.js';
import { parseSeconds } from '../parse.js';
import { nextSignal } from '../signals.js';

interface AgentCliOptions {
  module: string;
  for?: string;
}

/**
 * `landfall agent --module arb|mev`: one agent as its own service. It publishes its telemetry
 * on the configured bus (memory, NATS or Kafka) and trades on the market source; until the
 * live Solana adapters exist that source is the simulator at wall pace (paper mode).
 */
export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description(
      'run one agent (arbitrage or backrun) against the simulator market, publishing ' +
        'opportunities, outcomes and 1 s metrics on the configured bus, until SIGINT/SIGTERM',
    )
    .requiredOption('--module <module>', 'arb (2- and 3-pool cycles) or mev (backruns)')
    .option('--for <seconds>', 'stop by itself after this many seconds')
    .action(async (opts: AgentCliOptions, command: Command) => {
      const { config } = configFrom(command);
      const module = moduleOf(opts.module);
      const runFor = opts.for === undefined ? undefined : parseSeconds('--for', opts.for);
      if (config.mode !== 'paper') {
        throw new LandfallError(
          'LF_AGENT_NO_MARKET',
          `mode ${config.mode}: no live market source exists yet; set mode: paper to trade on the simulator`,
        );
      }
      const log = createLogger(config.log.level, `agent-${module}`);
      const bus = await createBus(config.bus);
      try {
        const run = await startPaper({
          config,
          publisher: new TypedBus(bus),
          modules: [module],
          log,
        });
        process.stdout.write(
          [
            `landfall agent: ${module}, bus ${config.bus.kind}`,
            ...run.lines,
            'stop with Ctrl-C',
            '',
          ].join('\n'),
        );
        const timer =
          runFor === undefined
            ? undefined
            : new Promise<string>((r) => setTimeout(() => r('timer'), runFor * 1000).unref());
        const reason = await Promise.race([
          nextSignal(),
          run.ended.then(() => 'market ended'),
          ...(timer === undefined ? [] : [timer]),
        ]);
        await run.stop();
        process.stdout.write(`stopped (${reason})\n${summaryLines(run).join('\n')}\n`);
      } finally {
        await bus.close();
      }
    });
}

function moduleOf(value: string): Module {
  if (value === 'arb' || value === 'mev') return value;
  throw new LandfallError('LF_CLI_USAGE', `--module expects arb or mev, got "${value}"`);
}
