export interface BatcherOptions<E> {
  /** A batch is sealed and written when it holds this many entries… */
  batchRows: number;
  /** …or this many bytes (by `sizeOf`)… */
  batchBytes?: number;
  /** An entry's size in bytes, for `batchBytes`. */
  sizeOf?(entry: E): number;
  /** …or when its first entry has waited this long. */
  flushMs: number;
  /** Batches written at once; more keep the engine busy while the next batch is prepared. */
  concurrency: number;
  /** Writes one sealed batch; its settlement settles every `add` of the batch. */
  write(entries: E[]): Promise<void>;
  /** Publish time of an entry, for the lag. */
  timestampOf(entry: E): number;
}

class Batch<E> {
  readonly entries: E[] = [];
  bytes = 0;
  oldest = Number.POSITIVE_INFINITY;
  readonly done: Promise<void>;
  resolve!: () => void;
  reject!: (err: unknown) => void;

  constructor() {
    this.done = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Each add() awaits `done` itself; this keeps a failed batch nobody waits on from being
    // reported as an unhandled rejection.
    this.done.catch(() => {});
  }
}

/**
 * Collects one table's entries into batches by size and time, and writes up to `concurrency`
 * batches at a time while the next one fills. `add` resolves only once the batch
 * holding the entry is written, so a bus handler that awaits it acknowledges stored data only.
 */
export class Batcher<E> {
  #open = new Batch<E>();
  readonly #sealed: Batch<E>[] = [];
  readonly #writing = new Set<Batch<E>>();
  /** Cancels the pending seal, when one is scheduled. */
  #cancelTimer: (() => void) | undefined;
  #eager = false;

  constructor(readonly options: BatcherOptions<E>) {}

  add(entry: E): Promise<void> {
    const batch = this.#open;
    batch.entries.push(entry);
    batch.oldest = Math.min(batch.oldest, this.options.timestampOf(entry));
    const { batchBytes, sizeOf } = this.options;
    if (sizeOf) batch.bytes += sizeOf(entry);
    if (
      batch.entries.length >= this.options.batchRows ||
      (batchBytes !== undefined && batch.bytes >= batchBytes)
    )
      this.#seal();
    else if (this.#cancelTimer === undefined) {
      // Draining: write what arrives on the next turn instead of waiting out the interval.
      if (this.#eager) {
        const immediate = setImmediate(() => this.#seal());
        this.#cancelTimer = () => clearImmediate(immediate);
      } else {
        const timer = setTimeout(() => this.#seal(), this.options.flushMs);
        this.#cancelTimer = () => clearTimeout(timer);
      }
    }
    return batch.done;
  }

  /** Seals the open batch now; resolves when every batch so far has settled. */
  async flush(): Promise<void> {
    this.#seal();
    await Promise.allSettled([...this.#writing, ...this.#sealed].map((b) => b.done));
  }

  /** From now on, batches are written as soon as entries arrive (for draining). */
  eager(): void {
    this.#eager = true;
  }

  /** Entries added and not yet written. */
  get pending(): number {
    let n = this.#open.entries.length;
    for (const b of this.#writing) n += b.entries.length;
    for (const b of this.#sealed) n += b.entries.length;
    return n;
  }

  /** Publish time of the oldest entry not yet written, or undefined. */
  oldestPending(): number | undefined {
    let oldest = this.#open.oldest;
    for (const b of this.#writing) oldest = Math.min(oldest, b.oldest);
    for (const b of this.#sealed) oldest = Math.min(oldest, b.oldest);
    return Number.isFinite(oldest) ? oldest : undefined;
  }

  #seal(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    if (this.#open.entries.length === 0) return;
    this.#sealed.push(this.#open);
    this.#open = new Batch<E>();
    void this.#pump();
  }

  async #pump(): Promise<void> {
    if (this.#writing.size >= this.options.concurrency) return;
    const batch = this.#sealed.shift();
    if (!batch) return;
    this.#writing.add(batch);
    try {
      await this.options.write(batch.entries);
      batch.resolve();
    } catch (err) {
      batch.reject(err);
    } finally {
      this.#writing.delete(batch);
    }
    void this.#pump();
  }
}
