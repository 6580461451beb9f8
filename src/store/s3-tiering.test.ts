import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load.js';
import { LandfallError } from '../errors.js';
import { S3Server } from '../testing/servers.js';
import { until } from '../testing/until.js';
import { openStore } from './client.js';
import { migrateStore, STORAGE_POLICY } from './setup.js';
import { inChild } from './testing/engine-process.js';
import type { Store } from './types.js';

const DAY = 86_400_000;
// Names of our own, so the test proves the config's `*Env` names reach the engine.
const KEY_ENV = 'LF_TEST_S3_ACCESS_KEY_ID';
const SECRET_ENV = 'LF_TEST_S3_SECRET_ACCESS_KEY';

function month(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

describe('store.cold: s3 configuration', () => {
  const cold = { kind: 's3', endpoint: 'http://127.0.0.1:9/bucket/landfall/cold/' };

  it('takes the bucket URL with its prefix, and refuses one without the trailing /', () => {
    expect(validateConfig({ store: { cold } }).store.cold).toEqual({
      ...cold,
      accessKeyIdEnv: 'LANDFALL_S3_ACCESS_KEY_ID',
      secretAccessKeyEnv: 'LANDFALL_S3_SECRET_ACCESS_KEY',
    });
    expect(() =>
      validateConfig({ store: { cold: { ...cold, endpoint: 'http://127.0.0.1:9/bucket' } } }),
    ).toThrow(/trailing \//);
  });

  it('refuses to open chDB before the engine starts when the keys are not in the environment', async () => {
    const config = validateConfig({
      home: mkdtempSync(join(tmpdir(), 'lf-store-s3-nokeys-')),
      store: {
        cold: {
          ...cold,
          accessKeyIdEnv: 'LF_TEST_UNSET_KEY',
          secretAccessKeyEnv: 'LF_TEST_UNSET_SECRET',
        },
      },
    });
    const opening = openStore(config.store, { home: config.home });
    await expect(opening).rejects.toBeInstanceOf(LandfallError);
    await expect(opening).rejects.toMatchObject({
      code: 'LF_CONFIG_INVALID',
      message: expect.stringMatching(/LF_TEST_UNSET_KEY and LF_TEST_UNSET_SECRET are not set/),
    });
  });
});

// Embedded chDB with store.cold on S3 (s3rver in its own process): the tiering of DESIGN.md
// with the cold volume production has, seen in system.parts and in the bucket itself.
describe('tiering to S3 (chdb + s3rver)', () => {
  let s3: S3Server;
  let store: Store;
  let raw: Record<string, unknown>;
  const PREFIX = 'landfall/cold/';
  const home = mkdtempSync(join(tmpdir(), 'lf-store-s3-'));
  const now = Date.now();
  const ages = { fresh: now, old: now - (14 + 40) * DAY, expired: now - (400 + 40) * DAY };
  const table = 'landfall.bundle_outcomes';

  const open = async () => {
    const config = validateConfig(raw);
    store = await openStore(config.store, { home: config.home });
    return config;
  };
  const parts = () =>
    store.query<{ partition: string; name: string; disk: string; rows: string }>(
      `SELECT partition, name, disk_name AS disk, rows FROM system.parts
       WHERE database = 'landfall' AND table = 'bundle_outcomes' AND active AND rows > 0
       ORDER BY partition`,
    );
  /** The objects the engine says make up the table's parts on the cold disk. */
  const remoteKeys = async () =>
    (
      await store.query<{ key: string }>(
        `SELECT DISTINCT remote_path AS key FROM system.remote_data_paths
         WHERE disk_name = 'cold' ORDER BY key`,
      )
    ).map((r) => r.key);
  const READ = `SELECT bundle_id, tip_lamports, toUnixTimestamp64Milli(dt) AS ms FROM ${table} FINAL ORDER BY bundle_id`;
  /** Each row as `id tip ms`: what was written must come back unchanged from the bucket. */
  const ids = async () =>
    (await store.query<{ bundle_id: string; tip_lamports: string; ms: string }>(READ)).map(
      (r) => `${r.bundle_id} ${r.tip_lamports} ${r.ms}`,
    );
  const FRESH = `s3-fresh 1000 ${ages.fresh}`;
  const OLD = `s3-old 54000 ${ages.old}`;

  beforeAll(async () => {
    s3 = await S3Server.start();
    process.env[KEY_ENV] = S3Server.accessKeyId;
    process.env[SECRET_ENV] = S3Server.secretAccessKey;
    raw = {
      home,
      store: {
        tiering: 'on',
        ttl: { moveToColdDays: 14, deleteDays: 400 },
        cold: {
          kind: 's3',
          endpoint: s3.endpoint(PREFIX),
          region: 'us-east-1',
          accessKeyIdEnv: KEY_ENV,
          secretAccessKeyEnv: SECRET_ENV,
        },
      },
    };
    const config = await open();
    expect((await migrateStore(store, config)).tiering).toBe(true);
    // A replaced part's files (and objects) are kept 8 minutes, and the cleanup task then sleeps
    // 30-40 s between rounds: a test cannot wait that long. The table picks the shorter periods up
    // when it is loaded again (closing the store does not unload chDB's engine: detach/attach
    // does). The cleanup itself stays ClickHouse's own.
    await store.exec(
      `ALTER TABLE ${table} MODIFY SETTING old_parts_lifetime = 1, cleanup_delay_period = 1,
       max_cleanup_delay_period = 1, cleanup_delay_period_random_add = 0`,
    );
    await store.exec(`DETACH TABLE ${table}`);
    await store.exec(`ATTACH TABLE ${table}`);
  });
  afterAll(async () => {
    await store?.close();
    await s3?.dispose();
  });

  it('puts the cold volume of hot_cold on an S3 disk', async () => {
    const disks = await store.query<{ volume: string; disks: string[]; type: string }>(
      `SELECT volume_name AS volume, disks, d.object_storage_type AS type
       FROM system.storage_policies AS p
       JOIN system.disks AS d ON d.name = p.disks[1]
       WHERE policy_name = {policy:String} ORDER BY volume_priority`,
      { policy: STORAGE_POLICY },
    );
    expect(disks).toEqual([
      { volume: 'hot', disks: ['hot'], type: 'None' },
      { volume: 'cold', disks: ['cold'], type: 'S3' },
    ]);
    // The config file names the variables; the keys themselves are never written to disk.
    const xml = readFileSync(join(home, 'clickhouse', 'landfall-chdb.xml'), 'utf8');
    expect(xml).toContain(`from_env="${KEY_ENV}"`);
    expect(xml).not.toContain(S3Server.secretAccessKey);
  });

  it('moves old rows into the bucket by TTL, reads them back, and keeps them across a restart', async () => {
    await store.insert('bundle_outcomes', [
      { bundle_id: 's3-fresh', tip_lamports: 1000, dt: ages.fresh },
      { bundle_id: 's3-old', tip_lamports: 54_000, dt: ages.old },
    ]);
    // The TTL places a part that is already due on cold as it is written.
    expect((await parts()).map((p) => [p.partition, p.disk])).toEqual([
      [month(ages.old), 'cold'],
      [month(ages.fresh), 'hot'],
    ]);
    // Bring it back to hot by hand: the background TTL mover must take it to S3 again.
    await store.exec(`ALTER TABLE ${table} MOVE PARTITION ID '${month(ages.old)}' TO VOLUME 'hot'`);
    expect((await parts()).map((p) => p.disk)).toEqual(['hot', 'hot']);
    await until(
      async () => (await parts())[0]?.disk === 'cold',
      'the TTL to move the old part to S3',
    );

    const keys = await remoteKeys();
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => k.startsWith(PREFIX))).toBe(true);
    // What the engine lists is what the bucket holds (old copies gone once cleaned up).
    await until(
      async () => JSON.stringify(await s3.keys(PREFIX)) === JSON.stringify(await remoteKeys()),
      'the bucket to hold exactly the cold parts',
    );
    expect(await ids()).toEqual([FRESH, OLD]);

    // Restart: a new engine in a new process finds the cold part by its local metadata and
    // reads its rows from the bucket.
    await store.close();
    const [after, rows] = await inChild({
      kind: 'store',
      raw,
      sql: [
        `SELECT partition, disk_name AS disk FROM system.parts
         WHERE database = 'landfall' AND table = 'bundle_outcomes' AND active AND rows > 0
         ORDER BY partition`,
        READ,
      ],
    });
    expect(after).toEqual([
      { partition: month(ages.old), disk: 'cold' },
      { partition: month(ages.fresh), disk: 'hot' },
    ]);
    expect(rows).toEqual([
      // 64-bit integers come quoted, as the store asks for them.
      { bundle_id: 's3-fresh', tip_lamports: '1000', ms: String(ages.fresh) },
      { bundle_id: 's3-old', tip_lamports: '54000', ms: String(ages.old) },
    ]);
    await open();
    expect(await ids()).toEqual([FRESH, OLD]);
  });

  it('deletes expired rows and their objects from the bucket', async () => {
    await store.exec(`SYSTEM STOP MERGES ${table}`);
    await store.insert('bundle_outcomes', [
      { bundle_id: 's3-expired', tip_lamports: 440, dt: ages.expired },
    ]);
    const expired = (await parts()).find((p) => p.partition === month(ages.expired));
    expect(expired?.disk).toBe('cold');
    const [doomed] = (await store.query<{ keys: string[] }>(
      `SELECT groupArray(remote_path) AS keys FROM system.remote_data_paths
       WHERE disk_name = 'cold' AND local_path LIKE {part:String}`,
      { part: `%/${expired?.name}/%` },
    )) ?? [{ keys: [] }];
    expect(doomed?.keys.length).toBeGreaterThan(0);
    expect(await s3.keys(PREFIX)).toEqual(expect.arrayContaining(doomed?.keys ?? []));

    await store.exec(`SYSTEM START MERGES ${table}`);
    await store.exec(`OPTIMIZE TABLE ${table} PARTITION ID '${month(ages.expired)}' FINAL`);
    expect(await ids()).toEqual([FRESH, OLD]);
    await until(async () => {
      const left = new Set(await s3.keys(PREFIX));
      return !doomed?.keys.some((k) => left.has(k));
    }, "the expired part's objects to leave the bucket");
    // Nothing orphaned: the bucket holds the live cold parts and nothing else.
    await until(
      async () => JSON.stringify(await s3.keys(PREFIX)) === JSON.stringify(await remoteKeys()),
      'the bucket to hold exactly the cold parts',
    );
  });

  it('refuses to reopen with a local cold disk while parts live in the bucket', async () => {
    await store.close();
    const local = validateConfig({
      ...raw,
      store: { ...(raw.store as object), cold: { kind: 'local' } },
    });
    await expect(openStore(local.store, { home })).rejects.toMatchObject({
      code: 'LF_CONFIG_INVALID',
      message: expect.stringContaining(
        `${join(home, 'clickhouse', 'disks', 'cold_s3')} holds parts`,
      ),
    });
  });
});
