import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type PaperRun, startPaper, summaryLines } from '../../agent/paper.js';
import { createBus } from '../../bus/create.js';
import { TypedBus } from '../../bus/typed.js';
import type { Bus } from '../../bus/types.js';
import type { Config } from '../../config/schema.js';
import { createLogger } from '../../log.js';
import { openStore } from '../../store/client.js';
import { sinkTables } from '../../store/rows.js';
import { migrateStore } from '../../store/setup.js';
import { Sink } from '../../store/sink.js';
import type { Store } from '../../store/types.js';
import { configFrom } from '../context.js';
import { parseSeconds } from '../parse.js';
import { boundStop, nextSignal } from '../signals.js';

interface UpOptions {
  for?: string;
}

/**
 * `landfall up`: the whole system in one process. On the defaults every engine is embedded
 * (in-process bus, chDB); a config that names servers runs the same services against them.
 * In paper mode the simulator (wall pace) feeds an arbitrage and a backrun agent, whose
 * telemetry goes over the bus into the sink like any other producer's.
 */
export function registerUp(program: Command): void {
  program
    .command('up')
    .description('run the system in one process on the configured engines (embedded by default)')
    .option(
      '--for <seconds>',
      'stop by itself after this many seconds (default: until SIGINT/SIGTERM)',
    )
    .action(async (opts: UpOptions, command: Command) => {
      const { config, source } = configFrom(command);
      const runFor = opts.for === undefined ? undefined : parseSeconds('--for', opts.for);
      const log = createLogger(config.log.level, 'up');
      const store = await openStore(config.store, { home: config.home });
      let bus: Bus | undefined;
      let paper: PaperRun | undefined;
      try {
        const migrated = await migrateStore(store, config);
        bus = await createBus(config.bus);
        const typed = new TypedBus(bus);
        const sink = await Sink.start({
          bus: typed,
          store,
          logger: log,
          ...config.store.sink,
        });
        if (config.mode === 'paper') {
          paper = await startPaper({ config, publisher: typed, modules: ['arb', 'mev'], log });
        }
        const health = await store.health();
        process.stdout.write(
          banner(config, source, store, health.detail, migrated.tiering, paper?.lines ?? []),
        );
        const reason = await (runFor === undefined
          ? nextSignal()
          : Promise.race([nextSignal(), sleepFor(runFor)]));
        process.stdout.write(`stopping (${reason}): storing what is pending\n`);
        const stopped = boundStop(log, 'up', 30);
        // Agents first, so their last outcomes and metrics reach the sink before it drains.
        await paper?.stop();
        await sink.stop();
        stopped();
        if (paper !== undefined) process.stdout.write(`${summaryLines(paper).join('\n')}\n`);
        const stats = sink.stats();
        process.stdout.write(
          `stopped: ${stats.rowsInserted} rows stored in ${stats.batches} batches\n`,
        );
      } finally {
        await paper?.stop();
        await bus?.close();
        await store.close();
      }
    });
}

function banner(
  config: Config,
  source: string | undefined,
  store: Store,
  detail: string,
  tiering: boolean,
  agentLines: readonly string[],
) {
  const ttl = config.store.ttl;
  const busLine =
    config.bus.kind === 'memory'
      ? 'memory (in-process)'
      : `${config.bus.kind} ${(config.bus.kind === 'nats' ? config.bus.nats.servers : config.bus.kafka.brokers).join(', ')}`;
  const lines = [
    `landfall up: ${config.mode} mode, config ${source ?? 'embedded defaults'}`,
    `  home   ${resolve(config.home)}`,
    `  bus    ${busLine}`,
    `  store  ${detail}, database ${store.database}; ${
      tiering
        ? `tiering hot→cold after ${ttl.moveToColdDays} d, delete after ${ttl.deleteDays} d`
        : `delete after ${ttl.deleteDays} d (no tiering)`
    }`,
    ...agentLines,
    `  sink   ${sinkTables.map((t) => t.topic).join(', ')} → ClickHouse`,
    'stop with Ctrl-C; pending rows are stored first',
  ];
  return `${lines.join('\n')}\n`;
}

function sleepFor(seconds: number): Promise<'timer'> {
  return new Promise((r) => setTimeout(() => r('timer'), seconds * 1000));
}
