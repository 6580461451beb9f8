import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paramsJson } from '../audit/ledger.js';
import { until } from '../testing/until.js';
import { jsonDepth } from './json-limits.js';
import { type ApiHarness, apiHarness } from './testing.js';

/** `{"a":{"a":…}}` `depth` levels deep, as text (building the value would be the problem). */
function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

describe('JSON bodies are bounded before anything walks them', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    // A body limit that lets a 20,000-level body through, so the depth limit is what refuses it.
    h = await apiHarness({
      overrides: { api: { port: 0, bodyLimitBytes: 1_048_576, bodyMaxDepth: 32 } },
    });
  });
  afterAll(() => h.close());

  it('refuses a body nested 20,000 deep with 400 naming the limit, from admin and viewer, and audits both', async () => {
    const body = nested(20_000);
    for (const [role, subject] of [
      ['viewer', 'deep-viewer'],
      ['admin', 'deep-admin'],
    ] as const) {
      for (const url of ['/api/control', '/api/training/start', '/api/models/arb/rollback']) {
        const res = await h.app.inject({
          method: 'POST',
          url,
          payload: body,
          headers: {
            authorization: `Bearer ${await h.token(role, subject)}`,
            'content-type': 'application/json',
          },
        });
        expect(res.statusCode, `${role} ${url}: ${res.body}`).toBe(400);
        expect(res.json().error.code).toBe('LF_API_INVALID_BODY');
        expect(res.json().error.message).toContain('api.bodyMaxDepth');
      }
      const audits = h.bus.audits().filter((a) => a.subject === subject);
      expect(audits.map((a) => [a.action, a.result])).toEqual([
        ['control', 'rejected'],
        ['training.start', 'rejected'],
        ['model.rollback', 'rejected'],
      ]);
      // A summary of what was sent, never the body.
      for (const a of audits) {
        expect(a.paramsJson.length).toBeLessThan(200);
        expect(JSON.parse(a.paramsJson)).toEqual({
          body: { contentType: 'application/json', bytes: body.length },
        });
      }
    }
    expect(h.bus.count('control-proto')).toBe(0);
  });

  it('accepts a body at the depth limit, and counts brackets inside strings as text', async () => {
    expect(jsonDepth(nested(32))).toBe(32);
    expect(jsonDepth('{"reason":"[[[[{{{{\\"[[["}')).toBe(1);
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/control',
      payload: {
        action: 'kill',
        module: 'arb',
        reason: `${'['.repeat(100)} \\" ${'{'.repeat(100)}`,
      },
      headers: { authorization: `Bearer ${await h.token('admin', 'brackets')}` },
    });
    expect(res.statusCode, res.body).toBe(202);
  });

  it('keeps at most a bounded summary of any parameters in an audit record', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = { a: deep };
    const text = paramsJson({ deep, long: 'x'.repeat(100_000), many: Array(10_000).fill(1) });
    expect(text.length).toBeLessThan(6_000);
    expect(() => JSON.parse(text)).not.toThrow();
    expect(paramsJson({ module: 'arb', n: 7n })).toBe('{"module":"arb","n":"7"}');
  });

  it('answers a text/plain (or any non-JSON) body with 415 LF_API_UNSUPPORTED_MEDIA, audited', async () => {
    for (const contentType of ['text/plain', 'text/plain; charset=utf-8', 'application/xml']) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/control',
        payload: '{"action":"kill","module":"arb","reason":"r"}',
        headers: {
          authorization: `Bearer ${await h.token('admin', 'plain')}`,
          'content-type': contentType,
        },
      });
      expect(res.statusCode, `${contentType}: ${res.body}`).toBe(415);
      expect(res.json().error.code).toBe('LF_API_UNSUPPORTED_MEDIA');
    }
    const audits = h.bus.audits().filter((a) => a.subject === 'plain');
    expect(audits.map((a) => a.result)).toEqual(['rejected', 'rejected', 'rejected']);
  });
});

describe('refused bodies spend the write budget', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness({
      overrides: {
        api: {
          port: 0,
          bodyLimitBytes: 1_048_576,
          writeRateLimit: { max: 5, windowMs: 3_600_000 },
        },
      },
    });
  });
  afterAll(() => h.close());

  it('a flood of too-deep bodies from one token is rate limited, and audited a bounded number of times', async () => {
    const authorization = `Bearer ${await h.token('viewer', 'deep-flood')}`;
    const codes: number[] = [];
    for (let i = 0; i < 50; i++) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/control',
        payload: nested(20_000),
        headers: { authorization, 'content-type': 'application/json' },
      });
      codes.push(res.statusCode);
    }
    expect(codes.filter((c) => c === 400)).toHaveLength(5);
    expect(codes.filter((c) => c === 429)).toHaveLength(45);
    // Five refusals, then one record for the rate-limit episode (published without waiting).
    const mine = () => h.bus.audits().filter((a) => a.subject === 'deep-flood');
    await until(() => mine().length >= 6, 'the episode record');
    expect(mine().map((a) => a.result)).toEqual([...Array(6).fill('rejected')]);
    expect(mine()).toHaveLength(6);
  });
});
