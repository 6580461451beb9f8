import { nextTick, type Ticker, type TickHandler, type TickSpec } from './ticker.js';

/**
 * The in-process ticker (embedded mode): one timer per spec, the rules in ticker.ts. As BullMQ
 * does, an `everyMs` spec fires at once for the multiple just passed, then at every next one.
 */
export class MemoryTicker implements Ticker {
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #running = new Set<Promise<void>>();
  #closed = false;

  constructor(
    specs: readonly TickSpec[],
    private readonly handler: TickHandler,
    private readonly onError: (err: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {
    for (const spec of specs) {
      const t = this.now();
      const first =
        spec.everyMs === undefined
          ? nextTick(spec, t)
          : Math.floor(t / spec.everyMs) * spec.everyMs;
      this.#arm(spec, first);
    }
  }

  #arm(spec: TickSpec, at: number): void {
    if (this.#closed) return;
    const timer = setTimeout(() => this.#fire(spec, at), Math.max(0, at - this.now()));
    // A schedule alone never keeps a stopping process alive.
    timer.unref();
    this.#timers.set(spec.id, timer);
  }

  #fire(spec: TickSpec, at: number): void {
    const run = this.handler(spec.id, at)
      .catch(this.onError)
      .finally(() => this.#running.delete(run));
    this.#running.add(run);
    this.#arm(spec, nextTick(spec, Math.max(at, this.now())));
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    await Promise.all([...this.#running]);
  }
}
