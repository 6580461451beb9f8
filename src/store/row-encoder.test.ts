import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../bus/topics.js';
import { encodeTopic } from '../bus/typed.js';
import { validateConfig } from '../config/load.js';
import { Module } from '../gen/landfall/v1/jobs_pb.js';
import { openStore } from './client.js';
import { encodeRows, INSERT_FORMAT, lineOffsets } from './row-encoder.js';
import { sinkTables } from './rows.js';
import { migrateStore } from './setup.js';
import { fullMessage } from './testing/full-message.js';
import type { Store } from './types.js';

const PUBLISHED = 1_795_000_123_456;

/** Every field set, with values that stress the text: quotes, tabs, newlines, UTF-8, 2^64−1. */
function message(table: string, id: string): Record<string, unknown> {
  const spec = sinkTables.find((s) => s.table === table);
  if (!spec) throw new Error(`no table ${table}`);
  const m = fullMessage(topics[spec.topic].schema) as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(m)) {
    if (typeof v === 'string' && !k.startsWith('$')) m[k] = `${v} "q"\t\\ é ✓\n`;
  }
  const idField: Record<string, string> = {
    arb_opportunities: 'opportunityId',
    mev_opportunities: 'opportunityId',
    bundle_outcomes: 'bundleId',
    metrics: 'agentId',
    train_acks: 'jobId',
    audit_log: 'auditId',
    control_commands: 'commandId',
  };
  m[idField[table] as string] = id;
  m.tsMs = 1_795_000_000_000n;
  if ('slot' in m) m.slot = 18_446_744_073_709_551_615n;
  if (table === 'arb_opportunities') m.module = Module.ARBITRAGE;
  if (table === 'train_acks') m.state = 'running';
  return m;
}

describe('row encoder (JSONCompactEachRow, chdb)', () => {
  let store: Store;

  beforeAll(async () => {
    const config = validateConfig({ home: mkdtempSync(join(tmpdir(), 'lf-rows-enc-')) });
    store = await openStore(config.store, { home: config.home });
    await migrateStore(store, config);
  });
  afterAll(async () => {
    await store?.close();
  });

  // The sink used to insert row objects through the client; the encoded path must store the
  // very same values in every column of every table.
  it.each(sinkTables.map((s) => s.table))('%s: stores what the row path stores', async (table) => {
    const spec = sinkTables.find((s) => s.table === table);
    if (!spec) throw new Error(table);
    const viaRows = spec.toRow(message(table, `${table}-rows`) as never, PUBLISHED);
    await store.insert(table, [viaRows]);
    const payload = encodeTopic(spec.topic, message(table, `${table}-enc`) as never);
    const encoded = encodeRows(spec, () => payload, [PUBLISHED], 1);
    expect(encoded.failures).toEqual([]);
    await store.insertEncoded(table, { format: INSERT_FORMAT, ...encoded });
    const idColumn = encoded.columns[0] as string;
    // Only the columns the sink writes: defaults (ingested_at) differ by the insert's time.
    const columns = encoded.columns.map((c) => `\`${c}\``).join(', ');
    const rows = await store.query<Record<string, unknown>>(
      `SELECT ${columns} FROM ${store.database}.${table} WHERE startsWith(${idColumn}, {t:String}) ORDER BY ${idColumn}`,
      { t: `${table}-` },
    );
    expect(rows).toHaveLength(2);
    const [enc, byRow] = rows.map(({ [idColumn]: _, ...rest }) => rest);
    expect(enc).toEqual(byRow);
  });

  it('reports payloads that do not decode or cannot be stored, and encodes the rest', () => {
    const spec = sinkTables.find((s) => s.table === 'bundle_outcomes');
    if (!spec) throw new Error('bundle_outcomes');
    const good = encodeTopic(spec.topic, message('bundle_outcomes', 'a') as never);
    const payloads = [good, new Uint8Array([0xff, 0xff, 0xff]), good];
    const encoded = encodeRows(spec, (i) => payloads[i] as Uint8Array, [PUBLISHED, 0, 0], 3);
    expect([...encoded.rows]).toEqual([0, 2]);
    expect(encoded.failures.map((f) => f.index)).toEqual([1]);
    expect(encoded.failures[0]?.reason).toMatch(/cannot decode landfall\.v1\.BundleOutcome/);
    // A publish time of 0 stands in for nothing here: ts_ms is set, so both rows encode.
    const ends = lineOffsets(encoded.body);
    expect(ends).toHaveLength(2);
    expect(ends[1]).toBe(encoded.body.length);
  });
});
