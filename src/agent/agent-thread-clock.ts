import type { Clock } from '../market/types.js';
import { sharedWallMs, type ThreadShare } from './agent-thread-share.js';

/** How often timers are checked while the market runs at virtual pace (a warm start). */
const VIRTUAL_POLL_MS = 5;

interface Timer {
  readonly atMs: number;
  readonly seq: number;
  readonly fn: () => void;
}

/**
 * The agents' market clock on the main thread, while the market runs on the agents' thread:
 * what that thread last wrote, carried forward at the market's pace (`sim.speed` in paper,
 * 1 live) and standing still while the market runs at virtual pace. So the guard judges on
 * market time as it did beside the market: a timer fires once that time is reached, and a
 * timer due while the clock jumped (a warm start) runs at its own instant, `now()` reading
 * its due time while it runs, as the simulator runs its actions.
 */
export class FollowedClock implements Clock {
  readonly #share: ThreadShare;
  readonly #timers: Timer[] = [];
  #seq = 0;
  #last = Number.NEGATIVE_INFINITY;
  #firing: number | undefined;
  #armed: NodeJS.Timeout | undefined;

  constructor(share: ThreadShare) {
    this.#share = share;
  }

  now(): number {
    if (this.#firing !== undefined) return this.#firing;
    const { virtualMs, wallMs, rate } = this.#share.readClock();
    const now = rate > 0 ? virtualMs + Math.max(0, sharedWallMs() - wallMs) * rate : virtualMs;
    // Never backwards: a write may land a hair behind what was carried forward.
    this.#last = Math.max(this.#last, now);
    return this.#last;
  }

  schedule(delayMs: number, fn: () => void): () => void {
    const timer: Timer = { atMs: this.now() + Math.max(0, delayMs), seq: this.#seq++, fn };
    this.#timers.push(timer);
    this.#timers.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
    this.#arm();
    return () => {
      const i = this.#timers.indexOf(timer);
      if (i >= 0) this.#timers.splice(i, 1);
      if (this.#timers.length === 0) this.#disarm();
    };
  }

  #arm(): void {
    this.#disarm();
    const next = this.#timers[0];
    if (next === undefined) return;
    const { rate } = this.#share.readClock();
    const waitMs = rate > 0 ? (next.atMs - this.now()) / rate : VIRTUAL_POLL_MS;
    this.#armed = setTimeout(() => this.#fire(), Math.max(0, waitMs));
    // The services own the process's lifetime, not the guard's next tick.
    this.#armed.unref();
  }

  #disarm(): void {
    if (this.#armed !== undefined) clearTimeout(this.#armed);
    this.#armed = undefined;
  }

  #fire(): void {
    this.#armed = undefined;
    const now = this.now();
    for (let t = this.#timers[0]; t !== undefined && t.atMs <= now; t = this.#timers[0]) {
      this.#timers.shift();
      this.#firing = t.atMs;
      try {
        t.fn();
      } finally {
        this.#firing = undefined;
      }
    }
    this.#arm();
  }
}
