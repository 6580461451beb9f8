import type { MarketEvent } from '../market/types.js';
import type { KeyedStreams } from '../random/keyed.js';
import type { Rng } from '../random/rng.js';
import type { SimConfig } from './config.js';
import type { Scheduler } from './scheduler.js';

/** Who traded: noise and external flow, or a searcher (the agent or a rival). */
export interface Trader {
  readonly id: string;
  readonly searcher: boolean;
}

export const NOISE: Trader = { id: 'noise', searcher: false };
export const EXTERNAL: Trader = { id: 'external', searcher: false };
export const AGENT_ID = 'agent';

/** What every simulator part shares: config, time, randomness and the event outbox. */
export interface SimContext {
  readonly config: SimConfig;
  readonly scheduler: Scheduler;
  /** The named random stream (see rng.ts): independent of every other stream. */
  rng(path: string): Rng;
  /**
   * The family `path` of keyed streams (see keyed.ts): one stream per key, for draws that must
   * not depend on what else was drawn (common random numbers across policies).
   */
  keyed(path: string): KeyedStreams;
  /** Schedules a state change at `time`; the events it emits reach the engine right after it. */
  at(time: number, fn: () => void): void;
  emit(event: MarketEvent): void;
  /** The slot containing virtual time `timeMs`. */
  slotAt(timeMs: number): number;
  /** Start time of `slot`. */
  slotStartMs(slot: number): number;
}
