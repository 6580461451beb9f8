import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activate, liveVersion } from '../model/registry.js';
import { type ApiHarness, apiHarness, publishModels } from './testing.js';

/** A candidate made live by hand, and a rollback: each audited with both versions and figures. */
describe('POST /api/models/:module/promote', () => {
  const home = mkdtempSync(join(tmpdir(), 'lf-api-promote-'));
  const dir = join(home, 'models');
  let h: ApiHarness;
  let versions: string[];

  beforeAll(async () => {
    h = await apiHarness({
      home,
      overrides: {
        train: {
          schedule: [{ id: 'arb-daily', module: 'arb', cron: '0 6 * * *', windowMs: 86_400_000 }],
        },
      },
    });
    versions = await publishModels(dir, 'arb', 2);
    // The first is live, the second a candidate (as a refused training leaves it).
    activate(dir, 'arb', versions[0] as string);
  });
  afterAll(async () => {
    await h.close();
    rmSync(home, { recursive: true, force: true });
  });

  const post = async (url: string, payload: object, role: 'admin' | 'viewer' = 'admin') =>
    h.app.inject({
      method: 'POST',
      url,
      payload,
      headers: { authorization: `Bearer ${await h.token(role, 'ada')}` },
    });

  it('lists the candidate, promotes it for an admin, and audits the figures', async () => {
    const [live, candidate] = versions as [string, string];
    const list = await h.app.inject({
      url: '/api/models',
      headers: { authorization: `Bearer ${await h.token('viewer')}` },
    });
    const arb = list.json().modules.arb as Array<{ version: string; state: string }>;
    expect(arb.map((m) => [m.version, m.state])).toEqual([
      [candidate, 'candidate'],
      [live, 'live'],
    ]);

    const res = await post('/api/models/arb/promote', { version: candidate, reason: 'by hand' });
    expect(res.statusCode, res.body).toBe(200);
    expect(liveVersion(dir, 'arb')).toBe(candidate);
    const audit = h.bus.audits().at(-1);
    expect(audit).toMatchObject({ action: 'model.promote', result: 'ok', subject: 'ada' });
    expect(JSON.parse(audit?.paramsJson ?? '{}')).toMatchObject({
      module: 'arb',
      version: candidate,
      previous: live,
      reason: 'by hand',
      figures: expect.any(Object),
    });
    expect(audit?.detail).toContain(`arb model ${candidate} promoted by hand (was ${live})`);

    const back = await post('/api/models/arb/rollback', { reason: 'regressed' });
    expect(back.statusCode, back.body).toBe(200);
    expect(liveVersion(dir, 'arb')).toBe(live);
    expect(h.bus.audits().at(-1)?.detail).toContain(`rolled back from ${candidate}`);
  });

  it('refuses an unknown version (404, audited as rejected) and a viewer (403)', async () => {
    const missing = await post('/api/models/arb/promote', { version: 'ffff0000', reason: 'x' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('LF_MODEL_NOT_FOUND');
    expect(h.bus.audits().at(-1)).toMatchObject({ action: 'model.promote', result: 'rejected' });
    const viewer = await post(
      '/api/models/arb/promote',
      { version: versions[1], reason: 'x' },
      'viewer',
    );
    expect(viewer.statusCode).toBe(403);
    expect(liveVersion(dir, 'arb')).toBe(versions[0]);
  });

  it('shows the training schedules with the next window each requests', async () => {
    const res = await h.app.inject({
      url: '/api/training/schedule',
      headers: { authorization: `Bearer ${await h.token('viewer')}` },
    });
    expect(res.statusCode).toBe(200);
    const [s] = res.json().schedules;
    expect(s).toMatchObject({ id: 'arb-daily', module: 'arb', cron: '0 6 * * *' });
    const end = Date.parse(s.next.end);
    expect(new Date(end).toISOString()).toMatch(/T06:00:00\.000Z$/);
    expect(s.next.jobId).toBe(`sched-arb-daily-${end}`);
    expect(Date.parse(s.next.start)).toBe(end - 86_400_000);
    const anonymous = await h.app.inject({ url: '/api/training/schedule' });
    expect(anonymous.statusCode).toBe(401);
  });
});
