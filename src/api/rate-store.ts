type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/** Keys remembered at most; the least recently counted are forgotten first. */
const MAX_KEYS = 10_000;

/**
 * A @fastify/rate-limit store whose route children all share one counter per key, so a token's
 * write budget covers every write route together (the plugin's own store keeps one per route,
 * which would give a token N budgets for N routes). Fixed windows per key, in memory: the
 * limit is per API process.
 */
export class SharedWindowStore {
  readonly #windows = new Map<string, { current: number; startMs: number }>();

  incr(key: string, cb: Callback, timeWindow: number): void {
    const now = Date.now();
    let w = this.#windows.get(key);
    if (w === undefined || w.startMs + timeWindow <= now) w = { current: 0, startMs: now };
    w.current++;
    // Re-insert: Map order is then least recently counted first.
    this.#windows.delete(key);
    this.#windows.set(key, w);
    if (this.#windows.size > MAX_KEYS) {
      const oldest = this.#windows.keys().next().value;
      if (oldest !== undefined) this.#windows.delete(oldest);
    }
    cb(null, { current: w.current, ttl: w.startMs + timeWindow - now });
  }

  read(key: string, cb: Callback, timeWindow: number): void {
    const now = Date.now();
    const w = this.#windows.get(key);
    const live = w !== undefined && w.startMs + timeWindow > now;
    cb(
      null,
      live
        ? { current: w.current, ttl: w.startMs + timeWindow - now }
        : { current: 0, ttl: timeWindow },
    );
  }

  /** When the current window of `key` began, if it has one. */
  windowStartOf(key: string): number | undefined {
    return this.#windows.get(key)?.startMs;
  }

  child(): SharedWindowStore {
    return this;
  }
}
