import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../bus/contract.js';
import { MemoryBus } from '../bus/memory.js';
import { type TopicMessage, topics } from '../bus/topics.js';
import { TypedBus } from '../bus/typed.js';
import { type BusMessage, DlqHeaders } from '../bus/types.js';
import { validateConfig } from '../config/load.js';
import { LandfallError } from '../errors.js';
import { Module } from '../gen/landfall/v1/jobs_pb.js';
import { OpportunitySchema } from '../gen/landfall/v1/realtime_pb.js';
import { sampleBundleOutcome, sampleFor } from '../proto/samples.js';
import { openStore } from './client.js';
import { sinkTables } from './rows.js';
import { migrateStore } from './setup.js';
import { Sink, type SinkOptions } from './sink.js';
import type { EncodedInsert, Store } from './types.js';

/** The real store, with inserts a test can hold back, refuse or fail for a while. */
class GatedStore implements Store {
  readonly kind = 'chdb' as const;
  gate: Promise<void> = Promise.resolve();
  unavailableFor = 0;
  refuse: (row: Record<string, unknown>) => boolean = () => false;
  onInsert: () => void = () => {};
  /** The next encoded insert throws this (a fault that is not the store's to retry). */
  failNext: Error | undefined;
  /** Migrations the store's schema_migrations table does not show. */
  hideMigrations: readonly string[] = [];
  /** Rows of every insert attempt, in call order. */
  readonly inserts: Array<{ table: string; rows: Record<string, unknown>[] }> = [];

  constructor(readonly inner: Store) {}
  get database() {
    return this.inner.database;
  }
  hold(): () => void {
    let open = () => {};
    this.gate = new Promise((resolve) => {
      open = resolve;
    });
    return open;
  }
  async insert(table: string, rows: readonly object[]) {
    this.onInsert();
    this.inserts.push({ table, rows: rows as Record<string, unknown>[] });
    await this.gate;
    if (this.unavailableFor > 0 && this.unavailableFor--) {
      throw new LandfallError('LF_STORE_UNAVAILABLE', 'store unreachable (test)');
    }
    if (rows.some((r) => this.refuse(r as Record<string, unknown>))) {
      throw new LandfallError('LF_STORE_INSERT', `insert into ${table} refused (test)`);
    }
    await this.inner.insert(table, rows);
  }
  /** The sink's path: the lines are read back as rows, so tests see and refuse rows alike. */
  async insertEncoded(table: string, encoded: EncodedInsert) {
    this.onInsert();
    const rows = new TextDecoder()
      .decode(encoded.body)
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const values = JSON.parse(line) as unknown[];
        return Object.fromEntries(encoded.columns.map((c, i) => [c, values[i]]));
      });
    this.inserts.push({ table, rows });
    await this.gate;
    const fail = this.failNext;
    this.failNext = undefined;
    if (fail) throw fail;
    if (this.unavailableFor > 0 && this.unavailableFor--) {
      throw new LandfallError('LF_STORE_UNAVAILABLE', 'store unreachable (test)');
    }
    if (rows.some((r) => this.refuse(r))) {
      throw new LandfallError('LF_STORE_INSERT', `insert into ${table} refused (test)`);
    }
    await this.inner.insertEncoded(table, encoded);
  }
  async query<T>(sql: string, params?: Record<string, unknown>) {
    const rows = await this.inner.query<T>(sql, params);
    if (!sql.includes('schema_migrations')) return rows;
    return rows.filter((r) => !this.hideMigrations.includes((r as { name: string }).name));
  }
  exec(sql: string) {
    return this.inner.exec(sql);
  }
  health() {
    return this.inner.health();
  }
  close() {
    return Promise.resolve();
  }
}

// Row workers or not, the sink keeps the same rules: the workers only move the decoding.
describe.each([0, 1])('sink (memory bus → chdb, %i row workers)', (rowWorkers) => {
  let real: Store;
  let store: GatedStore;
  let bus: MemoryBus;
  let typed: TypedBus;
  let sink: Sink | undefined;
  let run = 0;
  let prefix: string;

  beforeAll(async () => {
    const config = validateConfig({ home: mkdtempSync(join(tmpdir(), 'lf-sink-')) });
    real = await openStore(config.store, { home: config.home });
    await migrateStore(real, config);
  });
  afterAll(async () => {
    await real?.close();
  });
  afterEach(async () => {
    await sink?.stop();
    await bus.close();
    sink = undefined;
  });

  async function start(options: Partial<SinkOptions> = {}, partitions = 8): Promise<Sink> {
    prefix = `r${++run}-`;
    store = new GatedStore(real);
    bus = new MemoryBus({ partitions, maxAttempts: 2 });
    typed = new TypedBus(bus);
    sink = await Sink.start({
      bus: typed,
      store,
      group: 'sink',
      batchRows: 100,
      flushMs: 20,
      maxPendingRows: 1_000,
      maxInFlight: 1_000,
      insertConcurrency: 1,
      rowWorkers,
      ...options,
    });
    // Every batch through the worker (not inline while it loads), so its path is the one tested.
    await sink.rowWorkersReady();
    return sink;
  }

  async function count(table: string, idColumn: string): Promise<number> {
    const [row] = await real.query<{ n: string }>(
      `SELECT count() AS n FROM ${real.database}.${table} FINAL WHERE startsWith(${idColumn}, {p:String})`,
      { p: prefix },
    );
    return Number(row?.n);
  }

  async function deadLetters(topic: string): Promise<BusMessage[]> {
    const got: BusMessage[] = [];
    await bus.subscribe(`${topic}.dlq`, async (m) => void got.push(m), { group: 'dlq-reader' });
    return got;
  }

  async function publishOutcomes(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      await typed.publish('bundle-outcomes-proto', {
        ...sampleBundleOutcome(i),
        bundleId: `${prefix}${i}`,
      });
    }
  }

  it('stores every telemetry topic in its table, acknowledging only once stored', async () => {
    const s = await start();
    const open = store.hold();
    for (const spec of sinkTables)
      await typed.publish(spec.topic, sampleFor(spec.topic, `${prefix}x`) as never);
    expect(await eventually(() => s.stats().pendingRows === sinkTables.length)).toBe(true);
    // Held: nothing stored, so no handler may have resolved.
    expect(await count('bundle_outcomes', 'bundle_id')).toBe(0);
    open();
    expect(await eventually(() => s.stats().rowsInserted === sinkTables.length)).toBe(true);
    const idColumn: Record<string, string> = {
      arb_opportunities: 'opportunity_id',
      mev_opportunities: 'opportunity_id',
      bundle_outcomes: 'bundle_id',
      metrics: 'agent_id',
      train_acks: 'job_id',
      audit_log: 'audit_id',
      control_commands: 'command_id',
    };
    for (const spec of sinkTables) {
      expect(`${spec.table}: ${await count(spec.table, idColumn[spec.table] ?? '')}`).toBe(
        `${spec.table}: 1`,
      );
    }
  });

  it('batches many messages of one key together, in order (no per-key cap of a row per batch)', async () => {
    // The timer never fires: only full batches are written, so one row per key per batch
    // (the old cap: the key's next handler waited for the previous row's insert) never ends.
    const s = await start({ batchRows: 50, flushMs: 600_000 });
    const jobId = `${prefix}job`;
    for (let i = 1; i <= 100; i++) {
      await typed.publish('train-acks-proto', {
        ...(sampleFor('train-acks-proto', jobId) as TopicMessage<'train-acks-proto'>),
        progress: i / 100,
        message: String(i),
      });
    }
    expect(await eventually(() => s.stats().rowsInserted === 100, 5_000)).toBe(true);
    expect(s.stats().batches).toBe(2);
    const stored = store.inserts.filter((i) => i.table === 'train_acks').flatMap((i) => i.rows);
    expect(stored.map((r) => r.message)).toEqual(
      Array.from({ length: 100 }, (_, i) => String(i + 1)),
    );
  });

  it('dead-letters a message that decodes but cannot be stored, with the reason', async () => {
    const s = await start();
    const dlq = await deadLetters('arb-opportunities-proto');
    const opportunity = (id: string, features: number[]) =>
      create(OpportunitySchema, {
        opportunityId: `${prefix}${id}`,
        module: Module.ARBITRAGE,
        featureSet: 'f',
        features,
      });
    await typed.publish('arb-opportunities-proto', opportunity('bad', [1, Number.NaN]));
    await typed.publish('arb-opportunities-proto', opportunity('good', [1, 2]));
    expect(await eventually(() => dlq.length === 1 && s.stats().rowsInserted === 1)).toBe(true);
    expect(dlq[0]?.key).toBe(`${prefix}bad`);
    expect(dlq[0]?.headers[DlqHeaders.reason]).toContain('features[1] is NaN');
    expect(s.stats().rowsDeadLettered).toBe(1);
    expect(await count('arb_opportunities', 'opportunity_id')).toBe(1);
  });

  it('narrows a refused batch down to the refused rows, dead-letters them and stores the rest', async () => {
    const s = await start({ batchRows: 16, flushMs: 100 }, 16);
    const dlq = await deadLetters('bundle-outcomes-proto');
    store.refuse = (row) => row.bundle_id === `${prefix}5`;
    await publishOutcomes(16);
    expect(await eventually(() => dlq.length === 1 && s.stats().rowsInserted === 15)).toBe(true);
    expect(dlq[0]?.headers[DlqHeaders.reason]).toContain('refused (test)');
    expect(await count('bundle_outcomes', 'bundle_id')).toBe(15);
  });

  it('retries while the store is unavailable, then stores everything once', async () => {
    const s = await start();
    store.unavailableFor = 3;
    await publishOutcomes(10);
    expect(await eventually(() => s.stats().rowsInserted === 10)).toBe(true);
    expect(s.stats().insertRetries).toBe(3);
    expect(s.stats().rowsDeadLettered).toBe(0);
    expect(await count('bundle_outcomes', 'bundle_id')).toBe(10);
  });

  it('holds at most maxPendingRows; beyond that handlers wait (backpressure)', async () => {
    const s = await start({ maxPendingRows: 5, batchRows: 100 }, 32);
    let mostPending = 0;
    store.onInsert = () => {
      mostPending = Math.max(mostPending, s.stats().pendingRows);
    };
    const open = store.hold();
    await publishOutcomes(40);
    expect(await eventually(() => s.stats().waitingHandlers > 0)).toBe(true);
    expect(s.stats().pendingRows).toBe(5);
    open();
    expect(await eventually(() => s.stats().rowsInserted === 40)).toBe(true);
    expect(mostPending).toBeLessThanOrEqual(5);
    expect(s.stats().pendingRows).toBe(0);
  });

  it('reports its lag while rows wait, and throughput once stored', async () => {
    const s = await start();
    const open = store.hold();
    await publishOutcomes(3);
    expect(await eventually(() => s.stats().pendingRows === 3)).toBe(true);
    await new Promise((r) => setTimeout(r, 30));
    expect(s.stats().lagMs).toBeGreaterThanOrEqual(30);
    open();
    expect(await eventually(() => s.stats().rowsInserted === 3)).toBe(true);
    const stats = s.stats();
    expect(stats.lagMs).toBe(0);
    expect(stats.batches).toBeGreaterThanOrEqual(1);
    expect(stats.rowsPerSecond).toBeGreaterThan(0);
  });

  it('drains on stop: stores what is pending without waiting for the timer', async () => {
    const s = await start({ flushMs: 600_000 });
    await publishOutcomes(5);
    expect(await eventually(() => s.stats().pendingRows === 5)).toBe(true);
    await s.stop();
    expect(s.stats().rowsInserted).toBe(5);
    expect(await count('bundle_outcomes', 'bundle_id')).toBe(5);
  });

  it('lets undecodable payloads go to the dead-letter topic through the typed layer', async () => {
    const s = await start();
    const dlq = await deadLetters('metrics-proto');
    await bus.publish('metrics-proto', new Uint8Array([0xff, 0xff, 0xff]), { key: 'junk' });
    expect(await eventually(() => dlq.length === 1)).toBe(true);
    expect(s.stats().rowsInserted).toBe(0);
    expect(topics['metrics-proto'].schema.typeName).toBe('landfall.v1.MetricsUpdate');
  });

  it('refuses to start against a store whose schema is behind, naming the migrations', async () => {
    bus = new MemoryBus();
    store = new GatedStore(real);
    store.hideMigrations = ['0006_stage_latency.sql', '0007_paper_exploration.sql'];
    const started = Sink.start({
      bus: new TypedBus(bus),
      store,
      group: 'sink',
      batchRows: 100,
      flushMs: 20,
      maxPendingRows: 1_000,
      maxInFlight: 1_000,
      insertConcurrency: 1,
      rowWorkers,
    });
    await expect(started).rejects.toMatchObject({ code: 'LF_STORE_MIGRATION' });
    await expect(started).rejects.toThrow(
      /migrations 0006_stage_latency\.sql, 0007_paper_exploration\.sql are not applied.*landfall store migrate/,
    );
    // Nothing subscribed: a message published now waits for a sink that can store it.
    expect(store.inserts).toHaveLength(0);
  });

  it('forgets a held dead letter when its batch fails and the bus retries it as a new message', async () => {
    const s = await start({ flushMs: 200 });
    const dlq = await deadLetters('bundle-outcomes-proto');
    const publish = bus.publish.bind(bus);
    let dlqFailures = 1;
    bus.publish = async (topic, value, options) => {
      if (topic.endsWith('.dlq') && dlqFailures > 0 && dlqFailures--)
        throw new Error('dlq down (test)');
      return publish(topic, value, options);
    };
    // One batch: a row that cannot be dead-lettered (held), and an insert that then fails.
    store.failNext = new Error('insert fault (test)');
    await bus.publish('bundle-outcomes-proto', new Uint8Array([0xff, 0xff, 0xff]), { key: 'junk' });
    await publishOutcomes(1);
    expect(await eventually(() => dlq.length === 1 && s.stats().rowsInserted === 1)).toBe(true);
    expect(dlqFailures).toBe(0);
    expect(s.stats().heldForRetry).toBe(0);
    expect(await count('bundle_outcomes', 'bundle_id')).toBe(1);
  });
});
