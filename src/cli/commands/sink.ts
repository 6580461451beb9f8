import type { Command } from 'commander';
import { createBus } from '../../bus/create.js';
import { TypedBus } from '../../bus/typed.js';
import type { Bus } from '../../bus/types.js';
import { createLogger } from '../../log.js';
import { openStore } from '../../store/client.js';
import { migrateStore } from '../../store/setup.js';
import { Sink } from '../../store/sink.js';
import { configFrom } from '../context.js';
import { parseSeconds } from '../parse.js';
import { boundStop, nextSignal } from '../signals.js';

interface SinkCliOptions {
  migrate: boolean;
  statsEvery: string;
  drainTimeout: string;
}

export function registerSink(program: Command): void {
  program
    .command('sink')
    .description(
      'store the telemetry topics in ClickHouse (configured bus and store) until SIGINT/SIGTERM, then drain',
    )
    .option(
      '--no-migrate',
      'do not apply pending migrations at start (when they are run separately)',
    )
    .option(
      '--stats-every <seconds>',
      'log throughput, lag and pending rows every N seconds; 0: never',
      '10',
    )
    .option(
      '--drain-timeout <seconds>',
      'how long stopping may take to store what is pending',
      '30',
    )
    .action(async (opts: SinkCliOptions, command: Command) => {
      const { config } = configFrom(command);
      const statsEvery = parseSeconds('--stats-every', opts.statsEvery, { allowZero: true });
      const drainTimeout = parseSeconds('--drain-timeout', opts.drainTimeout, { allowZero: true });
      const log = createLogger(config.log.level, 'sink');
      const store = await openStore(config.store, { home: config.home });
      let bus: Bus | undefined;
      try {
        if (opts.migrate) {
          const m = await migrateStore(store, config);
          log.info({ applied: m.applied, tiering: m.tiering }, 'migrations');
        }
        bus = await createBus(config.bus);
        const sink = await Sink.start({
          bus: new TypedBus(bus),
          store,
          logger: log,
          ...config.store.sink,
        });
        log.info(
          { bus: config.bus.kind, store: (await store.health()).detail, ...config.store.sink },
          'sink running',
        );
        const ticker =
          statsEvery > 0
            ? setInterval(() => log.info(sink.stats(), 'sink stats'), statsEvery * 1000)
            : undefined;
        const signal = await nextSignal();
        clearInterval(ticker);
        log.info({ signal, pendingRows: sink.stats().pendingRows }, 'draining');
        const stopped = boundStop(log, 'sink', drainTimeout);
        await sink.stop();
        stopped();
        log.info(sink.stats(), 'sink stopped');
      } finally {
        await bus?.close();
        await store.close();
      }
    });
}
