/**
 * The job queue the training pipeline runs on: a producer (`JobQueue`: the dispatcher) adds jobs
 * under ids of its choosing, workers (`QueueWorker`: the trainers) run them through a handler.
 * `createQueue` / `createWorker` (create.ts) pick the adapter from `config.queue.kind`.
 *
 * Rules every adapter keeps (the contract suite, contract.ts, checks them against each):
 * - **Dedupe by id.** An id the queue knows, whatever its state (waiting, delayed, active,
 *   succeeded, failed), is not added again: `add` answers `'duplicate'` and the first job's data
 *   stays. Finished jobs are kept for this; nothing expires them.
 * - **Ids** are 1–256 characters, without `:` and not an integer literal (BullMQ keeps those for
 *   itself); data must be JSON-serialisable, and a handler sees it as `JSON.parse(JSON.stringify)`
 *   of what was added. Anything else is refused with `LF_QUEUE_INVALID` naming the field.
 * - **Retries.** A handler that throws (or rejects) fails that attempt. Before the last attempt
 *   (`config.attempts`) the job waits `delayed` for `backoffMs × 2^(attempt−1)`, then runs again;
 *   after the last it ends `failed` with the error's message as `failedReason`. A
 *   `PermanentJobError` ends it `failed` at once, whatever the attempt.
 * - **Progress** is a fraction 0..1 of the current run, visible through `info()`; each run starts
 *   at 0. Anything outside 0..1 is refused with `LF_QUEUE_INVALID`.
 * - **Concurrency.** One worker runs at most `config.concurrency` handlers at once. Several
 *   workers on one queue name share its jobs; each run goes to one of them.
 * - **Closing.** `QueueWorker.close()` takes no new job and resolves once the handlers it is
 *   running have finished (their results count as usual); jobs not yet taken stay for other or
 *   later workers. `JobQueue.close()` releases the producer; `add` and `info` then fail with
 *   `LF_QUEUE_CLOSED`. Both are idempotent.
 * - **At least once.** A job ends `succeeded` or `failed` exactly once, but a handler may run
 *   again after it started: on `bullmq`, a worker that dies, or blocks its event loop for more
 *   than `lockDurationMs / 2` (long synchronous native calls), may lose the job's lock, and
 *   another worker then runs the job again (`onStalled`).
 *   Handlers must therefore be idempotent (write their results under the job id, publish by an
 *   atomic rename, and so on).
 *
 * What each adapter adds or lacks:
 * - `memory` (memory.ts): one process. Queues and workers created with the same name in one
 *   process share one state, held in a module-level registry keyed by the name, for the life of
 *   the process; nothing survives it, and there is no stalled job (a handler cannot die without
 *   its process). Delayed retries use unref'd timers: they do not keep a process alive alone.
 * - `bullmq` (bullmq-queue.ts, bullmq-worker.ts): jobs live in Redis under
 *   `<prefix>:<name>:…` and survive any process; the adapter owns its Redis connections. A
 *   worker process that dies mid-job is detected by the others' stalled checks (every
 *   `stalledIntervalMs`, once the lock of `lockDurationMs` has expired) and its job runs again,
 *   up to `maxStalledCount` times, after which it fails. While Redis is unreachable, workers and
 *   producers keep reconnecting (reported through `onError` or the log) and `add` and `info`
 *   wait for it; a command Redis refuses (out of memory, read-only replica) fails them with
 *   `LF_QUEUE_UNAVAILABLE`.
 */
export interface QueueJob<T> {
  /** The job id given to `add()`. */
  readonly id: string;
  /** JSON-serialisable. */
  readonly data: T;
  /** 1 on the first run, 2 on the first retry, …; a run lost to a dead worker does not count. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Times a worker has started this job, runs lost to a dead worker included (≥ attempt). */
  readonly runs?: number;
  /** 0..1, visible through `info()`. */
  progress(fraction: number): Promise<void>;
}

/** Throw → retry with backoff; after the last attempt → failed. */
export type JobHandler<T> = (job: QueueJob<T>) => Promise<void>;

/**
 * Thrown by a handler for a failure a retry would meet again (no data, a bad request): the job
 * ends `failed` at once, with the cause's message as `failedReason`, and `onFailed` is told
 * `willRetry: false`.
 */
export class PermanentJobError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message || cause.name : String(cause), { cause });
    this.name = 'PermanentJobError';
  }
}

export type JobStatus = 'waiting' | 'active' | 'delayed' | 'succeeded' | 'failed';

export interface JobInfo {
  id: string;
  status: JobStatus;
  /** The attempt running now or the last one run; 0 before the first (as `QueueJob.attempt`). */
  attempt: number;
  /** The current (or last) run's progress, 0..1. */
  progress: number;
  /** Why the last attempt failed, unless the job has since succeeded. */
  failedReason?: string;
}

export interface JobQueue<T> {
  /** Enqueues under `id`; an id the queue already knows (waiting, active, done or failed) is not added again. */
  add(id: string, data: T): Promise<'added' | 'duplicate'>;
  /** The job's state, or undefined for an id the queue does not know. */
  info(id: string): Promise<JobInfo | undefined>;
  close(): Promise<void>;
}

export interface WorkerEvents<T> {
  /** An attempt failed; `willRetry` says whether another follows. Called before the retry is scheduled. */
  onFailed?(job: QueueJob<T>, error: unknown, willRetry: boolean): void;
  /** bullmq: this worker took `jobId` back from a worker whose lock expired; it will run again. */
  onStalled?(jobId: string): void;
  /** Trouble outside any handler (a lost Redis connection); logged as a warning when absent. */
  onError?(error: unknown): void;
}

export interface QueueWorker {
  close(): Promise<void>;
}
