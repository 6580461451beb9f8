import { toBinary } from '@bufbuild/protobuf';
import type { TypedBus } from '../bus/typed.js';
import type { Subscription } from '../bus/types.js';
import type { Config } from '../config/schema.js';
import { isLandfallError } from '../errors.js';
import { type TrainRequest, TrainRequestSchema, TrainState } from '../gen/landfall/v1/jobs_pb.js';
import type { Logger } from '../log.js';
import { toProtoModule } from '../proto/module.js';
import { publishAck } from './acks.js';
import type { JobQueue, JobStatus } from './queue/types.js';
import { type RangeRead, validateRequest } from './request.js';

/** What the queue carries: the request as received (protobuf, base64), re-checked by the worker. */
export interface TrainJobData {
  readonly request: string;
}

const DUPLICATE_STATE: Record<JobStatus, TrainState> = {
  waiting: TrainState.QUEUED,
  delayed: TrainState.QUEUED,
  active: TrainState.RUNNING,
  succeeded: TrainState.SUCCEEDED,
  failed: TrainState.FAILED,
};

export interface DispatcherOptions {
  readonly bus: TypedBus;
  readonly queue: JobQueue<TrainJobData>;
  readonly config: Config;
  readonly log: Logger;
}

/**
 * `landfall dispatcher`: train requests from the bus → checked → the job queue. A bad request
 * is rejected with a TrainAck naming the field; a valid one is enqueued under its job id, so a
 * repeated request (a redelivery, or an operator's second click) never trains twice: it is
 * answered with the job's current state instead.
 */
export class Dispatcher {
  private constructor(private readonly subscription: Subscription) {}

  static async start(options: DispatcherOptions): Promise<Dispatcher> {
    const { bus, config } = options;
    const sub = await bus.subscribe(
      'train-requests-proto',
      (request) => dispatch(request, options),
      { group: config.train.group },
    );
    return new Dispatcher(sub);
  }

  stop(): Promise<void> {
    return this.subscription.close();
  }
}

async function dispatch(request: TrainRequest, options: DispatcherOptions): Promise<void> {
  const { bus, queue, config, log } = options;
  const jobId = request.jobId;
  const verdict = validateRequest(request, config);
  if (!verdict.ok) {
    log.info({ jobId, field: verdict.field }, `train request rejected: ${verdict.message}`);
    await publishAck(bus, {
      jobId,
      state: TrainState.REJECTED,
      field: verdict.field,
      message: verdict.message,
      // An unknown module number cannot be echoed on a valid ack.
      module: verdict.field === 'module' ? 0 : request.module,
    });
    return;
  }
  const module = toProtoModule(verdict.job.module);
  let added: 'added' | 'duplicate';
  try {
    added = await queue.add(jobId, {
      request: Buffer.from(toBinary(TrainRequestSchema, request)).toString('base64'),
    });
  } catch (err) {
    // The queue's own id rules (e.g. BullMQ's reserved integer ids) are the request's fault.
    if (!isLandfallError(err, 'LF_QUEUE_INVALID')) throw err;
    await publishAck(bus, {
      jobId,
      module,
      state: TrainState.REJECTED,
      field: 'job_id',
      message: err.message,
    });
    return;
  }
  const { rangeRead } = verdict.job;
  if (added === 'added') {
    log.info({ jobId, module: verdict.job.module }, 'train job queued');
    await publishAck(bus, {
      jobId,
      module,
      state: TrainState.QUEUED,
      message: `queued on ${config.train.queueName}; ${rangeNote(rangeRead)}`,
      rangeRead: { start: rangeRead.start, end: rangeRead.end },
    });
    return;
  }
  const info = await queue.info(jobId);
  const status = info?.status ?? 'waiting';
  log.info({ jobId, status }, 'duplicate train request: not enqueued again');
  await publishAck(bus, {
    jobId,
    module,
    state: DUPLICATE_STATE[status],
    progress: info?.progress ?? 0,
    message: `duplicate request: job ${jobId} is already ${status}; not enqueued again`,
    rangeRead: { start: rangeRead.start, end: rangeRead.end },
  });
}

/** How the dispatcher read the range, in the ack's words, so a client sees dates resolved. */
export function rangeNote(range: RangeRead): string {
  const dates = range.datesAsUtcMidnight ? ' (dates read as UTC midnight)' : '';
  return `range read as ${range.start} inclusive to ${range.end} exclusive${dates}`;
}
