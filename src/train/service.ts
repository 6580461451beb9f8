import type { TypedBus } from '../bus/typed.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/types.js';
import { Dispatcher, type TrainJobData } from './dispatcher.js';
import { createQueue } from './queue/create.js';
import type { Ticker } from './queue/ticker.js';
import type { JobQueue, QueueWorker } from './queue/types.js';
import { startSchedules } from './schedule.js';
import { startTrainWorker } from './worker.js';

export interface TrainingServices {
  /** Banner lines for `landfall up`. */
  readonly lines: readonly string[];
  /** Stops taking requests, lets a running job finish, releases the queue. */
  stop(): Promise<void>;
}

/** The dispatcher and a trainer in one process (`landfall up`; `landfall train` when embedded). */
export async function startTraining(options: {
  config: Config;
  bus: TypedBus;
  store: Store;
  log: Logger;
  /** The schedules' wall clock (startSchedules). */
  now?: () => number;
}): Promise<TrainingServices> {
  const { config } = options;
  const queue: JobQueue<TrainJobData> = createQueue(config.queue, config.train.queueName);
  let worker: QueueWorker | undefined;
  let dispatcher: Dispatcher | undefined;
  let schedules: Ticker | undefined;
  try {
    worker = startTrainWorker(options);
    dispatcher = await Dispatcher.start({ ...options, queue });
    schedules = await startSchedules(options);
  } catch (err) {
    await dispatcher?.stop();
    await worker?.close();
    await queue.close();
    throw err;
  }
  const where =
    config.queue.kind === 'memory' ? 'in-process queue' : `BullMQ at ${config.queue.redisUrl}`;
  return {
    lines: [
      `  train  train-requests-proto → dispatcher → ${where} "${config.train.queueName}" → libxgboost → candidate models, promoted when they beat the live one; acks on train-acks-proto`,
      ...config.train.schedule.map(
        (e) =>
          `  train  schedule ${e.id}: ${e.module} every ${e.everyMs === undefined ? `cron "${e.cron}" (UTC)` : `${e.everyMs} ms`} over the last ${e.windowMs} ms`,
      ),
    ],
    async stop() {
      await schedules?.close();
      await dispatcher?.stop();
      await worker?.close();
      await queue.close();
    },
  };
}
