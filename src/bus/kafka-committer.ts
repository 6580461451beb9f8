import type { CommitOptionsPartition } from '@platformatic/kafka';
import { sleep } from './delivery.js';
import { withTimeout } from './kafka-util.js';

export interface CommitterOptions<Owner> {
  /** Sends one OffsetCommit (Consumer#commit). */
  commit(offsets: CommitOptionsPartition[]): Promise<void>;
  /** Whether `owner` (the partition's tracker when the point was taken) still holds the partition. */
  owns(partition: number, owner: Owner): boolean;
  onError(err: unknown): void;
  retryMs?: number;
}

/**
 * Commits the latest commit point of each partition, one request at a time. Two OffsetCommits
 * for one partition in flight together could land in either order and move the group backwards;
 * one at a time, each carrying the newest point per partition, they cannot.
 */
export class Committer<Owner> {
  readonly #pending = new Map<number, { point: CommitOptionsPartition; owner: Owner }>();
  #running: Promise<boolean> | undefined;
  #retry: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(private readonly options: CommitterOptions<Owner>) {}

  get idle(): boolean {
    return this.#pending.size === 0 && this.#running === undefined;
  }

  /** Records a partition's new commit point and commits it soon. */
  set(point: CommitOptionsPartition, owner: Owner): void {
    this.#pending.set(point.partition, { point, owner });
    this.#schedule();
  }

  /** Drops points of partitions their owner has lost (a rebalance moved them). */
  prune(): void {
    for (const [p, c] of [...this.#pending])
      if (!this.options.owns(p, c.owner)) this.#pending.delete(p);
  }

  /** Waits until all points are committed, trying again on failure; false if `timeoutMs` passed first. */
  async flush(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.idle) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      this.#schedule();
      const running = this.#running ?? Promise.resolve(true);
      const ok = await withTimeout(running, left, () => new Error('commit timed out')).catch(
        () => false,
      );
      if (!ok) await sleep(Math.min(100, Math.max(0, deadline - Date.now())));
    }
    return true;
  }

  /** No more background retries (the consumer is closing). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retry);
  }

  #schedule(): void {
    if (this.#running !== undefined) return;
    this.#running = this.#loop().then((ok) => {
      this.#running = undefined;
      if (ok && this.#pending.size > 0) this.#schedule(); // set while the loop was finishing
      return ok;
    });
  }

  async #loop(): Promise<boolean> {
    while (this.#pending.size > 0) {
      const batch = [...this.#pending];
      this.#pending.clear();
      try {
        await this.options.commit(batch.map(([, c]) => c.point));
      } catch (err) {
        // Put back what is still owned and was not overtaken by a newer point meanwhile.
        for (const [p, c] of batch) {
          if (!this.#pending.has(p) && this.options.owns(p, c.owner)) this.#pending.set(p, c);
        }
        this.options.onError(err);
        if (!this.#stopped) {
          this.#retry ??= setTimeout(() => {
            this.#retry = undefined;
            this.#schedule();
          }, this.options.retryMs ?? 1_000).unref();
        }
        return false;
      }
    }
    return true;
  }
}
