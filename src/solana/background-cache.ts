/**
 * A value read on the hot path and kept fresh off it (the recent blockhash, the wallet's
 * balance): a read returns the cached value, and a read that finds it `refreshMs` old (about one
 * slot) starts one refresh in the background (never more than one in flight) instead of waiting
 * for it. Only a cache that is empty or older than `maxAgeMs` makes the caller wait. A failed
 * background refresh is reported and retried on the next read.
 */
export interface BackgroundCacheOptions<T> {
  readonly fetch: () => Promise<T>;
  /** Age at which a read starts a background refresh. */
  readonly refreshMs: number;
  /** Age past which a read waits for a fresh value. */
  readonly maxAgeMs: number;
  /** Monotonic milliseconds. */
  readonly now: () => number;
  readonly onError?: (err: unknown) => void;
}

export class BackgroundCache<T> {
  readonly stats = { fetches: 0, failures: 0 };
  private cached: { value: T; atMs: number } | undefined;
  private inflight: Promise<T> | undefined;

  constructor(private readonly options: BackgroundCacheOptions<T>) {}

  async current(): Promise<T> {
    const c = this.cached;
    const age = c === undefined ? Number.POSITIVE_INFINITY : this.options.now() - c.atMs;
    if (c === undefined || age >= this.options.maxAgeMs) return this.refresh();
    if (age >= this.options.refreshMs) {
      this.refresh().catch((err: unknown) => this.options.onError?.(err));
    }
    return c.value;
  }

  /** Fetches now (joining a fetch already in flight). */
  refresh(): Promise<T> {
    this.inflight ??= (async () => {
      const asked = this.options.now();
      this.stats.fetches++;
      try {
        const value = await this.options.fetch();
        // The age counts from the request: the answer is at least that old.
        this.cached = { value, atMs: asked };
        return value;
      } catch (err) {
        this.stats.failures++;
        throw err;
      } finally {
        this.inflight = undefined;
      }
    })();
    return this.inflight;
  }
}
