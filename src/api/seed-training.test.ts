import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../bus/contract.js';
import { TrainState } from '../gen/landfall/v1/jobs_pb.js';
import { ackState } from '../proto/train-state.js';
import { type DispatchHarness, startDispatch } from '../train/testing/dispatch-harness.js';
import { type ApiHarness, apiHarness, TEST_SECRET } from './testing.js';

/** A token as the seed minted them: `roles` an array, no scalar `role`. */
function seedToken(roles: string[], subject = 'seed-dashboard'): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ roles })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(subject)
    .setIssuer('landfall')
    .setAudience('landfall-api')
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(new TextEncoder().encode(TEST_SECRET));
}

// The seed's REST body, as its Python dashboard sent it: no hyper-parameters, dates for bounds.
const SEED_BODY = {
  module: 'mev',
  range: { start: '2026-11-01', end: '2026-11-03' },
  features: 'default',
  model: 'xgb',
  params: {},
  gpu: true,
  output: 'models',
};

describe("POST /api/training/start with the seed's body and token", () => {
  let home: string;
  let h: ApiHarness;
  let d: DispatchHarness;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'lf-seed-api-'));
    h = await apiHarness({ home, overrides: { train: { queueName: 'seed-api' } } });
    d = await startDispatch(h.typed, h.config);
  });
  afterAll(async () => {
    await d?.close();
    await h?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it("answers 202 as the seed did, and the job runs with the seed's defaults", async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/training/start',
      payload: SEED_BODY,
      headers: { authorization: `Bearer ${await seedToken(['admin'])}` },
    });
    expect(res.statusCode).toBe(202);
    const body = res.json() as { ok: boolean; job_id: string; jobId: string };
    expect(body.ok).toBe(true);
    expect(body.job_id).toMatch(
      /^train-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(body.jobId).toBe(body.job_id);

    expect(await eventually(() => d.jobs.some((j) => j.jobId === body.job_id))).toBe(true);
    expect(d.jobs.find((j) => j.jobId === body.job_id)).toMatchObject({
      module: 'mev',
      maxDepth: 8,
      nEstimators: 600,
      learningRate: 0.08,
      gpu: true,
      featureSet: 'default',
      issuer: 'seed-dashboard',
      startMs: Date.UTC(2026, 10, 1),
      endMs: Date.UTC(2026, 10, 3),
    });
    const queued = d.acks.find((a) => a.jobId === body.job_id);
    expect(queued && ackState(queued)).toBe(TrainState.QUEUED);
    expect(queued?.state).toBe('queued');
    expect(queued?.message).toMatch(/dates read as UTC midnight/);
    // The audit ledger records the subject and the role the seed's roles array granted.
    expect(h.bus.audits().at(-1)).toMatchObject({
      subject: 'seed-dashboard',
      role: 'admin',
      result: 'ok',
    });
  });

  it("takes the seed's parameters, snake_case, and Landfall's body beside it", async () => {
    const admin = { authorization: `Bearer ${await seedToken(['admin'])}` };
    const seed = await h.app.inject({
      method: 'POST',
      url: '/api/training/start',
      payload: {
        ...SEED_BODY,
        job_id: 'seed-explicit',
        features: { name: 'extended', exclude: ['leader_slots_left'] },
        params: { max_depth: 4, n_estimators: 50, learning_rate: 0.3 },
        gpu: false,
      },
      headers: admin,
    });
    expect(seed.statusCode).toBe(202);
    expect(seed.json()).toMatchObject({ ok: true, job_id: 'seed-explicit' });
    const landfall = await h.app.inject({
      method: 'POST',
      url: '/api/training/start',
      payload: { module: 'ARBITRAGE', range: { start: '2026-11-01', end: '2026-11-02' } },
      headers: admin,
    });
    expect(landfall.statusCode).toBe(202);
    expect(landfall.json().jobId).toMatch(/^train-/);
    const ids = ['seed-explicit', landfall.json().jobId as string];
    expect(await eventually(() => ids.every((id) => d.jobs.some((j) => j.jobId === id)))).toBe(
      true,
    );
    expect(d.jobs.find((j) => j.jobId === 'seed-explicit')).toMatchObject({
      maxDepth: 4,
      nEstimators: 50,
      learningRate: 0.3,
      gpu: false,
      featureSet: 'extended',
    });
    // Landfall's own body with nothing set gets the same defaults.
    expect(d.jobs.find((j) => j.jobId === ids[1])).toMatchObject({
      module: 'arb',
      maxDepth: 8,
      nEstimators: 600,
      learningRate: 0.08,
    });
  });

  it('names the field at fault in a seed body, as in a Landfall one', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/training/start',
      payload: { ...SEED_BODY, params: { max_depth: 4, maxDepth: 4 } },
      headers: { authorization: `Bearer ${await seedToken(['admin'])}` },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe('params.maxDepth');
    const viewer = await h.app.inject({
      method: 'POST',
      url: '/api/training/start',
      payload: SEED_BODY,
      headers: { authorization: `Bearer ${await seedToken(['viewer'])}` },
    });
    expect(viewer.statusCode).toBe(403);
  });
});
