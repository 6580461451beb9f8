import { deadLetter, sleep } from '../bus/delivery.js';
import type { TopicName } from '../bus/topics.js';
import type { TypedBus } from '../bus/typed.js';
import type { BusMessage, Subscription } from '../bus/types.js';
import { isLandfallError, LandfallError, reasonOf } from '../errors.js';
import type { Logger } from '../log.js';
import { Batcher } from './batcher.js';
import { type Row, type SinkTable, sinkTables } from './rows.js';
import { RateWindow, type SinkStats } from './sink-stats.js';
import type { Store } from './types.js';

export interface SinkOptions {
  bus: TypedBus;
  store: Store;
  /** Consumer group; every sink process of one deployment shares it. */
  group: string;
  batchRows: number;
  flushMs: number;
  /** Rows accepted and not yet stored, over all tables; handlers wait beyond it. */
  maxPendingRows: number;
  /** Messages each subscription holds unacknowledged. */
  maxInFlight: number;
  /** Inserts running at once per table. */
  insertConcurrency: number;
  /** Topics to store; all telemetry topics by default. */
  tables?: readonly SinkTable[];
  logger?: Logger;
  /** Called after each insert, with the publish times of its rows (benchmarks measure lag). */
  onInserted?: (info: InsertedBatch) => void;
}

export interface InsertedBatch {
  table: string;
  rows: number;
  insertMs: number;
  timestamps: number[];
}

interface Entry {
  row: Row;
  raw: BusMessage;
}

const MAX_RETRY_BACKOFF_MS = 5_000;

/**
 * The bus→ClickHouse sink. Each telemetry message becomes a row of its table; rows are
 * inserted in batches by size and time, and a message's handler resolves (so the bus
 * acknowledges it) only after its batch is stored: a crash loses nothing that was
 * acknowledged, and redelivered rows collapse on the tables' event ids.
 * A message that decodes but cannot be stored goes to `<topic>.dlq` with the reason. While
 * the store is unreachable, inserts are retried and the bus backs up behind a bounded number
 * of pending rows instead of growing memory.
 */
export class Sink {
  readonly #batchers = new Map<string, Batcher<Entry>>();
  readonly #subs: Subscription[] = [];
  readonly #rate = new RateWindow();
  #waiters: Array<() => void> = [];
  #pending = 0;
  #rowsInserted = 0;
  #batches = 0;
  #deadLettered = 0;
  #retries = 0;
  #lastInsertMs = 0;
  #stopping: Promise<void> | undefined;

  private constructor(readonly options: SinkOptions) {
    // The baseline the first inserts are measured against.
    this.#rate.record(Date.now(), 0);
  }

  static async start(options: SinkOptions): Promise<Sink> {
    const sink = new Sink(options);
    try {
      for (const spec of options.tables ?? sinkTables) await sink.#subscribe(spec);
    } catch (err) {
      await Promise.allSettled(sink.#subs.map((s) => s.close()));
      throw err;
    }
    return sink;
  }

  stats(): SinkStats {
    const now = Date.now();
    let oldest = Number.POSITIVE_INFINITY;
    for (const b of this.#batchers.values()) oldest = Math.min(oldest, b.oldestPending() ?? oldest);
    return {
      rowsInserted: this.#rowsInserted,
      batches: this.#batches,
      rowsDeadLettered: this.#deadLettered,
      insertRetries: this.#retries,
      lastInsertMs: this.#lastInsertMs,
      pendingRows: this.#pending,
      waitingHandlers: this.#waiters.length,
      lagMs: Number.isFinite(oldest) ? Math.max(0, now - oldest) : 0,
      rowsPerSecond: this.#rate.rate(now),
    };
  }

  /**
   * Drains: writes what is pending at once (and what arrives while closing), then closes the
   * subscriptions, which waits for their handlers, so every message handled is acknowledged.
   * Does not close the bus or the store: their owner does.
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      for (const b of this.#batchers.values()) b.eager();
      await Promise.all([...this.#batchers.values()].map((b) => b.flush()));
      await Promise.all(this.#subs.map((s) => s.close()));
      await Promise.all([...this.#batchers.values()].map((b) => b.flush()));
    })();
    return this.#stopping;
  }

  async #subscribe<T extends TopicName>(spec: SinkTable<T>): Promise<void> {
    const { bus, batchRows, flushMs, group, maxInFlight, insertConcurrency } = this.options;
    const batcher = new Batcher<Entry>({
      // The bus holds at most maxInFlight messages of a subscription unacknowledged, and ours
      // wait for their batch: a batch larger than that would only ever be sealed by the timer.
      batchRows: Math.min(batchRows, maxInFlight),
      flushMs,
      concurrency: insertConcurrency,
      timestampOf: (e) => e.raw.timestamp,
      write: (entries) => this.#write(spec.table, entries),
    });
    this.#batchers.set(spec.table, batcher);
    const sub = await bus.subscribe(
      spec.topic,
      async (message, raw, delivery) => {
        let row: Row;
        try {
          row = spec.toRow(message, raw.timestamp);
        } catch (err) {
          if (!isLandfallError(err, 'LF_STORE_ROW_INVALID')) throw err;
          await this.#deadLetter(raw, reasonOf(err));
          return;
        }
        // Room under maxPendingRows is the common case: take it without a promise.
        if (this.#pending < this.options.maxPendingRows) this.#pending++;
        else await this.#reserve();
        const stored = batcher.add({ row, raw });
        // The row holds its place in the batch: the next message of this key may join the same
        // batch (the ack still waits for the insert). Without this a key gets one row per batch.
        delivery.release();
        await stored;
      },
      { group, maxInFlight, start: 'earliest' },
    );
    this.#subs.push(sub);
  }

  /** Waits for room under maxPendingRows; when full, flushes rather than wait for timers. */
  async #reserve(): Promise<void> {
    while (this.#pending >= this.options.maxPendingRows) {
      for (const b of this.#batchers.values()) void b.flush();
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    this.#pending++;
  }

  #release(rows: number): void {
    this.#pending -= rows;
    for (const wake of this.#waiters.splice(0)) wake();
  }

  async #write(table: string, entries: Entry[]): Promise<void> {
    try {
      await this.#insert(table, entries);
    } finally {
      this.#release(entries.length);
    }
  }

  /**
   * Inserts, retrying while the store is unavailable. When the store refuses the data, the
   * batch is split in halves until the refused rows are alone; those are dead-lettered with
   * the store's reason and the rest are stored.
   */
  async #insert(table: string, entries: Entry[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      try {
        await this.options.store.insert(
          table,
          entries.map((e) => e.row),
        );
      } catch (err) {
        if (isLandfallError(err, 'LF_STORE_UNAVAILABLE')) {
          this.#retries++;
          this.options.logger?.warn(
            { table, rows: entries.length, attempt, err: reasonOf(err) },
            'insert retry',
          );
          await sleep(Math.min(MAX_RETRY_BACKOFF_MS, 50 * 2 ** attempt));
          continue;
        }
        if (!isLandfallError(err, 'LF_STORE_INSERT')) throw err;
        if (entries.length === 1) {
          await this.#deadLetter((entries[0] as Entry).raw, reasonOf(err));
          return;
        }
        const mid = entries.length >> 1;
        await this.#insert(table, entries.slice(0, mid));
        await this.#insert(table, entries.slice(mid));
        return;
      }
      const insertMs = performance.now() - started;
      this.#rowsInserted += entries.length;
      this.#batches++;
      this.#lastInsertMs = insertMs;
      this.#rate.record(Date.now(), this.#rowsInserted);
      this.options.onInserted?.({
        table,
        rows: entries.length,
        insertMs,
        timestamps: entries.map((e) => e.raw.timestamp),
      });
      return;
    }
  }

  async #deadLetter(raw: BusMessage, reason: string): Promise<void> {
    const bus = this.options.bus.bus;
    try {
      await deadLetter(raw, reason, this.options.group, raw.attempt, bus.publish.bind(bus));
    } catch (cause) {
      // Not acknowledged either: the bus retries the message, and it comes back here.
      throw new LandfallError(
        'LF_BUS_PUBLISH',
        `cannot dead-letter ${raw.topic} ${raw.offset}: ${reasonOf(cause)}`,
        {
          cause,
        },
      );
    }
    this.#deadLettered++;
    this.options.logger?.warn(
      { topic: raw.topic, offset: raw.offset, key: raw.key, reason },
      'row dead-lettered',
    );
  }
}
