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

  run(key: string, task: () => Promise<void>): Promise<void> {
    this.#running++;
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task).finally(() => {
      if (this.#tails.get(key) === settled) this.#tails.delete(key);
      this.#running--;
      if (this.#running === 0) for (const wake of this.#idle.splice(0)) wake();
    });
    // The next task of this key waits for this one whether it succeeds or fails.
    const settled = result.catch(() => {});
    this.#tails.set(key, settled);
    return result;
  }

  /** Resolves when no task is running. */
  idle(): Promise<void> {
    if (this.#running === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }
}
