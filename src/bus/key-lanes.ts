/**
 * Runs tasks one at a time per key and concurrently across keys, so a consumer keeps per-key
 * order without serialising the whole topic.
 */
export class KeyLanes {
  readonly #tails = new Map<string, Promise<void>>();
  #running = 0;
  #idle: Array<() => void> = [];

  get running(): number {
    return this.#running;
  }

  /**
   * Queues `task` behind the previous task of `key`. The next task of the key starts when this
   * one settles (succeeds or fails) or calls `release`, whichever comes first: a task that has
   * taken its item in order releases early so the key is not serialised on its slow tail.
   */
  run(key: string, task: (release: () => void) => Promise<void>): Promise<void> {
    this.#running++;
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const result = previous
      .then(() => task(release))
      .finally(() => {
        release();
        if (this.#tails.get(key) === released) this.#tails.delete(key);
        this.#running--;
        if (this.#running === 0) for (const wake of this.#idle.splice(0)) wake();
      });
    this.#tails.set(key, released);
    return result;
  }

  /** Resolves when no task is running. */
  idle(): Promise<void> {
    if (this.#running === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }
}
