import type { QueueConfig } from '../../config/schema.js';
import { createLogger, type Logger } from '../../log.js';
import { BullQueue } from './bullmq-queue.js';
import { BullWorker } from './bullmq-worker.js';
import { MemoryQueue, MemoryWorker } from './memory.js';
import type { JobHandler, JobQueue, QueueWorker, WorkerEvents } from './types.js';

export type { QueueConfig };

export interface QueueOptions {
  /** Where trouble outside any handler (a lost Redis connection) is logged; a warn-level logger on stderr by default. */
  logger?: Logger;
}

/**
 * The one place that turns configuration into a concrete queue; nothing else names an adapter.
 * The rules every adapter keeps are in types.ts.
 */
export function createQueue<T>(
  config: QueueConfig,
  name: string,
  options: QueueOptions = {},
): JobQueue<T> {
  switch (config.kind) {
    case 'memory':
      return new MemoryQueue<T>(name, config);
    case 'bullmq': {
      const logger = options.logger ?? defaultLogger();
      return new BullQueue<T>(name, config, (err) =>
        logger.warn({ err, queue: name }, 'queue: redis trouble'),
      );
    }
  }
}

/** A worker taking jobs of queue `name` through `handler`, `config.concurrency` at a time. */
export function createWorker<T>(
  config: QueueConfig,
  name: string,
  handler: JobHandler<T>,
  events: WorkerEvents<T> = {},
  options: QueueOptions = {},
): QueueWorker {
  const onError =
    events.onError?.bind(events) ??
    ((err: unknown) =>
      (options.logger ?? defaultLogger()).warn({ err, queue: name }, 'queue worker: trouble'));
  switch (config.kind) {
    case 'memory':
      return new MemoryWorker<T>(name, config.concurrency, handler, events, onError);
    case 'bullmq':
      return new BullWorker<T>(name, config, handler, events, onError);
  }
}

let fallbackLogger: Logger | undefined;
function defaultLogger(): Logger {
  fallbackLogger ??= createLogger('warn', 'queue');
  return fallbackLogger;
}
