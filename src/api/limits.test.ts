import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, apiHarness } from './testing.js';

const kill = { action: 'kill', module: 'mev', reason: 'limits test' };

describe('limits, routing and errors', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness({
      overrides: {
        api: { port: 0, bodyLimitBytes: 2048, writeRateLimit: { max: 3, windowMs: 3_600_000 } },
      },
    });
  });
  afterAll(() => h.close());

  it('limits writes per token: the fourth write of a token is 429, another token still writes', async () => {
    const first = `Bearer ${await h.token('admin', 'busy')}`;
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/control',
        payload: kill,
        headers: { authorization: first },
      });
      codes.push(res.statusCode);
    }
    expect(codes).toEqual([202, 202, 202, 429]);
    // The budget is shared by every write route.
    const other = await h.app.inject({
      method: 'POST',
      url: '/api/models/arb/rollback',
      payload: { reason: 'r' },
      headers: { authorization: first },
    });
    expect(other.statusCode).toBe(429);
    const limited = await h.app.inject({
      method: 'POST',
      url: '/api/control',
      payload: kill,
      headers: { authorization: first },
    });
    expect(limited.json().error.code).toBe('LF_API_RATE_LIMITED');
    // Reads are not limited.
    const read = await h.app.inject({
      method: 'GET',
      url: '/api/status',
      headers: { authorization: first },
    });
    expect(read.statusCode).toBe(200);
    const second = `Bearer ${await h.token('admin', 'busy')}`;
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/control',
      payload: kill,
      headers: { authorization: second },
    });
    expect(res.statusCode).toBe(202);
  });

  it('refuses a body over api.bodyLimitBytes with 413, a non-JSON body with 415, and audits both', async () => {
    const admin = `Bearer ${await h.token('admin', 'big')}`;
    const before = h.bus.count('control-proto');
    const big = await h.app.inject({
      method: 'POST',
      url: '/api/control',
      payload: { ...kill, reason: 'x'.repeat(4096) },
      headers: { authorization: admin },
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('LF_API_BODY_TOO_LARGE');
    const form = await h.app.inject({
      method: 'POST',
      url: '/api/control',
      payload: 'action=kill',
      headers: { authorization: admin, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.statusCode).toBe(415);
    expect(h.bus.count('control-proto')).toBe(before);
    const audits = h.bus.audits().filter((a) => a.subject === 'big');
    expect(audits.map((a) => [a.action, a.result])).toEqual([
      ['control', 'rejected'],
      ['control', 'rejected'],
    ]);
  });

  it('answers unknown routes and methods with 404 in the error shape, and echoes a request id', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: '/api/nothing-here',
      headers: { 'x-request-id': 'req-42' },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: {
        code: 'LF_API_NOT_FOUND',
        message: 'no route GET /api/nothing-here',
        requestId: 'req-42',
      },
    });
    expect(res.headers['x-request-id']).toBe('req-42');
    const del = await h.app.inject({ method: 'DELETE', url: '/api/control' });
    expect(del.statusCode).toBe(404);
  });

  it('names the field at fault in a 400', async () => {
    const cases: Array<[string, object, string]> = [
      ['/api/control', { ...kill, action: 'explode' }, 'action'],
      ['/api/control', { action: 'throttle', module: 'arb', reason: 'r' }, 'throttle'],
      [
        '/api/control',
        { action: 'throttle', module: 'arb', reason: 'r', throttle: { rateFraction: 2 } },
        'throttle.rateFraction',
      ],
      ['/api/control', { ...kill, surprise: 1 }, 'surprise'],
      ['/api/training/start', { module: 'MEV' }, 'range'],
      [
        '/api/training/start',
        { module: 'MEV', range: { start: 'a', end: 'b' }, params: { maxDepth: 1.5 } },
        'params.maxDepth',
      ],
      [
        '/api/training/start',
        { module: 'MEV', range: { start: 'a', end: 'b' }, issuer: 'someone-else' },
        'issuer',
      ],
    ];
    const poisoned = await h.app.inject({
      method: 'POST',
      url: '/api/control',
      payload: '{"action":"kill","module":"mev","reason":"r","__proto__":{"admin":true}}',
      headers: {
        authorization: `Bearer ${await h.token('admin', 'fields')}`,
        'content-type': 'application/json',
      },
    });
    expect(poisoned.statusCode).toBe(400);
    const query = await h.app.inject({
      method: 'GET',
      url: '/api/training?limit=many',
      headers: { authorization: `Bearer ${await h.token('viewer')}` },
    });
    expect(query.statusCode).toBe(400);
    expect(query.json().error).toMatchObject({
      field: 'limit',
      message: expect.stringContaining('invalid query'),
    });
    for (const [url, payload, field] of cases) {
      // A token per request: this app allows three writes per token.
      const admin = `Bearer ${await h.token('admin', 'fields')}`;
      const res = await h.app.inject({
        method: 'POST',
        url,
        payload,
        headers: { authorization: admin },
      });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.field, JSON.stringify(payload)).toBe(field);
    }
  });
});
