import type { JobInfo, JobStatus } from './types.js';

/** One job of the in-process queue, as the registry holds it. */
export interface MemoryJobRecord {
  readonly id: string;
  /** The data as added, serialised: each run gets its own copy, as from Redis. */
  readonly json: string;
  readonly maxAttempts: number;
  readonly backoffMs: number;
  status: JobStatus;
  attempt: number;
  /** Runs started; tells a late progress report of an old run from the current run's. */
  runs: number;
  progress: number;
  failedReason: string | undefined;
}

/**
 * The shared state of one in-process queue name: its jobs (kept for the life of the process, so
 * an id is never added twice), the waiting line in order of arrival, and the workers to wake
 * when a job is ready. Queue and worker handles are views onto it.
 */
export class MemoryQueueState {
  readonly jobs = new Map<string, MemoryJobRecord>();
  #waiting: string[] = [];
  #head = 0;
  readonly #listeners = new Set<() => void>();
  #wakeScheduled = false;

  add(record: MemoryJobRecord): 'added' | 'duplicate' {
    if (this.jobs.has(record.id)) return 'duplicate';
    this.jobs.set(record.id, record);
    this.#enqueue(record);
    return 'added';
  }

  /** The oldest waiting job, now active; undefined when none waits. */
  take(): MemoryJobRecord | undefined {
    while (this.#head < this.#waiting.length) {
      const id = this.#waiting[this.#head++] as string;
      if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
        this.#waiting = this.#waiting.slice(this.#head);
        this.#head = 0;
      }
      const record = this.jobs.get(id);
      if (record?.status !== 'waiting') continue;
      record.status = 'active';
      return record;
    }
    return undefined;
  }

  /** Holds a failed job `delayed` for `delayMs`, then puts it back in line. */
  retryLater(record: MemoryJobRecord, delayMs: number): void {
    record.status = 'delayed';
    // Unref'd: a delayed retry alone should not keep a process from exiting, as with Redis,
    // where the job would wait for the next worker; here it is lost with the process.
    setTimeout(() => this.#enqueue(record), delayMs).unref();
  }

  /** Calls `listener` whenever a job may be ready to take; returns the unsubscribe. */
  onReady(listener: () => void): () => void {
    this.#listeners.add(listener);
    this.#wake();
    return () => this.#listeners.delete(listener);
  }

  #enqueue(record: MemoryJobRecord): void {
    record.status = 'waiting';
    this.#waiting.push(record.id);
    this.#wake();
  }

  // Coalesced into one microtask: `add` returns before any handler starts, as with BullMQ, and
  // a burst of adds wakes each worker once.
  #wake(): void {
    if (this.#wakeScheduled) return;
    this.#wakeScheduled = true;
    queueMicrotask(() => {
      this.#wakeScheduled = false;
      for (const listener of [...this.#listeners]) listener();
    });
  }
}

export function infoOf(record: MemoryJobRecord): JobInfo {
  const info: JobInfo = {
    id: record.id,
    status: record.status,
    attempt: record.attempt,
    progress: record.progress,
  };
  if (record.failedReason !== undefined && record.status !== 'succeeded')
    info.failedReason = record.failedReason;
  return info;
}

/**
 * Every in-process queue by name. Module-level on purpose: the dispatcher's queue and the
 * trainer's worker are created apart (by name, from config) yet must meet, as they do in Redis.
 */
const registry = new Map<string, MemoryQueueState>();

export function memoryQueueState(name: string): MemoryQueueState {
  let state = registry.get(name);
  if (state === undefined) {
    state = new MemoryQueueState();
    registry.set(name, state);
  }
  return state;
}
