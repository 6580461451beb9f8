import { LandfallError, reasonOf } from '../../errors.js';
import { backoffDelay, callSafely, checkJobId, checkProgress, serialiseData } from './checks.js';
import { infoOf, type MemoryJobRecord, memoryQueueState } from './memory-state.js';
import {
  type JobHandler,
  type JobInfo,
  type JobQueue,
  PermanentJobError,
  type QueueJob,
  type QueueWorker,
  type WorkerEvents,
} from './types.js';

/** The in-process queue (embedded mode): the rules in types.ts, for one process. */
export class MemoryQueue<T> implements JobQueue<T> {
  readonly #state;
  #closed = false;

  constructor(
    readonly name: string,
    private readonly options: { attempts: number; backoffMs: number },
  ) {
    this.#state = memoryQueueState(name);
  }

  async add(id: string, data: T): Promise<'added' | 'duplicate'> {
    this.#checkOpen();
    checkJobId(this.name, id);
    return this.#state.add({
      id,
      json: serialiseData(this.name, id, data),
      maxAttempts: this.options.attempts,
      backoffMs: this.options.backoffMs,
      status: 'waiting',
      attempt: 0,
      runs: 0,
      progress: 0,
      failedReason: undefined,
    });
  }

  async info(id: string): Promise<JobInfo | undefined> {
    this.#checkOpen();
    const record = this.#state.jobs.get(id);
    return record === undefined ? undefined : infoOf(record);
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #checkOpen(): void {
    if (this.#closed)
      throw new LandfallError('LF_QUEUE_CLOSED', `queue ${this.name} is closed; create a new one`);
  }
}

/** Runs the in-process queue's jobs, `concurrency` at a time. */
export class MemoryWorker<T> implements QueueWorker {
  readonly #state;
  readonly #running = new Set<Promise<void>>();
  readonly #unsubscribe: () => void;
  #closing: Promise<void> | undefined;

  constructor(
    readonly name: string,
    private readonly concurrency: number,
    private readonly handler: JobHandler<T>,
    private readonly events: WorkerEvents<T>,
    private readonly onError: (err: unknown) => void,
  ) {
    this.#state = memoryQueueState(name);
    this.#unsubscribe = this.#state.onReady(() => this.#pump());
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#unsubscribe();
      // #run never rejects; wait until the set is empty, as a run may still be settling.
      while (this.#running.size > 0) await Promise.all([...this.#running]);
    })();
    return this.#closing;
  }

  #pump(): void {
    while (this.#closing === undefined && this.#running.size < this.concurrency) {
      const record = this.#state.take();
      if (record === undefined) return;
      const run: Promise<void> = this.#run(record).finally(() => {
        this.#running.delete(run);
        this.#pump();
      });
      this.#running.add(run);
    }
  }

  async #run(record: MemoryJobRecord): Promise<void> {
    record.attempt += 1;
    record.runs += 1;
    record.progress = 0;
    const run = record.runs;
    const job: QueueJob<T> = {
      id: record.id,
      data: JSON.parse(record.json) as T,
      attempt: record.attempt,
      maxAttempts: record.maxAttempts,
      runs: run,
      progress: async (fraction) => {
        const value = checkProgress(this.name, record.id, fraction);
        if (record.status === 'active' && record.runs === run) record.progress = value;
      },
    };
    try {
      await this.handler(job);
      record.failedReason = undefined;
      record.status = 'succeeded';
    } catch (err) {
      const willRetry = !(err instanceof PermanentJobError) && record.attempt < record.maxAttempts;
      record.failedReason = reasonOf(err);
      callSafely(() => this.events.onFailed?.(job, err, willRetry), this.onError);
      if (willRetry) this.#state.retryLater(record, backoffDelay(record.backoffMs, record.attempt));
      else record.status = 'failed';
    }
  }
}
