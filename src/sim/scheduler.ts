import { performance } from 'node:perf_hooks';
import { LandfallError } from '../errors.js';
import type { Clock } from '../market/types.js';
import { WakeableSleep } from '../ops/wakeable-sleep.js';
import { TimedHeap } from './heap.js';

/** `virtual`: as fast as the CPU allows (backtests). `wall`: paced to wall time × speed. */
export type Pace = 'virtual' | 'wall';

/** A scheduled action; a returned promise is awaited before the next action runs. */
export type Action = () => void | Promise<void>;

interface Entry {
  readonly time: number;
  readonly seq: number;
  readonly fn: Action;
  cancelled: boolean;
}

export interface SchedulerOptions {
  /** Virtual time at start, ms since the epoch. */
  startMs: number;
  pace: Pace;
  /** Wall pace only: virtual ms per wall ms. */
  speed: number;
}

/** Actions between two turns of the Node event loop, so timers and stop() get a look in. */
const YIELD_EVERY = 2_000;

const nextMacrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The discrete-event core and the Clock the engine sees. Determinism rules:
 * - Actions run in (time, seq) order; virtual time stands still while one runs.
 * - After an action whose promise was awaited, or after `requestYield()` (an outcome was
 *   resolved), the loop waits one macrotask: every promise continuation the engine chained
 *   runs to completion before the next action, at the same virtual instant.
 * In wall pace, `now()` follows the wall clock between actions (an engine's timers and async
 * continuations see wall time), so runs with an engine are not reproducible there.
 */
export class Scheduler implements Clock {
  private readonly heap = new TimedHeap<Entry>();
  private seq = 0;
  private current: number;
  private running = false;
  private yieldRequested = false;
  private inAction = false;
  private wallStart = 0;
  private virtualStart = 0;
  private readonly timer = new WakeableSleep();
  /** Actions run so far. */
  eventsRun = 0;

  constructor(private readonly options: SchedulerOptions) {
    this.current = options.startMs;
  }

  now(): number {
    // Inside an action, time is the action's time, in either pace.
    if (this.options.pace === 'virtual' || !this.running || this.inAction) return this.current;
    const wall = this.virtualStart + (performance.now() - this.wallStart) * this.options.speed;
    return Math.max(this.current, wall);
  }

  schedule(delayMs: number, fn: () => void): () => void {
    const entry = this.at(this.now() + Math.max(0, delayMs), fn);
    return () => {
      entry.cancelled = true;
    };
  }

  /** Schedules `fn` at absolute virtual time `time` (not before now). */
  at(time: number, fn: Action): { cancelled: boolean } {
    if (!(time >= this.current)) {
      throw new LandfallError(
        'LF_INTERNAL',
        `simulator: cannot schedule at ${time}, before the current time ${this.current}`,
      );
    }
    const entry: Entry = { time, seq: this.seq++, fn, cancelled: false };
    this.heap.push(entry);
    return entry;
  }

  /** Asks the loop to let pending promise continuations run before the next action. */
  requestYield(): void {
    this.yieldRequested = true;
  }

  /** Runs actions up to and including `untilMs` (forever when undefined) or until `stop()`. */
  async run(untilMs: number | undefined): Promise<void> {
    this.running = true;
    this.wallStart = performance.now();
    this.virtualStart = this.current;
    let sinceYield = 0;
    try {
      while (this.running) {
        const next = this.heap.peek();
        if (next === undefined || (untilMs !== undefined && next.time > untilMs)) break;
        if (this.options.pace === 'wall') {
          const dueWall = (next.time - this.virtualStart) / this.options.speed;
          const waitMs = dueWall - (performance.now() - this.wallStart);
          if (waitMs >= 1) {
            await this.timer.sleep(waitMs);
            continue;
          }
        }
        this.heap.pop();
        if (next.cancelled) continue;
        this.current = next.time;
        this.eventsRun++;
        let result: void | Promise<void>;
        this.inAction = true;
        try {
          result = next.fn();
        } finally {
          this.inAction = false;
        }
        if (result !== undefined) {
          await result;
          this.yieldRequested = true;
        }
        if (this.yieldRequested || ++sinceYield >= YIELD_EVERY) {
          this.yieldRequested = false;
          sinceYield = 0;
          await nextMacrotask();
        }
      }
      if (this.running && untilMs !== undefined && untilMs > this.current) this.current = untilMs;
    } finally {
      this.running = false;
    }
  }

  /** Ends `run` after the action in progress. */
  stop(): void {
    this.running = false;
    this.timer.wake();
  }
}
