import { type Job, Queue, Worker } from 'bullmq';
import type { QueueConfig } from '../../config/schema.js';
import { connectionOf } from './bullmq-queue.js';
import type { Ticker, TickHandler, TickSpec } from './ticker.js';

interface TickData {
  id: string;
}

/**
 * Ticks from BullMQ job schedulers on Redis, the rules in ticker.ts: every process upserts the
 * same schedulers (one Redis key per spec id), BullMQ adds one delayed job per scheduled
 * instant, and one worker among the processes runs it. The instant is the job's `prevMillis`.
 */
export class BullTicker implements Ticker {
  #closing: Promise<void> | undefined;

  private constructor(
    private readonly queue: Queue,
    private readonly worker: Worker,
  ) {}

  static async start(
    config: QueueConfig,
    name: string,
    specs: readonly TickSpec[],
    handler: TickHandler,
    onError: (err: unknown) => void,
  ): Promise<BullTicker> {
    const connection = connectionOf(config);
    const queue = new Queue(name, { connection, prefix: config.prefix });
    queue.on('error', onError);
    const worker = new Worker(
      name,
      async (job: Job<TickData>) => {
        const at = job.opts.prevMillis ?? job.timestamp;
        await handler(job.data.id, at);
      },
      { connection, prefix: config.prefix, concurrency: 1 },
    );
    worker.on('error', onError);
    worker.on('failed', (_job, err) => onError(err));
    const ticker = new BullTicker(queue, worker);
    try {
      const wanted = new Set(specs.map((s) => s.id));
      for (const old of await queue.getJobSchedulers()) {
        if (old.key !== undefined && !wanted.has(old.key)) await queue.removeJobScheduler(old.key);
      }
      for (const spec of specs) {
        await queue.upsertJobScheduler(
          spec.id,
          spec.everyMs !== undefined
            ? { every: spec.everyMs }
            : { pattern: spec.cron ?? '', tz: 'UTC' },
          {
            name: 'tick',
            data: { id: spec.id } satisfies TickData,
            opts: { removeOnComplete: 1000, removeOnFail: 1000 },
          },
        );
      }
    } catch (err) {
      await ticker.close();
      throw err;
    }
    return ticker;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.worker.close();
      await this.queue.close();
    })();
    return this.#closing;
  }
}
