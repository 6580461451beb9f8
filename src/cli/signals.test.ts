import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TS_CHILD_ARGS } from '../testing/ts-child.js';

const at = (rel: string) => JSON.stringify(fileURLToPath(new URL(rel, import.meta.url)));

describe('a stop that outlasts its drain', () => {
  it('exits 1 with its last line even while chDB is inserting (process.exit crashed in its destructors)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'lf-abandon-'));
    // Three insert loops keep the engine busy on its own threads when the bound runs out.
    const entry = `
      const { openStore } = await import(${at('../store/client.ts')});
      const { migrateStore } = await import(${at('../store/setup.ts')});
      const { validateConfig } = await import(${at('../config/load.ts')});
      const { createLogger } = await import(${at('../log.ts')});
      const { installFatalSignalHandler } = await import(${at('../ops/fatal-signal.ts')});
      const { boundStop } = await import(${at('./signals.ts')});
      const config = validateConfig({ home: ${JSON.stringify(home)} });
      const store = await openStore(config.store, { home: ${JSON.stringify(home)} });
      await migrateStore(store, config);
      const log = createLogger('info', 'abandon-test');
      installFatalSignalHandler(log);
      let n = 0;
      const loop = async () => {
        for (;;) {
          const rows = Array.from({ length: 2000 }, () => ({ opportunity_id: 'x' + n++, dt: Date.now(), module: 'ARBITRAGE' }));
          await store.insert('arb_opportunities', rows);
        }
      };
      void loop(); void loop(); void loop();
      setTimeout(() => boundStop(log, 'test', 0.3), 1500);
    `;
    const child = spawn(process.execPath, [...TS_CHILD_ARGS, '--input-type=module', '-e', entry], {
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const bound = setTimeout(() => child.kill('SIGKILL'), 45_000);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.once('close', (c, s) => resolve([c, s])),
    );
    clearTimeout(bound);
    const lines = stderr.trim().split('\n');
    expect({ code, signal }, stderr).toEqual({ code: 1, signal: null });
    expect(JSON.parse(lines.at(-1) ?? '{}')).toMatchObject({
      level: 50,
      name: 'abandon-test',
      pid: child.pid,
      why: 'drain took longer than 0.3 s',
      msg: 'test stopping without a full drain; unacknowledged messages will be redelivered',
    });
    expect(stderr).not.toMatch(/fatal signal/);
  }, 60_000);
});
