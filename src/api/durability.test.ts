import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load.js';
import { openStore } from '../store/client.js';
import { migrateStore } from '../store/setup.js';
import type { Store } from '../store/types.js';
import { type ApiHarness, apiHarness } from './testing.js';

describe('embedded mode: a write answered 202 is already stored', () => {
  let store: Store;
  let h: ApiHarness;
  beforeAll(async () => {
    const home = mkdtempSync(join(tmpdir(), 'lf-api-durable-'));
    const config = validateConfig({ home });
    store = await openStore(config.store, { home });
    await migrateStore(store, config);
    // An in-process bus and chDB, and deliberately no sink: nothing copies the bus to the store.
    h = await apiHarness({ home, store });
  });
  afterAll(async () => {
    await h?.close();
    await store?.close();
  });

  it('stores the command and its audit row before answering, and says so', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/control',
      payload: { action: 'kill', module: 'mev', reason: 'durability' },
      headers: {
        authorization: `Bearer ${await h.token('admin', 'durable-ada')}`,
        'x-request-id': 'req-durable-1',
      },
    });
    expect(res.statusCode, res.body).toBe(202);
    const { commandId, durable } = res.json() as { commandId: string; durable: boolean };
    expect(durable).toBe(true);
    // Queried at once, no waiting: a kill -9 now would lose neither.
    const commands = await store.query<{ issuer: string }>(
      `SELECT issuer FROM ${store.database}.control_commands WHERE command_id = {id:String}`,
      { id: commandId },
    );
    expect(commands).toEqual([{ issuer: 'durable-ada' }]);
    const audits = await store.query<{ action: string; result: string; detail: string }>(
      `SELECT action, result, detail FROM ${store.database}.audit_log WHERE request_id = {id:String}`,
      { id: 'req-durable-1' },
    );
    expect(audits).toEqual([
      { action: 'control.kill', result: 'ok', detail: `command ${commandId}` },
    ]);
  });

  it('stores refused writes too, before the refusal is answered', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/training/start',
      payload: { module: 'MEV' },
      headers: {
        authorization: `Bearer ${await h.token('viewer', 'durable-victor')}`,
        'x-request-id': 'req-durable-2',
      },
    });
    expect(res.statusCode).toBe(403);
    const audits = await store.query<{ result: string }>(
      `SELECT result FROM ${store.database}.audit_log WHERE request_id = {id:String}`,
      { id: 'req-durable-2' },
    );
    expect(audits).toEqual([{ result: 'forbidden' }]);
  });
});
