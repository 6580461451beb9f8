import type { QueueConfig } from '../../config/schema.js';
import type { Ticker, TickHandler, TickSpec } from './ticker.js';
import { BullTicker } from './ticker-bullmq.js';
import { MemoryTicker } from './ticker-memory.js';

/** The one place that turns configuration into a ticker (rules in ticker.ts). */
export async function createTicker(
  config: QueueConfig,
  name: string,
  specs: readonly TickSpec[],
  handler: TickHandler,
  onError: (err: unknown) => void,
  /** The wall clock the in-process ticker reads (tests set it); BullMQ reads Redis's. */
  now: () => number = Date.now,
): Promise<Ticker> {
  switch (config.kind) {
    case 'memory':
      return new MemoryTicker(specs, handler, onError, now);
    case 'bullmq':
      return BullTicker.start(config, name, specs, handler, onError);
  }
}
