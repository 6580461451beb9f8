import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { S3Server } from '../testing/servers.js';
import { STORAGE_POLICY } from './setup.js';
import { inChild } from './testing/engine-process.js';

const DAY = 86_400_000;
const STORAGE_XML = fileURLToPath(new URL('../../deploy/clickhouse/storage.xml', import.meta.url));

// deploy/clickhouse/storage.xml itself, loaded by the same engine with its S3 endpoint and keys
// from the environment (as on a server) pointed at s3rver and its /var/lib paths at a temporary
// directory: the policy and volume names the migrations use exist, and a TTL move lands in S3.
describe('deploy/clickhouse/storage.xml', () => {
  it('loads, names the policy and volumes the migrations use, and tiers into the bucket', async () => {
    const s3 = await S3Server.start();
    try {
      const root = mkdtempSync(join(tmpdir(), 'lf-storage-xml-'));
      mkdirSync(join(root, 'data'));
      const configFile = join(root, 'landfall-storage.xml');
      writeFileSync(
        configFile,
        readFileSync(STORAGE_XML, 'utf8').replaceAll('/var/lib/clickhouse/', `${root}/`),
      );
      const old = new Date(Date.now() - 60 * DAY).toISOString().slice(0, 19).replace('T', ' ');
      const [policy, , , placed, rows] = await inChild(
        {
          kind: 'configFile',
          data: join(root, 'data'),
          configFile,
          sql: [
            `SELECT volume_name AS volume, d.type AS type, d.object_storage_type AS storage
             FROM system.storage_policies AS p JOIN system.disks AS d ON d.name = p.disks[1]
             WHERE policy_name = '${STORAGE_POLICY}' ORDER BY volume_priority`,
            `CREATE TABLE t (dt DateTime, id String) ENGINE = MergeTree
             PARTITION BY toYYYYMM(dt) ORDER BY id
             TTL dt + INTERVAL 14 DAY TO VOLUME 'cold', dt + INTERVAL 400 DAY DELETE
             SETTINGS storage_policy = '${STORAGE_POLICY}'`,
            `INSERT INTO t VALUES (now(), 'fresh'), ('${old}', 'old')`,
            `SELECT id, disk_name AS disk FROM system.parts AS p JOIN t ON t._part = p.name
             WHERE p.table = 't' AND p.active ORDER BY id`,
            'SELECT id FROM t ORDER BY id',
          ],
        },
        {
          LANDFALL_S3_COLD_ENDPOINT: s3.endpoint('prod/'),
          LANDFALL_S3_ACCESS_KEY_ID: S3Server.accessKeyId,
          LANDFALL_S3_SECRET_ACCESS_KEY: S3Server.secretAccessKey,
          LANDFALL_S3_REGION: 'us-east-1',
        },
      );
      expect(policy).toEqual([
        { volume: 'hot', type: 'Local', storage: 'None' },
        { volume: 'cold', type: expect.any(String), storage: 'S3' },
      ]);
      expect(placed).toEqual([
        { id: 'fresh', disk: 'default' },
        { id: 'old', disk: 'cold' },
      ]);
      expect(rows).toEqual([{ id: 'fresh' }, { id: 'old' }]);
      expect((await s3.keys('prod/')).length).toBeGreaterThan(0);
    } finally {
      await s3.dispose();
    }
  });
});
