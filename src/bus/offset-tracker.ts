/**
 * Per-partition record of which delivered offsets have been handled, for log-based adapters
 * (Kafka) that acknowledge by committing one offset per partition.
 *
 * Messages of one partition run concurrently across keys, so they finish out of order. A
 * committed offset says "everything before this is done", so it may only move past a message
 * once every message before it has finished too: the commit point is the end of the longest
 * handled prefix. Offsets are taken in delivery order and may have gaps (transaction markers,
 * compaction, retention), so the prefix follows delivery order, never `offset + 1` arithmetic.
 */
export interface CommitPoint<T> {
  /** The offset to commit: the next one to read, one past the last handled message. */
  offset: bigint;
  /** What was recorded with that last handled message (e.g. its leader epoch). */
  meta: T;
}

interface Entry<T> {
  offset: bigint;
  meta: T;
  done: boolean;
}

export class PartitionTracker<T> {
  #queue: Entry<T>[] = [];
  #head = 0;
  readonly #byOffset = new Map<bigint, Entry<T>>();
  /** Lowest offset `accept` takes; anything below was already delivered here. */
  #next: bigint | undefined;

  /** Messages taken but not yet part of the committed prefix. */
  get pending(): number {
    return this.#queue.length - this.#head;
  }

  /**
   * Records a delivered message. Returns false for an offset at or below one already taken:
   * after a rebalance the client fetches again from the committed offset, and those messages
   * are already queued or handled here.
   */
  accept(offset: bigint, meta: T): boolean {
    if (this.#next !== undefined && offset < this.#next) return false;
    const entry: Entry<T> = { offset, meta, done: false };
    this.#queue.push(entry);
    this.#byOffset.set(offset, entry);
    this.#next = offset + 1n;
    return true;
  }

  /**
   * Marks a message handled. Returns the new commit point when the handled prefix grew, or
   * undefined when an earlier message is still running (or the offset is unknown).
   */
  complete(offset: bigint): CommitPoint<T> | undefined {
    const entry = this.#byOffset.get(offset);
    if (entry === undefined || entry.done) return undefined;
    entry.done = true;
    let last: Entry<T> | undefined;
    for (let head = this.#queue[this.#head]; head?.done; head = this.#queue[this.#head]) {
      last = head;
      this.#byOffset.delete(head.offset);
      this.#head++;
    }
    // Drop the consumed prefix now and then, so a long-lived partition does not grow forever.
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    return last === undefined ? undefined : { offset: last.offset + 1n, meta: last.meta };
  }
}
