import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load.js';
import { openStore } from '../store/client.js';
import { LandfallProcess } from '../testing/landfall-process.js';

describe('landfall up', () => {
  it('runs on the embedded defaults with no config and no servers, then stops cleanly', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lf-up-'));
    const up = new LandfallProcess(
      ['up', '--for', '3', '--warm-minutes', '5'],
      { LANDFALL_LOG__LEVEL: 'warn', LANDFALL_API__PORT: '0' },
      cwd,
    );
    const { code } = await up.exited;
    expect(code, up.logs.map((l) => JSON.stringify(l)).join('\n')).toBe(0);
    expect(up.stdout).toContain('config embedded defaults');
    expect(up.stdout).toContain('bus    memory (in-process)');
    expect(up.stdout).toContain(`store  chDB at ${join(cwd, '.landfall', 'clickhouse')}`);
    expect(up.stdout).toMatch(/stopped: \d+ rows stored/);
    expect(up.stdout).toMatch(/warm start 5 simulated minutes \(ending now\) in [\d.]+ s/);

    // What the paper agents published is in ClickHouse, stamped with wall-clock time (not the
    // backtest start date, which the delete TTL would remove at once): the warm start's five
    // minutes end now.
    const home = join(cwd, '.landfall');
    const store = await openStore(validateConfig({ home }).store, { home });
    try {
      const [row] = await store.query<{ n: string; oldest_s: string }>(
        `SELECT count() AS n, dateDiff('second', min(dt), now64(3)) AS oldest_s
         FROM ${store.database}.metrics FINAL`,
      );
      expect(Number(row?.n)).toBeGreaterThan(0);
      expect(Number(row?.oldest_s)).toBeLessThan(3600);
      expect(Number(row?.oldest_s)).toBeGreaterThanOrEqual(4 * 60);
    } finally {
      await store.close();
    }
  });

  it('refuses an invalid configuration with the path and the reason, exit 1', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lf-up-'));
    const up = new LandfallProcess(['up'], { LANDFALL_BUS__KIND: 'rabbitmq' }, cwd);
    const { code } = await up.exited;
    expect(code).toBe(1);
    expect(up.logs.map((l) => l.msg).join('\n')).toContain(
      'landfall: LF_CONFIG_INVALID: invalid config: bus.kind: expected one of memory|nats|kafka, got "rabbitmq"',
    );
  });
});
