import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { loadConfig } from '../config/load.js';
import { storeContract } from './contract.js';

// Runs against a real server when CLICKHOUSE_URL (and CLICKHOUSE_USER/PASSWORD) are set, in a
// database of its own that it drops afterwards.
const url = process.env.CLICKHOUSE_URL;

storeContract({
  name: 'server',
  skip: url
    ? undefined
    : 'CLICKHOUSE_URL is not set (point it at a ClickHouse server to run this suite)',
  config: () =>
    loadConfig({
      cwd: tmpdir(),
      overrides: {
        home: tmpdir(),
        store: { kind: 'server', database: `landfall_test_${randomUUID().slice(0, 8)}` },
      },
    }).config,
});
