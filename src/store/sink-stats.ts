/** What the sink reports about itself (`Sink.stats()`, logged by `landfall sink`). */
export interface SinkStats {
  /** Rows stored since start. */
  rowsInserted: number;
  /** Insert statements that succeeded. */
  batches: number;
  /** Messages sent to `<topic>.dlq` because they decode but cannot be stored. */
  rowsDeadLettered: number;
  /** Inserts retried because the store was unreachable or overloaded. */
  insertRetries: number;
  /** Duration of the last successful insert, ms. */
  lastInsertMs: number;
  /** Rows accepted from the bus and not yet stored (bounded by maxPendingRows). */
  pendingRows: number;
  /** Handlers waiting for room under maxPendingRows (backpressure in effect when > 0). */
  waitingHandlers: number;
  /** Now minus the publish time of the oldest row not yet stored; 0 when none is pending. */
  lagMs: number;
  /** Rows stored per second over the last `RATE_WINDOW_MS`. */
  rowsPerSecond: number;
  /** Messages whose dead letter could not be published, until their handler throws (bus retry). */
  heldForRetry: number;
}

export const RATE_WINDOW_MS = 10_000;

/** Throughput over a sliding window, from cumulative totals sampled at each insert. */
export class RateWindow {
  readonly #samples: Array<{ at: number; total: number }> = [];

  constructor(readonly windowMs = RATE_WINDOW_MS) {}

  record(at: number, total: number): void {
    this.#samples.push({ at, total });
    // Keep one sample older than the window as the baseline of the rate.
    while (this.#samples.length > 2 && (this.#samples[1]?.at ?? at) <= at - this.windowMs)
      this.#samples.shift();
  }

  /** Per second, between the baseline sample and `now` with the latest total. */
  rate(now: number): number {
    const first = this.#samples[0];
    const last = this.#samples.at(-1);
    if (!first || !last || last === first) return 0;
    const span = now - first.at;
    if (span <= 0) return 0;
    // With no insert lately, `now` moves on and the rate decays towards 0.
    return ((last.total - first.total) / span) * 1000;
  }
}
