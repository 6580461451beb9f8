import { create } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlAction } from '../gen/landfall/v1/control_pb.js';
import { Module } from '../gen/landfall/v1/jobs_pb.js';
import { SloStateSchema } from '../gen/landfall/v1/realtime_pb.js';
import { until } from '../testing/until.js';
import { type ApiHarness, apiHarness } from './testing.js';

const range = { start: '2026-11-01T00:00:00Z', end: '2026-11-02T00:00:00Z' };

describe('risky actions are refused while the SLO is violated', () => {
  let h: ApiHarness;
  let admin = '';
  beforeAll(async () => {
    h = await apiHarness();
    admin = `Bearer ${await h.token('admin', 'slo-op')}`;
    // The guard has throttled arb for a violated SLO; mev is healthy.
    await reportSlo('landed 41% < 70%', ControlAction.THROTTLE, (arb) => arb?.violated === true);
  });
  afterAll(() => h.close());

  /** The guard reports arb violated after `lastAction`; resolves once the API's view shows it. */
  async function reportSlo(
    reason: string,
    lastAction: ControlAction,
    seen: (arb: { violated?: boolean; lastAction?: string } | undefined) => boolean,
  ): Promise<void> {
    await h.typed.publish(
      'slo-proto',
      create(SloStateSchema, {
        module: Module.ARBITRAGE,
        violated: true,
        reason,
        lastAction,
        tsMs: BigInt(Date.now()),
      }),
    );
    await until(async () => {
      const res = await h.app.inject({
        method: 'GET',
        url: '/api/status',
        headers: { authorization: admin },
      });
      return seen(res.json().slo.arb);
    }, `the API's view of arb's SLO (${reason})`);
  }

  const post = (url: string, payload: object) =>
    h.app.inject({ method: 'POST', url, payload, headers: { authorization: admin } });

  it('refuses lifting the throttle and starting training for the violated module with 409, audited', async () => {
    const cases: Array<[string, object]> = [
      ['/api/control', { action: 'resume', module: 'arb', reason: 'lift it' }],
      [
        '/api/control',
        { action: 'throttle', module: 'arb', reason: 'full rate', throttle: { rateFraction: 1 } },
      ],
      ['/api/training/start', { module: 'ARBITRAGE', range }],
    ];
    for (const [url, body] of cases) {
      const res = await post(url, body);
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json().error.code).toBe('LF_API_SLO_VIOLATED');
      expect(res.json().error.message).toContain('landed 41% < 70%');
    }
    expect(h.bus.count('control-proto')).toBe(0);
    expect(h.bus.count('train-requests-proto')).toBe(0);
    const audits = h.bus.audits().filter((a) => a.subject === 'slo-op');
    expect(audits.map((a) => [a.action, a.result])).toEqual([
      ['control.resume', 'rejected'],
      ['control.throttle', 'rejected'],
      ['training.start', 'rejected'],
    ]);
    expect(audits[0]?.detail).toContain('SLO is violated');
  });

  it('still allows kill, a tighter throttle, and anything on the healthy module', async () => {
    const allowed: Array<[string, object]> = [
      ['/api/control', { action: 'kill', module: 'arb', reason: 'stop it' }],
      [
        '/api/control',
        { action: 'throttle', module: 'arb', reason: 'slower', throttle: { rateFraction: 0.2 } },
      ],
      ['/api/control', { action: 'resume', module: 'mev', reason: 'healthy' }],
      ['/api/training/start', { module: 'MEV', range }],
    ];
    for (const [url, body] of allowed) {
      const res = await post(url, body);
      expect(res.statusCode, res.body).toBe(202);
    }
  });

  it('allows a resume after a kill: the operator who stopped a module decides when it runs', async () => {
    await reportSlo('negative EV 3%', ControlAction.KILL, (arb) => arb?.lastAction === 'kill');
    const res = await post('/api/control', { action: 'resume', module: 'arb', reason: 'fixed' });
    expect(res.statusCode, res.body).toBe(202);
  });
});
