import type { Command } from 'commander';
import { createBus } from '../../bus/create.js';
import { TypedBus } from '../../bus/typed.js';
import type { Bus } from '../../bus/types.js';
import { createLogger } from '../../log.js';
import { openStore } from '../../store/client.js';
import { Dispatcher, type TrainJobData } from '../../train/dispatcher.js';
import { createQueue } from '../../train/queue/create.js';
import { startSchedules } from '../../train/schedule.js';
import { startTrainWorker } from '../../train/worker.js';
import { configFrom } from '../context.js';
import { boundStop, nextSignal } from '../signals.js';

/**
 * `landfall dispatcher` and `landfall worker`: the training pipeline's two services, run on
 * their own against the configured bus, queue (BullMQ on Redis in production) and store.
 */
export function registerTrainServices(program: Command): void {
  program
    .command('dispatcher')
    .description(
      'check train requests from the bus and enqueue the valid ones (rejections are acked with the field at fault)',
    )
    .action(async (_opts: object, command: Command) => {
      const { config } = configFrom(command);
      const log = createLogger(config.log.level, 'dispatcher');
      const bus = await createBus(config.bus);
      const queue = createQueue<TrainJobData>(config.queue, config.train.queueName);
      try {
        const typed = new TypedBus(bus);
        const dispatcher = await Dispatcher.start({ bus: typed, queue, config, log });
        // Several dispatchers may run the same schedules: each window is still one job.
        const schedules = await startSchedules({ config, bus: typed, log });
        log.info(
          {
            bus: config.bus.kind,
            queue: config.queue.kind,
            name: config.train.queueName,
            schedules: config.train.schedule.map((e) => e.id),
          },
          'dispatcher running',
        );
        const signal = await nextSignal();
        const stopped = boundStop(log, 'dispatcher', 30);
        await schedules?.close();
        await dispatcher.stop();
        stopped();
        log.info({ signal }, 'dispatcher stopped');
      } finally {
        await queue.close();
        await bus.close();
      }
    });

  program
    .command('worker')
    .description(
      'run training jobs from the queue: ClickHouse rows → libxgboost → compiled model → registry, acks on the bus',
    )
    .action(async (_opts: object, command: Command) => {
      const { config } = configFrom(command);
      const log = createLogger(config.log.level, 'worker');
      const store = await openStore(config.store, { home: config.home });
      let bus: Bus | undefined;
      try {
        bus = await createBus(config.bus);
        const worker = startTrainWorker({ config, bus: new TypedBus(bus), store, log });
        log.info(
          { queue: config.queue.kind, name: config.train.queueName, store: store.kind },
          'worker running',
        );
        const signal = await nextSignal();
        // A running job finishes first (up to the bound); an unfinished one is taken up again
        // by another worker once its lock expires (BullMQ).
        const stopped = boundStop(log, 'worker', 600);
        await worker.close();
        stopped();
        log.info({ signal }, 'worker stopped');
      } finally {
        await bus?.close();
        await store.close();
      }
    });
}
