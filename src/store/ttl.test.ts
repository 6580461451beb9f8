import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../bus/delivery.js';
import { validateConfig } from '../config/load.js';
import { openStore } from './client.js';
import { migrateStore } from './setup.js';
import type { Store } from './types.js';

const DAY = 86_400_000;

interface Part {
  partition: string;
  disk: string;
  rows: number;
}

function month(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

// Embedded chDB with the hot_cold policy Landfall writes (two local disks), and the TTL from
// store.ttl: the same tiering a server does with S3, observed through system.parts.
describe('tiering and retention (chdb)', () => {
  let store: Store;
  let table: string;
  const config = validateConfig({
    home: mkdtempSync(join(tmpdir(), 'lf-store-ttl-')),
    store: { ttl: { moveToColdDays: 14, deleteDays: 400 } },
  });

  beforeAll(async () => {
    store = await openStore(config.store, { home: config.home });
    await migrateStore(store, config);
    table = `${store.database}.bundle_outcomes`;
  });
  afterAll(async () => {
    await store?.close();
  });

  async function parts(): Promise<Part[]> {
    const rows = await store.query<{ partition: string; disk: string; rows: string }>(
      `SELECT partition, disk_name AS disk, rows FROM system.parts
       WHERE database = {db:String} AND table = 'bundle_outcomes' AND active ORDER BY partition`,
      { db: store.database },
    );
    return rows.map((r) => ({ ...r, rows: Number(r.rows) }));
  }

  it('moves rows older than moveToColdDays to disk cold and deletes rows older than deleteDays', async () => {
    const now = Date.now();
    // 40 days beyond each limit: a different month, so each age has a partition of its own.
    const ages = { fresh: now, old: now - (14 + 40) * DAY, expired: now - (400 + 40) * DAY };
    const [fresh, old, expired] = [month(ages.fresh), month(ages.old), month(ages.expired)];

    // Hold merges so the expired row is seen stored before the TTL is forced; and start the
    // old row on hot, as if it had aged there, so that reaching cold is the TTL's doing.
    await store.exec(`SYSTEM STOP MERGES ${table}`);
    await store.insert(
      'bundle_outcomes',
      Object.entries(ages).map(([id, dt]) => ({ bundle_id: `ttl-${id}`, dt })),
    );
    await store.exec(`ALTER TABLE ${table} MOVE PARTITION ID '${old}' TO VOLUME 'hot'`);
    await store.exec(`SYSTEM STOP MOVES ${table}`);
    expect(await parts()).toEqual([
      { partition: expired, disk: expect.any(String), rows: 1 },
      { partition: old, disk: 'hot', rows: 1 },
      { partition: fresh, disk: 'hot', rows: 1 },
    ]);

    await store.exec(`SYSTEM START MOVES ${table}`);
    await store.exec(`SYSTEM START MERGES ${table}`);
    await store.exec(`OPTIMIZE TABLE ${table} FINAL`);

    // The TTL merge leaves the expired partition an empty part, which ClickHouse's periodic
    // cleanup removes later (cleanup_delay_period): what counts is that it holds no rows.
    const holding = async () => (await parts()).filter((p) => p.rows > 0);
    const settled = (p: Part[]) => p.length === 2 && p[0]?.disk === 'cold';
    // Moves run in the background: poll until done (or time out and show what there is).
    let last = await holding();
    for (const deadline = Date.now() + 30_000; !settled(last) && Date.now() < deadline; ) {
      await sleep(100);
      last = await holding();
    }
    expect(last).toEqual([
      { partition: old, disk: 'cold', rows: 1 },
      { partition: fresh, disk: 'hot', rows: 1 },
    ]);
    const ids = await store.query<{ bundle_id: string }>(
      `SELECT bundle_id FROM ${table} FINAL ORDER BY bundle_id`,
    );
    expect(ids.map((r) => r.bundle_id)).toEqual(['ttl-fresh', 'ttl-old']);
  });

  it('refuses to reopen with cold on S3 while parts live on the local cold disk', async () => {
    const s3 = { kind: 's3', endpoint: 'http://127.0.0.1:9/bucket/cold/' } as const;
    const env = { LF_TTL_KEY: 'k', LF_TTL_SECRET: 's' };
    Object.assign(process.env, env);
    const moved = validateConfig({
      home: config.home,
      store: { cold: { ...s3, accessKeyIdEnv: 'LF_TTL_KEY', secretAccessKeyEnv: 'LF_TTL_SECRET' } },
    });
    await expect(openStore(moved.store, { home: config.home })).rejects.toMatchObject({
      code: 'LF_CONFIG_INVALID',
      message: expect.stringContaining('disks/cold holds parts'),
    });
  });
});
