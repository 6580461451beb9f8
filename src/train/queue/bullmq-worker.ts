import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { QueueConfig } from '../../config/schema.js';
import { reasonOf } from '../../errors.js';
import { connectionOf } from './bullmq-queue.js';
import { callSafely, checkProgress } from './checks.js';
import {
  type JobHandler,
  PermanentJobError,
  type QueueJob,
  type QueueWorker,
  type WorkerEvents,
} from './types.js';

/** The reason BullMQ's stalled checker gives a job it fails after `maxStalledCount` recoveries. */
const STALLED_LIMIT_REASON = 'job stalled more than allowable limit';

/**
 * Runs a Redis queue's jobs through `handler`: the rules in types.ts. BullMQ holds a lock per
 * running job and renews it every `lockDurationMs / 2`; every worker checks for expired locks
 * every `stalledIntervalMs` and puts those jobs back in line (their worker died), which is what
 * makes the queue survive a killed worker.
 */
export class BullWorker<T> implements QueueWorker {
  readonly #worker: Worker;
  #closing: Promise<void> | undefined;

  constructor(
    readonly name: string,
    config: QueueConfig,
    private readonly handler: JobHandler<T>,
    private readonly events: WorkerEvents<T>,
    private readonly onError: (err: unknown) => void,
  ) {
    this.#worker = new Worker(name, (job: Job) => this.#process(job), {
      connection: connectionOf(config),
      prefix: config.prefix,
      concurrency: config.concurrency,
      lockDuration: config.lockDurationMs,
      stalledInterval: config.stalledIntervalMs,
      maxStalledCount: config.maxStalledCount,
    });
    this.#worker.on('error', onError);
    this.#worker.on('stalled', (jobId: string) =>
      callSafely(() => events.onStalled?.(jobId), onError),
    );
    // Failures of the handler are reported by #process; this is the one failure without a
    // handler to throw: a job taken back from dead workers more often than allowed.
    this.#worker.on('failed', (job: Job | undefined, err: Error) => {
      if (job === undefined || err.message !== STALLED_LIMIT_REASON) return;
      callSafely(() => events.onFailed?.(this.#view(job), err, false), onError);
    });
  }

  close(): Promise<void> {
    this.#closing ??= this.#worker.close();
    return this.#closing;
  }

  async #process(job: Job): Promise<void> {
    const view = this.#view(job);
    // Progress belongs to a run; a retry or a run after a dead worker starts again from 0.
    if (job.progress !== 0) await job.updateProgress(0);
    try {
      await this.handler(view);
    } catch (err) {
      const permanent = err instanceof PermanentJobError;
      const willRetry = !permanent && view.attempt < view.maxAttempts;
      callSafely(() => this.events.onFailed?.(view, err, willRetry), this.onError);
      // BullMQ fails an UnrecoverableError without retrying it.
      if (permanent) throw new UnrecoverableError(err.message);
      // BullMQ records `message` as the failed reason; a thrown non-Error has none.
      throw err instanceof Error ? err : new Error(reasonOf(err));
    }
  }

  #view(job: Job): QueueJob<T> {
    const id = job.id ?? '';
    return {
      id,
      data: job.data as T,
      // attemptsMade counts attempts that ended; a run lost to a dead worker is not one.
      attempt: job.attemptsMade + 1,
      maxAttempts: job.opts.attempts ?? 1,
      runs: job.attemptsStarted,
      progress: async (fraction) => {
        await job.updateProgress(checkProgress(this.name, id, fraction));
      },
    };
  }
}
