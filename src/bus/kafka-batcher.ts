/**
 * Groups publishes into produce requests: the client's `send()` has no linger of its own, and
 * one request per message costs a broker round trip each (acks=all waits for every in-sync
 * replica). Each caller still gets its own promise, settled when its batch is acknowledged.
 *
 * One batch is in flight at a time. That keeps publish order across batches (a key's messages
 * reach the broker in call order even if a request is retried) and gives natural batching under
 * load: whatever queues during a round trip goes out together in the next request.
 */
export interface BatcherOptions<T> {
  /** How long the first message of an idle batcher waits for company. */
  lingerMs: number;
  maxMessages: number;
  /** Stop adding to a batch once its items add up to this (so a request stays under the broker's limit). */
  maxBytes: number;
  size(item: T): number;
}

interface Pending<T> {
  item: T;
  resolve(): void;
  reject(err: unknown): void;
}

export class SendBatcher<T> {
  #queue: Pending<T>[] = [];
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(
    private readonly send: (items: T[]) => Promise<void>,
    private readonly options: BatcherOptions<T>,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (this.#running !== undefined) return; // the running loop picks it up
      if (this.#queue.length >= this.options.maxMessages) this.#start();
      else this.#timer ??= setTimeout(() => this.#start(), this.options.lingerMs);
    });
  }

  /** Resolves once everything added so far has been sent (or has failed). */
  async flush(): Promise<void> {
    while (this.#queue.length > 0 || this.#running !== undefined) {
      if (this.#running === undefined) this.#start();
      await this.#running;
    }
  }

  #start(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#running !== undefined) return;
    this.#running = this.#loop().finally(() => {
      this.#running = undefined;
    });
  }

  async #loop(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#take();
      try {
        await this.send(batch.map((p) => p.item));
        for (const p of batch) p.resolve();
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
  }

  #take(): Pending<T>[] {
    let count = 0;
    let bytes = 0;
    for (const p of this.#queue) {
      const size = this.options.size(p.item);
      // Always take at least one, even an oversized item: the broker then says what is wrong.
      if (count > 0 && (count >= this.options.maxMessages || bytes + size > this.options.maxBytes))
        break;
      count++;
      bytes += size;
    }
    return this.#queue.splice(0, count);
  }
}
