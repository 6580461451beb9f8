import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DescMessage, toBinary } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../bus/delivery.js';
import { topics } from '../bus/topics.js';
import { validateConfig } from '../config/load.js';
import { Module } from '../gen/landfall/v1/jobs_pb.js';
import { openStore } from './client.js';
import { sinkTables } from './rows.js';
import { migrateStore } from './setup.js';
import { fullMessage } from './testing/full-message.js';
import type { Store } from './types.js';

const PROTO_ROOT = fileURLToPath(new URL('../../proto/', import.meta.url));
const SCHEMA_FILE: Record<string, string> = {
  'landfall.v1.AuditRecord': 'landfall/v1/audit.proto',
  'landfall.v1.ControlCommand': 'landfall/v1/control.proto',
  'landfall.v1.TrainAck': 'landfall/v1/jobs.proto',
};

function formatSchema(desc: DescMessage): string {
  return `${SCHEMA_FILE[desc.typeName] ?? 'landfall/v1/realtime.proto'}:${desc.name}`;
}

// chDB creates Kafka-engine tables but never consumes (no broker here): these tests check the
// DDL, and decode real protobuf payloads with each Kafka table's columns and materialised view,
// reading them from a file instead of a topic.
describe('kafka engine SQL (chdb: DDL and protobuf mapping)', () => {
  let store: Store;
  let db: string;
  const dir = mkdtempSync(join(tmpdir(), 'lf-kafka-sql-'));

  beforeAll(async () => {
    // chDB resolves format_schema paths (and the .proto imports) from the working directory.
    process.chdir(PROTO_ROOT);
    const config = validateConfig({ home: dir, bus: { kafka: { brokers: ['127.0.0.1:9'] } } });
    store = await openStore(config.store, { home: config.home });
    const result = await migrateStore(store, config, { kafkaEngine: true });
    expect(result.applied).toContain('kafka/0001_kafka_engine.sql');
    db = store.database;
  });
  afterAll(async () => {
    await store?.close();
  });

  /** The Kafka table's columns, as a structure for file() (quoted: enum types hold quotes). */
  async function structure(table: string): Promise<string> {
    const cols = await store.query<{ name: string; type: string }>(
      `SELECT name, type FROM system.columns WHERE database = {db:String} AND table = {t:String} ORDER BY position`,
      { db, t: `kafka_${table}` },
    );
    return cols
      .map((c) => `\`${c.name}\` ${c.type}`)
      .join(', ')
      .replace(/'/g, "\\'");
  }

  function payloadFile(name: string, desc: DescMessage, message: object): string {
    const file = join(dir, `${name}.bin`);
    writeFileSync(file, toBinary(desc, message as never));
    return file;
  }

  it('creates a Kafka table, a view into the target and an errors view per topic', async () => {
    const rows = await store.query<{ name: string; engine: string }>(
      `SELECT name, engine FROM system.tables WHERE database = {db:String} AND name LIKE 'kafka%'`,
      { db },
    );
    const engines = Object.fromEntries(rows.map((r) => [r.name, r.engine]));
    expect(engines.kafka_errors).toBe('MergeTree');
    for (const { table } of sinkTables) {
      expect([
        engines[`kafka_${table}`],
        engines[`kafka_${table}_mv`],
        engines[`kafka_${table}_errors_mv`],
      ]).toEqual(['Kafka', 'MaterializedView', 'MaterializedView']);
    }
  });

  it('maps every column of each Kafka table to a protobuf field', async () => {
    for (const spec of sinkTables) {
      const desc = topics[spec.topic].schema as DescMessage;
      const file = payloadFile(`full-${spec.table}`, desc, fullMessage(desc));
      const [row] = await store.query<Record<string, unknown>>(
        `SELECT * FROM file('${file}', 'ProtobufSingle', '${await structure(spec.table)}')
         SETTINGS format_schema = '${formatSchema(desc)}'`,
      );
      // A column no field maps to decodes silently as its default.
      const unmapped = Object.entries(row ?? {})
        .filter(
          ([, v]) =>
            v === '' || v === 0 || v === '0' || v === false || (Array.isArray(v) && v.length === 0),
        )
        .map(([k]) => k);
      expect(`${spec.table}: ${unmapped.join(', ')}`).toBe(`${spec.table}: `);
    }
  });

  it('writes through each view the same row the Node sink writes for the same message', async () => {
    for (const spec of sinkTables) {
      const desc = topics[spec.topic].schema as DescMessage;
      const message = fullMessage(desc) as Record<string, unknown>;
      message.tsMs = 1_795_000_000_123n;
      if (spec.topic === 'arb-opportunities-proto') message.module = Module.ARBITRAGE;
      const file = payloadFile(`view-${spec.table}`, desc, message);
      const [view] = await store.query<{ q: string }>(
        `SELECT as_select AS q FROM system.tables WHERE database = {db:String} AND name = {n:String}`,
        { db, n: `kafka_${spec.table}_mv` },
      );
      // The view's own SELECT, reading the payload instead of the topic (no broker errors here).
      const source =
        `(SELECT *, '' AS _error, CAST(NULL, 'Nullable(DateTime64(3))') AS _timestamp_ms ` +
        `FROM file('${file}', 'ProtobufSingle', '${await structure(spec.table)}'))`;
      const select = (view?.q ?? '').replace(
        new RegExp(`FROM ${db}\\.kafka_${spec.table}\\b`),
        `FROM ${source}`,
      );
      const settings = `SETTINGS format_schema = '${formatSchema(desc)}'`;
      // A view inserts into its TO table by column name; INSERT … SELECT goes by position.
      const names = await store.query<{ name: string }>(`DESCRIBE (${select}) ${settings}`);
      await store.exec(`TRUNCATE TABLE ${db}.${spec.table}`);
      await store.exec(
        `INSERT INTO ${db}.${spec.table} (${names.map((c) => `\`${c.name}\``).join(', ')}) ${select} ${settings}`,
      );
      const viaKafka = await store.query(`SELECT * EXCEPT ingested_at FROM ${db}.${spec.table}`);
      await store.exec(`TRUNCATE TABLE ${db}.${spec.table}`);
      await store.insert(spec.table, [spec.toRow(message as never, 0)]);
      const viaSink = await store.query(`SELECT * EXCEPT ingested_at FROM ${db}.${spec.table}`);
      expect(viaKafka, spec.table).toEqual(viaSink);
      expect(viaKafka).toHaveLength(1);
    }
  });
});

// Real consumption needs a server that reaches a broker and has proto/ in its format_schema_path.
const brokers = process.env.KAFKA_BROKERS;
const server = process.env.CLICKHOUSE_URL;
const skip = !server || !brokers ? 'CLICKHOUSE_URL and KAFKA_BROKERS are not both set' : undefined;

describe.skipIf(skip !== undefined)(
  `kafka engine consumption (server)${skip ? ` — skipped: ${skip}` : ''}`,
  () => {
    it('stores a published outcome through the Kafka table and its view', {
      timeout: 120_000,
    }, async () => {
      const { loadConfig } = await import('../config/load.js');
      const { createBus } = await import('../bus/create.js');
      const { TypedBus } = await import('../bus/typed.js');
      const { sampleBundleOutcome } = await import('../proto/samples.js');
      const { config } = loadConfig({
        overrides: { bus: { kind: 'kafka' }, store: { kind: 'server' } },
      });
      const s = await openStore(config.store, { home: tmpdir() });
      const bus = await createBus(config.bus);
      try {
        await migrateStore(s, config, { kafkaEngine: true });
        const id = `kafka-engine-${Date.now()}`;
        await new TypedBus(bus).publish('bundle-outcomes-proto', {
          ...sampleBundleOutcome(1),
          bundleId: id,
        });
        let n = 0;
        for (
          const deadline = Date.now() + 90_000;
          n === 0 && Date.now() < deadline;
          await sleep(500)
        ) {
          const [row] = await s.query<{ n: string }>(
            `SELECT count() AS n FROM ${s.database}.bundle_outcomes WHERE bundle_id = {id:String}`,
            { id },
          );
          n = Number(row?.n);
        }
        expect(n).toBe(1);
      } finally {
        await bus.close();
        await s.close();
      }
    });
  },
);
