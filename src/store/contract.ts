import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DescEnum } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../config/schema.js';
import { isLandfallError } from '../errors.js';
import { ControlActionSchema } from '../gen/landfall/v1/control_pb.js';
import { ModuleSchema, TrainStateSchema } from '../gen/landfall/v1/jobs_pb.js';
import { DecisionSchema, RouteSchema } from '../gen/landfall/v1/realtime_pb.js';
import { openStore } from './client.js';
import { MIGRATIONS_DIR, migrate } from './migrate.js';
import { hasTieringPolicy, migrateStore } from './setup.js';
import type { Store } from './types.js';

/**
 * The one contract every store backend passes, against the real migrations. Each backend's
 * test file calls it with its configuration; a backend that cannot run here skips the whole
 * suite and says why.
 */
export interface StoreContractTarget {
  name: string;
  /** Why the suite cannot run here (e.g. no server configured); undefined to run. */
  skip?: string | undefined;
  /** A configuration whose store section points at a database this suite may fill and drop. */
  config(): Config;
}

/** Every enum column and the protobuf enum it stores. */
const ENUM_COLUMNS: Array<[table: string, column: string, desc: DescEnum]> = [
  ['arb_opportunities', 'module', ModuleSchema],
  ['arb_opportunities', 'route', RouteSchema],
  ['arb_opportunities', 'decision', DecisionSchema],
  ['mev_opportunities', 'route', RouteSchema],
  ['bundle_outcomes', 'module', ModuleSchema],
  ['bundle_outcomes', 'path', RouteSchema],
  ['metrics', 'module', ModuleSchema],
  ['train_acks', 'state', TrainStateSchema],
  ['control_commands', 'action', ControlActionSchema],
];

function enumType(desc: DescEnum): string {
  return `Enum8(${desc.values.map((v) => `'${v.name}' = ${v.number}`).join(', ')})`;
}

function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lf-migrations-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (err: unknown) => err,
  );
}

export function storeContract(target: StoreContractTarget): void {
  const title = `store contract: ${target.name}`;
  if (target.skip !== undefined) {
    describe(title, () => {
      it.skip(`skipped: ${target.skip}`, () => {});
    });
    return;
  }

  describe(title, () => {
    let config: Config;
    let store: Store;
    let db: string;
    beforeAll(async () => {
      config = target.config();
      store = await openStore(config.store, { home: config.home });
      db = store.database;
      await store.exec(`DROP DATABASE IF EXISTS ${db}`);
    });
    afterAll(async () => {
      await store?.exec(`DROP DATABASE IF EXISTS ${db}`).catch(() => {});
      await store?.close();
    });

    const outcome = (id: string, extra: Record<string, unknown> = {}) => ({
      bundle_id: id,
      dt: 1_795_000_000_123,
      module: 1,
      landed: true,
      tip_lamports: '18446744073709551615',
      path: 2,
      profit_lamports: '-9223372036854775808',
      ...extra,
    });

    it('reports itself healthy', async () => {
      const health = await store.health();
      expect(health.ok).toBe(true);
      expect(health.detail).toContain('version');
    });

    it('applies the migrations once, in order, and records them', async () => {
      const first = await migrateStore(store, config);
      expect(first.applied).toEqual([
        '0001_telemetry.sql',
        '0002_control_plane.sql',
        '0003_metrics_counters.sql',
        '0004_windowed_metrics_signed_control.sql',
        '0005_shadow_scores.sql',
        '0006_stage_latency.sql',
        '0007_paper_exploration.sql',
      ]);
      const again = await migrateStore(store, config);
      expect(again.applied).toEqual([]);
      expect(again.alreadyApplied).toEqual(first.applied);
      const recorded = await store.query<{ name: string }>(
        `SELECT name FROM ${db}.schema_migrations FINAL ORDER BY name`,
      );
      expect(recorded.map((r) => r.name)).toEqual(first.applied);
    });

    it('puts the large tables on hot_cold exactly when the store has that policy', async () => {
      const tiered = await hasTieringPolicy(store);
      const rows = await store.query<{ name: string; storage_policy: string }>(
        `SELECT name, storage_policy FROM system.tables WHERE database = {db:String} ORDER BY name`,
        { db },
      );
      const policy = Object.fromEntries(rows.map((r) => [r.name, r.storage_policy]));
      for (const t of ['arb_opportunities', 'mev_opportunities', 'bundle_outcomes', 'metrics']) {
        expect(policy[t] === 'hot_cold').toBe(tiered);
      }
      expect(policy.audit_log).not.toBe('hot_cold');
    });

    it('round-trips 64-bit integers exactly, as strings', async () => {
      await store.insert('bundle_outcomes', [outcome('rt-1')]);
      const [row] = await store.query<Record<string, unknown>>(
        `SELECT tip_lamports, profit_lamports, module, path, landed, toUnixTimestamp64Milli(dt) AS ms
         FROM ${db}.bundle_outcomes WHERE bundle_id = 'rt-1'`,
      );
      expect(row).toEqual({
        tip_lamports: '18446744073709551615',
        profit_lamports: '-9223372036854775808',
        module: 'MEV',
        path: 'ROUTE_DIRECT',
        landed: true,
        ms: '1795000000123',
      });
    });

    it('stores a feature vector as the scorer saw it (float32)', async () => {
      // As protobuf hands them over: float32 values held in doubles.
      const features = [0.1, -2.5, 1e-7, 3.4e38].map(Math.fround);
      await store.insert('arb_opportunities', [
        { opportunity_id: 'f-1', dt: 1_795_000_000_000, feature_set: 'default-v1', features },
      ]);
      const [row] = await store.query<{ features: number[]; feature_set: string }>(
        `SELECT features, feature_set FROM ${db}.arb_opportunities WHERE opportunity_id = 'f-1'`,
      );
      expect(row?.feature_set).toBe('default-v1');
      // Float32 prints its shortest form (0.1); read back as float32 it is the same value.
      expect(row?.features.map(Math.fround)).toEqual(features);
    });

    it('binds parameters on the server, never into the SQL text', async () => {
      const rows = await store.query(
        `SELECT bundle_id FROM ${db}.bundle_outcomes WHERE bundle_id = {id:String}`,
        {
          id: "rt-1' OR '1' = '1",
        },
      );
      expect(rows).toEqual([]);
    });

    it('collapses a redelivered event into one row under FINAL', async () => {
      await store.insert('bundle_outcomes', [outcome('dup-1')]);
      await store.insert('bundle_outcomes', [outcome('dup-1')]);
      const [row] = await store.query<{ n: string }>(
        `SELECT count() AS n FROM ${db}.bundle_outcomes FINAL WHERE bundle_id = 'dup-1'`,
      );
      expect(row?.n).toBe('1');
    });

    it('refuses data it cannot store with LF_STORE_INSERT naming the table', async () => {
      const err = await failure(
        store.insert('bundle_outcomes', [outcome('bad-1', { dt: 'not a time' })]),
      );
      expect(isLandfallError(err, 'LF_STORE_INSERT')).toBe(true);
      expect((err as Error).message).toContain(`${db}.bundle_outcomes`);
    });

    it('inserts encoded rows as given, and refuses bad ones with LF_STORE_INSERT', async () => {
      const columns = ['bundle_id', 'dt', 'tip_lamports', 'landed', 'failure'];
      const line = (id: string, dt: unknown) =>
        `${JSON.stringify([id, dt, '18446744073709551615', true, 'tab\t"é"'])}\n`;
      const body = (text: string) => new TextEncoder().encode(text);
      await store.insertEncoded('bundle_outcomes', {
        format: 'JSONCompactEachRow',
        columns,
        body: body(line('enc-1', 1_795_000_000_000) + line('enc-2', 1_795_000_000_001)),
      });
      const rows = await store.query<{ bundle_id: string; tip_lamports: string; failure: string }>(
        `SELECT bundle_id, tip_lamports, failure FROM ${db}.bundle_outcomes FINAL
         WHERE startsWith(bundle_id, 'enc-') ORDER BY bundle_id`,
      );
      expect(rows).toEqual([
        { bundle_id: 'enc-1', tip_lamports: '18446744073709551615', failure: 'tab\t"é"' },
        { bundle_id: 'enc-2', tip_lamports: '18446744073709551615', failure: 'tab\t"é"' },
      ]);
      const err = await failure(
        store.insertEncoded('bundle_outcomes', {
          format: 'JSONCompactEachRow',
          columns,
          body: body(line('enc-bad', 'not a time')),
        }),
      );
      expect(isLandfallError(err, 'LF_STORE_INSERT')).toBe(true);
      expect((err as Error).message).toContain(`${db}.bundle_outcomes`);
    });

    it('reports a bad statement with LF_STORE_QUERY and the statement', async () => {
      const err = await failure(store.query('SELECT no_such_column FROM system.one'));
      expect(isLandfallError(err, 'LF_STORE_QUERY')).toBe(true);
      expect((err as Error).message).toContain('SELECT no_such_column');
    });

    it('declares every enum column with the protobuf names and numbers', async () => {
      for (const [table, column, desc] of ENUM_COLUMNS) {
        const [row] = await store.query<{ type: string }>(
          `SELECT type FROM system.columns WHERE database = {db:String} AND table = {t:String} AND name = {c:String}`,
          { db, t: table, c: column },
        );
        expect(`${table}.${column} ${row?.type}`).toBe(`${table}.${column} ${enumType(desc)}`);
      }
    });

    it('stops at a failing migration with the file and the server error, keeping what applied', async () => {
      const dir = migrationsDir({
        '0001_ok.sql': `CREATE TABLE IF NOT EXISTS {{database}}.mig_ok (x UInt8) ENGINE = MergeTree ORDER BY x;\n`,
        '0002_bad.sql': `CREATE TABLE IF NOT EXISTS {{database}}.mig_bad (x NoSuchType) ENGINE = MergeTree ORDER BY x;\n`,
      });
      const err = await failure(migrate(store, { ttl: config.store.ttl, tiering: false, dir }));
      expect(isLandfallError(err, 'LF_STORE_MIGRATION')).toBe(true);
      expect((err as Error).message).toMatch(/0002_bad\.sql, statement 1 of 1: .*NoSuchType/);
      const names = await store.query<{ name: string }>(
        `SELECT name FROM ${db}.schema_migrations FINAL`,
      );
      expect(names.map((r) => r.name)).toContain('0001_ok.sql');
      expect(names.map((r) => r.name)).not.toContain('0002_bad.sql');
    });

    it('refuses a migration file changed after it was applied', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lf-migrations-'));
      cpSync(MIGRATIONS_DIR, dir, { recursive: true });
      writeFileSync(join(dir, '0001_telemetry.sql'), '-- edited\n', { flag: 'a' });
      const err = await failure(migrate(store, { ttl: config.store.ttl, tiering: false, dir }));
      expect(isLandfallError(err, 'LF_STORE_MIGRATION')).toBe(true);
      expect((err as Error).message).toContain('0001_telemetry.sql changed after it was applied');
    });
  });
}
