import { deadLetter, sleep } from '../bus/delivery.js';
import type { TypedBus } from '../bus/typed.js';
import type { BusMessage, Subscription } from '../bus/types.js';
import { isLandfallError, LandfallError, reasonOf } from '../errors.js';
import type { Logger } from '../log.js';
import { Batcher } from './batcher.js';
import { RowBuilder } from './row-builder.js';
import { INSERT_FORMAT, lineOffsets } from './row-encoder.js';
import { type SinkTable, sinkTables } from './rows.js';
import { assertSchemaCurrent } from './schema-check.js';
import { RateWindow, type SinkStats } from './sink-stats.js';
import type { Store } from './types.js';

export interface SinkOptions {
  bus: TypedBus;
  store: Store;
  /** Consumer group; every sink process of one deployment shares it. */
  group: string;
  batchRows: number;
  /** A batch is also sealed at this many payload bytes. Default: no byte bound. */
  batchBytes?: number;
  flushMs: number;
  /** Rows accepted and not yet stored, over all tables; handlers wait beyond it. */
  maxPendingRows: number;
  /** Messages each subscription holds unacknowledged. */
  maxInFlight: number;
  /** Inserts running at once per table. */
  insertConcurrency: number;
  /**
   * Worker threads that decode payloads and encode rows; 0 does it on the calling thread.
   * Default 0.
   */
  rowWorkers?: number;
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

/** Rows being inserted: their encoded lines, and which message each line came from. */
interface Lines {
  columns: readonly string[];
  body: Uint8Array;
  rows: Int32Array;
}

const MAX_RETRY_BACKOFF_MS = 5_000;

/**
 * The bus→ClickHouse sink. Each telemetry message becomes a row of its table; rows are
 * inserted in batches by rows, bytes and time, and a message's handler resolves (so the bus
 * acknowledges it) only after its batch is stored: a crash loses nothing that was
 * acknowledged, and redelivered rows collapse on the tables' event ids.
 * Handlers only collect payloads: a sealed batch is decoded, validated and encoded as insert
 * text in one pass (on row workers when configured), then inserted as those bytes.
 * A message that does not decode, or decodes but cannot be stored, goes to `<topic>.dlq` with
 * the reason (decoding is deterministic: retrying it would only fail again). While the store
 * is unreachable, inserts are retried and the bus backs up behind a bounded number of pending
 * rows instead of growing memory.
 */
export class Sink {
  readonly #batchers = new Map<string, Batcher<BusMessage>>();
  readonly #builder: RowBuilder;
  /** Per table, the settlement of its last insertConcurrency inserts, oldest first. */
  readonly #inserts = new Map<string, Promise<void>[]>();
  /** Messages whose dead letter could not be published: their handlers throw (bus retries). */
  readonly #unstored = new Map<BusMessage, Error>();
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
    this.#builder = new RowBuilder(options.rowWorkers ?? 0, {
      ...(options.logger ? { logger: options.logger } : {}),
    });
    // The baseline the first inserts are measured against.
    this.#rate.record(Date.now(), 0);
  }

  static async start(options: SinkOptions): Promise<Sink> {
    await assertSchemaCurrent(options.store);
    const sink = new Sink(options);
    try {
      for (const spec of options.tables ?? sinkTables) await sink.#subscribe(spec);
    } catch (err) {
      await Promise.allSettled(sink.#subs.map((s) => s.close()));
      await sink.#builder.close();
      throw err;
    }
    return sink;
  }

  /**
   * Settles once the row workers have loaded; until then batches are encoded on this thread.
   * Benchmarks wait for it to measure the steady state.
   */
  rowWorkersReady(): Promise<void> {
    return this.#builder.ready;
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
      heldForRetry: this.#unstored.size,
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
      await this.#builder.close();
    })();
    return this.#stopping;
  }

  async #subscribe(spec: SinkTable): Promise<void> {
    const { bus, batchRows, batchBytes, flushMs, group, maxInFlight, insertConcurrency } =
      this.options;
    const batcher = new Batcher<BusMessage>({
      // The bus holds at most maxInFlight messages of a subscription unacknowledged, and ours
      // wait for their batch: a batch larger than that would only ever be sealed by the timer.
      batchRows: Math.min(batchRows, maxInFlight),
      ...(batchBytes === undefined ? {} : { batchBytes, sizeOf: (m) => m.value.length }),
      flushMs,
      // Batches being encoded and inserted at once: encoding (on the row workers) runs ahead
      // of the inserts, which #write keeps to insertConcurrency, started in seal order.
      concurrency: insertConcurrency + Math.max(1, this.options.rowWorkers ?? 0),
      timestampOf: (m) => m.timestamp,
      write: (batch) => this.#write(spec, batch),
    });
    this.#batchers.set(spec.table, batcher);
    // The raw bus, not the typed layer: decoding waits for the batch (and its row worker).
    const sub = await bus.bus.subscribe(
      bus.prefix + spec.topic,
      async (raw, delivery) => {
        // Room under maxPendingRows is the common case: take it without a promise.
        if (this.#pending < this.options.maxPendingRows) this.#pending++;
        else await this.#reserve();
        const stored = batcher.add(raw);
        // The row holds its place in the batch: the next message of this key may join the same
        // batch (the ack still waits for the insert). Without this a key gets one row per batch.
        delivery.release();
        let failed: Error | undefined;
        try {
          await stored;
        } finally {
          // Taken whether the batch was stored or not: a retry comes back as a new message
          // object, so an entry left here would never be read again. Nearly always empty: no
          // lookups then.
          if (this.#unstored.size > 0) {
            failed = this.#unstored.get(raw);
            this.#unstored.delete(raw);
          }
        }
        if (failed !== undefined) throw failed;
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

  async #write(spec: SinkTable, batch: BusMessage[]): Promise<void> {
    // Encoding starts at once; the insert waits for the one insertConcurrency batches back, so
    // inserts run in the order batches were sealed (a table's later row of an id stays later).
    const encoding = this.#builder.encode(spec, batch);
    const tails = this.#inserts.get(spec.table) ?? [];
    this.#inserts.set(spec.table, tails);
    const before = tails[tails.length - this.options.insertConcurrency];
    let inserted: () => void = () => {};
    tails.push(new Promise<void>((resolve) => (inserted = resolve)));
    if (tails.length > this.options.insertConcurrency) tails.shift();
    try {
      const encoded = await encoding;
      for (const { index, reason } of encoded.failures) {
        await this.#deadLetterOrHold(batch[index] as BusMessage, reason);
      }
      await before;
      if (encoded.rows.length > 0) await this.#insert(spec.table, batch, encoded);
    } finally {
      inserted();
      this.#release(batch.length);
    }
  }

  /**
   * Inserts, retrying while the store is unavailable. When the store refuses the data, the
   * lines are split in halves until the refused rows are alone; those are dead-lettered with
   * the store's reason and the rest are stored.
   */
  async #insert(table: string, batch: BusMessage[], lines: Lines): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      try {
        await this.options.store.insertEncoded(table, {
          format: INSERT_FORMAT,
          columns: lines.columns,
          body: lines.body,
        });
      } catch (err) {
        if (isLandfallError(err, 'LF_STORE_UNAVAILABLE')) {
          this.#retries++;
          this.options.logger?.warn(
            { table, rows: lines.rows.length, attempt, err: reasonOf(err) },
            'insert retry',
          );
          await sleep(Math.min(MAX_RETRY_BACKOFF_MS, 50 * 2 ** attempt));
          continue;
        }
        if (!isLandfallError(err, 'LF_STORE_INSERT')) throw err;
        if (lines.rows.length === 1) {
          await this.#deadLetterOrHold(batch[lines.rows[0] as number] as BusMessage, reasonOf(err));
          return;
        }
        const mid = lines.rows.length >> 1;
        const cut = lineOffsets(lines.body)[mid - 1] as number;
        const { columns, body, rows } = lines;
        await this.#insert(table, batch, {
          columns,
          body: body.subarray(0, cut),
          rows: rows.subarray(0, mid),
        });
        await this.#insert(table, batch, {
          columns,
          body: body.subarray(cut),
          rows: rows.subarray(mid),
        });
        return;
      }
      const insertMs = performance.now() - started;
      const n = lines.rows.length;
      this.#rowsInserted += n;
      this.#batches++;
      this.#lastInsertMs = insertMs;
      this.#rate.record(Date.now(), this.#rowsInserted);
      if (this.options.onInserted) {
        const timestamps = Array.from(lines.rows, (i) => (batch[i] as BusMessage).timestamp);
        this.options.onInserted({ table, rows: n, insertMs, timestamps });
      }
      return;
    }
  }

  /** Dead-letters; when that fails, the message's handler throws so the bus delivers it again. */
  async #deadLetterOrHold(raw: BusMessage, reason: string): Promise<void> {
    try {
      await this.#deadLetter(raw, reason);
    } catch (err) {
      this.#unstored.set(raw, err instanceof Error ? err : new Error(String(err)));
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
