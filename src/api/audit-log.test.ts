import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier } from '../auth/verify.js';
import { validateConfig } from '../config/load.js';
import { Module, TrainAckSchema, TrainState } from '../gen/landfall/v1/jobs_pb.js';
import { ackStateFields } from '../proto/train-state.js';
import { openStore } from '../store/client.js';
import { migrateStore } from '../store/setup.js';
import { Sink } from '../store/sink.js';
import type { Store } from '../store/types.js';
import { until } from '../testing/until.js';
import { createApiApp } from './app.js';
import { type ApiHarness, apiHarness, publishModels } from './testing.js';

interface AuditView {
  auditId: string;
  subject: string;
  role: string;
  action: string;
  result: string;
  requestId: string;
  params: Record<string, unknown>;
}

describe('commands in audit_log (embedded ClickHouse, the real sink)', () => {
  let home = '';
  let store: Store;
  let sink: Sink;
  let h: ApiHarness;
  let versions: string[] = [];
  let admin = '';
  let viewer = '';
  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'lf-api-audit-'));
    const config = validateConfig({ home });
    store = await openStore(config.store, { home });
    await migrateStore(store, config);
    versions = await publishModels(join(home, 'models'), 'mev', 2);
    h = await apiHarness({ home, store });
    sink = await Sink.start({ bus: h.typed, store, ...config.store.sink, flushMs: 20 });
    admin = `Bearer ${await h.token('admin', 'ada')}`;
    viewer = `Bearer ${await h.token('viewer', 'victor')}`;
  });
  afterAll(async () => {
    await h?.close();
    await sink?.stop();
    await store?.close();
  });

  const post = (url: string, payload: unknown, authorization: string) =>
    h.app.inject({ method: 'POST', url, payload: payload as object, headers: { authorization } });
  const get = (url: string, authorization = admin) =>
    h.app.inject({ method: 'GET', url, headers: { authorization } });

  it('records each command once, with the caller, and pages through the ledger', async () => {
    const started = await post(
      '/api/training/start',
      {
        jobId: 'job-audit-1',
        module: 'MEV',
        range: { start: '2026-11-01T00:00:00Z', end: '2026-11-02T00:00:00Z' },
        params: { maxDepth: 6, nEstimators: 200, learningRate: 0.1 },
      },
      admin,
    );
    expect(started.statusCode).toBe(202);
    // Embedded (in-process bus and chDB): the audit row is stored before the answer.
    expect(started.json()).toEqual({
      ok: true,
      jobId: 'job-audit-1',
      job_id: 'job-audit-1',
      durable: true,
    });
    const control = await post(
      '/api/control',
      {
        action: 'throttle',
        module: 'arb',
        reason: 'landed rate low',
        throttle: { rateFraction: 0.5 },
      },
      admin,
    );
    expect(control.statusCode).toBe(202);
    const rollback = await post('/api/models/mev/rollback', { reason: 'regression' }, admin);
    expect(rollback.statusCode, rollback.body).toBe(200);
    expect(rollback.json()).toMatchObject({ module: 'mev', version: versions[0], live: true });
    const forbidden = await post(
      '/api/control',
      { action: 'kill', module: 'mev', reason: 'x' },
      viewer,
    );
    expect(forbidden.statusCode).toBe(403);
    const rejected = await post('/api/control', { action: 'kill', module: 'mev' }, admin);
    expect(rejected.statusCode).toBe(400);
    expect(rejected.json().error.field).toBe('reason');

    const ids = [started, control, rollback, forbidden, rejected].map((r) =>
      String(r.headers['x-request-id']),
    );
    const records = await until(
      async () => {
        const res = await get('/api/audit?limit=100');
        expect(res.statusCode).toBe(200);
        const all = (res.json() as { records: AuditView[] }).records;
        return all.length >= 5 ? all : undefined;
      },
      'five audit records in audit_log',
      45_000,
      50,
    );
    const byRequest = (id: string) => records.filter((r) => r.requestId === id);
    const expected = [
      ['training.start', 'ok', 'ada'],
      ['control.throttle', 'ok', 'ada'],
      ['model.rollback', 'ok', 'ada'],
      ['control.kill', 'forbidden', 'victor'],
      ['control.kill', 'rejected', 'ada'],
    ];
    for (const [i, [action, result, subject]] of expected.entries()) {
      const mine = byRequest(ids[i] as string);
      expect(mine, `${action} ${result}`).toHaveLength(1);
      expect(mine[0]).toMatchObject({
        action,
        result,
        subject,
        role: subject === 'ada' ? 'admin' : 'viewer',
      });
    }
    expect(byRequest(ids[0] as string)[0]?.params).toMatchObject({
      jobId: 'job-audit-1',
      module: 'MEV',
    });

    // Stored once in the table itself (ReplacingMergeTree on audit_id, read with FINAL).
    const counts = await store.query<{ request_id: string; n: string }>(
      `SELECT request_id, count() AS n FROM ${store.database}.audit_log FINAL
       WHERE request_id IN {ids:Array(String)} GROUP BY request_id`,
      { ids },
    );
    expect(counts.map((c) => Number(c.n))).toEqual([1, 1, 1, 1, 1]);

    // Pages of two, following `next`, give every record exactly once.
    const seen: string[] = [];
    let next: string | null = '';
    while (next !== null) {
      const res = await get(
        `/api/audit?limit=2${next ? `&before=${encodeURIComponent(next)}` : ''}`,
      );
      const page = res.json() as { records: AuditView[]; next: string | null };
      seen.push(...page.records.map((r) => r.auditId));
      next = page.next;
    }
    expect(seen.sort()).toEqual(records.map((r) => r.auditId).sort());

    const bad = await get('/api/audit?limit=0');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('limit');
  });

  it('serves a job from train_acks once stored, newest first, to an API that never saw the acks', async () => {
    for (const [state, progress] of [
      [TrainState.QUEUED, 0],
      [TrainState.RUNNING, 0.5],
    ] as const) {
      await h.typed.publish(
        'train-acks-proto',
        create(TrainAckSchema, {
          jobId: 'job-audit-2',
          ...ackStateFields(state),
          progress,
          module: Module.MEV,
          message: `state ${state}`,
          tsMs: BigInt(Date.now() + state),
        }),
      );
    }
    // The live view of this API shows them before the sink has stored them.
    const live = await h.app.inject({
      method: 'GET',
      url: '/api/training/job-audit-2',
      headers: { authorization: admin },
    });
    expect(live.statusCode).toBe(200);
    await until(
      async () => {
        const [row] = await store.query<{ n: string }>(
          `SELECT count() AS n FROM ${store.database}.train_acks FINAL WHERE job_id = 'job-audit-2'`,
        );
        return Number(row?.n) === 2;
      },
      'acks stored',
      45_000,
      50,
    );
    const fresh = await createApiApp({
      config: h.config,
      bus: h.typed,
      store,
      verifier: await createVerifier(h.config.auth),
      sinkStats: () => sink.stats(),
    });
    try {
      // The sink runs in this process, so /metrics carries its counters.
      const metrics = await fresh.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: viewer },
      });
      const stored = /^landfall_sink_rows_inserted (\d+)$/m.exec(metrics.body)?.[1];
      // At least the five audit records and two acks this file waited for.
      expect(Number(stored)).toBeGreaterThanOrEqual(7);
      const res = await fresh.inject({
        method: 'GET',
        url: '/api/training/job-audit-2',
        headers: { authorization: viewer },
      });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as {
        state: string;
        acks: Array<{ state: string; progress: number; module: string }>;
      };
      expect(body.state).toBe('running');
      expect(body.acks.map((a) => a.state)).toEqual(['running', 'queued']);
      expect(body.acks[0]).toMatchObject({ progress: 0.5, module: 'mev' });
      const list = await fresh.inject({
        method: 'GET',
        url: '/api/training',
        headers: { authorization: viewer },
      });
      expect(list.json().jobs).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ jobId: 'job-audit-2', state: 'running' }),
        ]),
      );
      const missing = await fresh.inject({
        method: 'GET',
        url: '/api/training/no-such-job',
        headers: { authorization: viewer },
      });
      expect(missing.statusCode).toBe(404);
    } finally {
      await fresh.close();
    }
  });
});
