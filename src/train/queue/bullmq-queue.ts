import { randomUUID } from 'node:crypto';
import { type Job, Queue } from 'bullmq';
import type { QueueConfig } from '../../config/schema.js';
import { isLandfallError, LandfallError, reasonOf } from '../../errors.js';
import { checkJobId, serialiseData } from './checks.js';
import type { JobInfo, JobQueue, JobStatus } from './types.js';

/**
 * Connection options for every BullMQ client the adapter makes: BullMQ opens and closes the
 * connections itself, so none is shared with, or leaks to, a caller. `maxRetriesPerRequest: null`
 * (BullMQ requires it for workers; the producer follows suit) makes a command wait through a
 * Redis outage instead of failing after a count of reconnects; the outage is reported through
 * the clients' error events meanwhile.
 */
export function connectionOf(config: QueueConfig): { url: string; maxRetriesPerRequest: null } {
  return { url: config.redisUrl, maxRetriesPerRequest: null };
}

/** The Redis URL without its password, for messages and logs. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable url)';
  }
}

const STATUS_OF: Record<string, JobStatus> = {
  waiting: 'waiting',
  prioritized: 'waiting',
  'waiting-children': 'waiting',
  active: 'active',
  delayed: 'delayed',
  completed: 'succeeded',
  failed: 'failed',
};

/** The producer side on Redis: the rules in types.ts, jobs under `<prefix>:<name>:<id>`. */
export class BullQueue<T> implements JobQueue<T> {
  readonly #queue: Queue;
  #closed = false;

  constructor(
    readonly name: string,
    private readonly config: QueueConfig,
    onError: (err: unknown) => void,
  ) {
    this.#queue = new Queue(name, {
      connection: connectionOf(config),
      prefix: config.prefix,
      defaultJobOptions: {
        attempts: config.attempts,
        backoff: { type: 'exponential', delay: config.backoffMs },
        // Kept, never expired: dedupe by id needs to know finished jobs.
        removeOnComplete: false,
        removeOnFail: false,
      },
    });
    this.#queue.on('error', onError);
  }

  async add(id: string, data: T): Promise<'added' | 'duplicate'> {
    this.#checkOpen();
    checkJobId(this.name, id);
    serialiseData(this.name, id, data);
    // BullMQ answers a known id with that id, as for a new job, and keeps the first job. The
    // job's name, unique to this call, tells afterwards whose add created it.
    const marker = `add-${randomUUID()}`;
    return this.#redis('add', id, async () => {
      await this.#queue.add(marker, data, { jobId: id });
      const stored = await this.#queue.getJob(id);
      return stored === undefined || stored.name === marker ? 'added' : 'duplicate';
    });
  }

  async info(id: string): Promise<JobInfo | undefined> {
    this.#checkOpen();
    return this.#redis('info', id, async () => {
      const job: Job | undefined = await this.#queue.getJob(id);
      if (job === undefined) return undefined;
      const status = STATUS_OF[await job.getState()];
      if (status === undefined) return undefined;
      return infoOfBullJob(id, job, status);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue.close();
  }

  #checkOpen(): void {
    if (this.#closed)
      throw new LandfallError('LF_QUEUE_CLOSED', `queue ${this.name} is closed; create a new one`);
  }

  async #redis<R>(what: string, id: string, op: () => Promise<R>): Promise<R> {
    try {
      return await op();
    } catch (err) {
      if (isLandfallError(err)) throw err;
      throw new LandfallError(
        'LF_QUEUE_UNAVAILABLE',
        `queue ${this.name}: ${what} ${id} on ${redactedUrl(this.config.redisUrl)} failed: ${reasonOf(err)}`,
        { cause: err },
      );
    }
  }
}

export function infoOfBullJob(id: string, job: Job, status: JobStatus): JobInfo {
  // attemptsMade counts finished attempts (a stalled run is not one); the running one is next.
  const attempt = status === 'active' ? job.attemptsMade + 1 : job.attemptsMade;
  const info: JobInfo = {
    id,
    status,
    attempt,
    progress: typeof job.progress === 'number' ? job.progress : 0,
  };
  if (status !== 'succeeded' && job.failedReason) info.failedReason = job.failedReason;
  return info;
}
