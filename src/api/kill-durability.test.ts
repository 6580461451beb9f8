import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mintToken } from '../auth/mint.js';
import { validateConfig } from '../config/load.js';
import { openStore } from '../store/client.js';
import { LandfallProcess } from '../testing/landfall-process.js';
import { freePort } from '../testing/servers.js';
import { until } from '../testing/until.js';
import { TEST_SECRET } from './testing.js';

describe('embedded `landfall api` killed with SIGKILL', () => {
  it('keeps every command it answered 202, and its audit row', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lf-api-kill-'));
    const port = await freePort();
    // Defaults: in-process bus and chDB, and no sink in this process.
    const p = new LandfallProcess(
      ['api'],
      {
        LANDFALL_JWT_SECRET: TEST_SECRET,
        LANDFALL_API__PORT: String(port),
        LANDFALL_LOG__LEVEL: 'warn',
      },
      cwd,
    );
    const answered: string[] = [];
    try {
      await until(
        async () => p.stdout.includes('landfall api: http') || p.child.exitCode !== null,
        'the api to listen',
        60_000,
      );
      const config = validateConfig({ auth: { hmacSecret: TEST_SECRET } });
      const token = await mintToken(config.auth, {
        role: 'admin',
        subject: 'kill9',
        ttlSeconds: 600,
      });
      for (let i = 0; i < 40; i++) {
        const res = await fetch(`http://127.0.0.1:${port}/api/control`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ action: 'kill', module: 'arb', reason: `kill -9 test ${i}` }),
        });
        expect(res.status).toBe(202);
        const body = (await res.json()) as { commandId: string; durable: boolean };
        expect(body.durable).toBe(true);
        answered.push(body.commandId);
      }
    } finally {
      p.child.kill('SIGKILL');
      await p.exited;
    }
    const config = validateConfig({ home: join(cwd, '.landfall') });
    const store = await openStore(config.store, { home: config.home });
    try {
      const commands = await store.query<{ command_id: string }>(
        `SELECT DISTINCT command_id FROM ${store.database}.control_commands WHERE issuer = 'kill9'`,
      );
      expect(commands.map((c) => c.command_id).sort()).toEqual([...answered].sort());
      const audits = await store.query<{ detail: string }>(
        `SELECT DISTINCT detail FROM ${store.database}.audit_log
         WHERE subject = 'kill9' AND action = 'control.kill' AND result = 'ok'`,
      );
      expect(audits.map((a) => a.detail).sort()).toEqual(
        answered.map((id) => `command ${id}`).sort(),
      );
    } finally {
      await store.close();
    }
  });
});
