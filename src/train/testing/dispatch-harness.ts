import type { TypedBus } from '../../bus/typed.js';
import type { Config } from '../../config/schema.js';
import type { TrainAck } from '../../gen/landfall/v1/jobs_pb.js';
import { createLogger } from '../../log.js';
import { Dispatcher, type TrainJobData } from '../dispatcher.js';
import { createQueue } from '../queue/create.js';
import type { JobQueue } from '../queue/types.js';
import type { TrainJob } from '../request.js';
import { recordJobs } from './job-recorder.js';

export interface DispatchHarness {
  readonly queue: JobQueue<TrainJobData>;
  /** Every ack on train-acks-proto since start, in order. */
  readonly acks: TrainAck[];
  /** The jobs the queue's worker ran, as the real worker reads them (see job-recorder.ts). */
  readonly jobs: TrainJob[];
  close(): Promise<void>;
}

/**
 * A dispatcher on `bus` with its queue (config.train.queueName), an ack listener, and a
 * recording worker: what a client's request becomes, short of training.
 */
export async function startDispatch(bus: TypedBus, config: Config): Promise<DispatchHarness> {
  const acks: TrainAck[] = [];
  const queue = createQueue<TrainJobData>(config.queue, config.train.queueName);
  await bus.subscribe('train-acks-proto', async (a) => void acks.push(a), { group: 'acks' });
  const dispatcher = await Dispatcher.start({
    bus,
    queue,
    config,
    log: createLogger('silent'),
  });
  const recorder = recordJobs(config);
  return {
    queue,
    acks,
    jobs: recorder.jobs,
    close: async () => {
      await dispatcher.stop();
      await recorder.worker.close();
      await queue.close();
    },
  };
}
