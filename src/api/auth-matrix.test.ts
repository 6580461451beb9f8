import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, apiHarness, TEST_SECRET } from './testing.js';

const now = () => Math.floor(Date.now() / 1000);
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const hs = new TextEncoder().encode(TEST_SECRET);

function claims(overrides: Record<string, unknown> = {}) {
  return {
    role: 'admin',
    sub: 'mallory',
    iss: 'landfall',
    aud: 'landfall-api',
    exp: now() + 600,
    ...overrides,
  };
}

const sign = (payload: object, key: Parameters<SignJWT['sign']>[0], alg: string) =>
  new SignJWT({ ...payload }).setProtectedHeader({ alg }).sign(key);

/** Every write endpoint, with a body it would accept from an admin. */
const writes = [
  {
    url: '/api/control',
    body: { action: 'kill', module: 'mev', reason: 'auth matrix' },
    topic: 'control-proto',
  },
  {
    url: '/api/training/start',
    body: { module: 'MEV', range: { start: '2026-11-01T00:00:00Z', end: '2026-11-02T00:00:00Z' } },
    topic: 'train-requests-proto',
  },
  { url: '/api/models/arb/rollback', body: { reason: 'auth matrix' }, topic: undefined },
  {
    url: '/api/models/arb/promote',
    body: { version: 'abcd', reason: 'auth matrix' },
    topic: undefined,
  },
] as const;

/** POSTs a kill with `token`: the status is `status`, and a command is sent only on 202. */
async function controlWith(h: ApiHarness, token: string, status: number) {
  const before = h.bus.count('control-proto');
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/control',
    payload: writes[0].body,
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.statusCode).toBe(status);
  expect(h.bus.count('control-proto') - before).toBe(status === 202 ? 1 : 0);
  return res;
}

const other = generateKeyPairSync('ed25519');
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

/** Bad credentials and the reason the 401 must give. */
const unauthenticated: Array<[string, () => Promise<string | undefined>, RegExp]> = [
  ['missing token', async () => undefined, /missing Authorization/],
  ['non-Bearer scheme', async () => `Basic ${Buffer.from('a:b').toString('base64')}`, /Bearer/],
  ['malformed token', async () => 'Bearer abc.def', /malformed/],
  [
    'alg none',
    async () => `Bearer ${b64({ alg: 'none' })}.${b64(claims())}.`,
    /not allowed|malformed/,
  ],
  [
    'wrong key',
    async () => `Bearer ${await sign(claims(), other.privateKey, 'EdDSA')}`,
    /not allowed/,
  ],
  [
    'wrong secret',
    async () =>
      `Bearer ${await sign(claims(), new TextEncoder().encode(`${TEST_SECRET}!`), 'HS256')}`,
    /bad signature/,
  ],
  [
    'RS256 token against an HS key',
    async () => `Bearer ${await sign(claims(), rsa.privateKey, 'RS256')}`,
    /not allowed/,
  ],
  [
    'expired',
    async () => `Bearer ${await sign(claims({ exp: now() - 3600 }), hs, 'HS256')}`,
    /expired/,
  ],
  [
    'not yet valid',
    async () => `Bearer ${await sign(claims({ nbf: now() + 3600 }), hs, 'HS256')}`,
    /not yet valid/,
  ],
  [
    'wrong issuer',
    async () => `Bearer ${await sign(claims({ iss: 'someone-else' }), hs, 'HS256')}`,
    /wrong issuer/,
  ],
  [
    'wrong audience',
    async () => `Bearer ${await sign(claims({ aud: 'another-api' }), hs, 'HS256')}`,
    /wrong audience/,
  ],
];

describe('auth matrix on an HS256 secret', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness();
  });
  afterAll(() => h.close());

  for (const write of writes) {
    for (const [name, header, reason] of unauthenticated) {
      it(`POST ${write.url}: ${name} → 401, nothing published, nothing audited`, async () => {
        const before = h.bus.published.length;
        const authorization = await header();
        const res = await h.app.inject({
          method: 'POST',
          url: write.url,
          payload: write.body,
          ...(authorization === undefined ? {} : { headers: { authorization } }),
        });
        expect(res.statusCode).toBe(401);
        expect(res.json().error.code).toBe('LF_AUTH_UNAUTHENTICATED');
        expect(res.json().error.message).toMatch(reason);
        expect(h.bus.published.slice(before)).toEqual([]);
      });
    }

    it(`POST ${write.url}: viewer → 403, one 'forbidden' audit record, no command`, async () => {
      const before = h.bus.published.length;
      const res = await h.app.inject({
        method: 'POST',
        url: write.url,
        payload: write.body,
        headers: { authorization: `Bearer ${await h.token('viewer', 'victor')}` },
      });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('LF_AUTH_FORBIDDEN');
      const published = h.bus.published.slice(before);
      expect(published.map((p) => p.topic)).toEqual(['audit-proto']);
      const [audit] = h.bus.audits().slice(-1);
      expect(audit).toMatchObject({ subject: 'victor', role: 'viewer', result: 'forbidden' });
      expect(audit?.requestId).toBe(res.headers['x-request-id']);
    });

    if (write.topic !== undefined) {
      const topic = write.topic;
      it(`POST ${write.url}: admin → 202, published once, audited 'ok' once`, async () => {
        const before = h.bus.published.length;
        const res = await h.app.inject({
          method: 'POST',
          url: write.url,
          payload: write.body,
          headers: { authorization: `Bearer ${await h.token('admin', 'ada')}` },
        });
        expect(res.statusCode).toBe(202);
        const published = h.bus.published.slice(before).map((p) => p.topic);
        expect(published).toEqual([topic, 'audit-proto']);
        expect(h.bus.audits().at(-1)).toMatchObject({
          subject: 'ada',
          role: 'admin',
          result: 'ok',
        });
      });
    }
  }

  it('viewers read; the audit log is for admins', async () => {
    const viewer = { authorization: `Bearer ${await h.token('viewer')}` };
    for (const url of ['/api/status', '/api/models', '/api/training', '/metrics']) {
      const res = await h.app.inject({ method: 'GET', url, headers: viewer });
      expect(res.statusCode, url).toBe(200);
    }
    const audit = await h.app.inject({ method: 'GET', url: '/api/audit', headers: viewer });
    expect(audit.statusCode).toBe(403);
    // A viewer passes the auth on the shadow figures; this harness has no store to read them from.
    const shadow = '/api/models/arb/shadow?minutes=30';
    const figures = await h.app.inject({ method: 'GET', url: shadow, headers: viewer });
    expect(figures.json().error.code).toBe('LF_STORE_UNAVAILABLE');
    expect(figures.statusCode).toBe(503);
    for (const url of ['/api/status', '/metrics', '/api/audit', shadow]) {
      expect((await h.app.inject({ method: 'GET', url })).statusCode, url).toBe(401);
    }
    expect((await h.app.inject({ method: 'GET', url: '/api/openapi.json' })).statusCode).toBe(200);
  });
});

describe('auth matrix on an Ed25519 public key', () => {
  const ed = generateKeyPairSync('ed25519');
  const publicPem = ed.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness({ overrides: { auth: { publicKey: publicPem } } });
  });
  afterAll(() => h.close());

  const attempts: Array<[string, () => Promise<string>, number]> = [
    ['its own EdDSA signature', () => sign(claims(), ed.privateKey, 'EdDSA'), 202],
    // The HS/RS confusion: the public key's PEM used as an HMAC secret.
    [
      'HS256 signed with the public PEM',
      () => sign(claims(), new TextEncoder().encode(publicPem), 'HS256'),
      401,
    ],
    ['HS256 signed with the dev secret', () => sign(claims(), hs, 'HS256'), 401],
    ['another Ed25519 key', () => sign(claims(), other.privateKey, 'EdDSA'), 401],
    ['alg none', async () => `${b64({ alg: 'none' })}.${b64(claims())}.`, 401],
    ['expired', () => sign(claims({ exp: now() - 3600 }), ed.privateKey, 'EdDSA'), 401],
    ['viewer', () => sign(claims({ role: 'viewer' }), ed.privateKey, 'EdDSA'), 403],
  ];
  for (const [name, make, status] of attempts) {
    it(`POST /api/control with ${name} → ${status}`, async () => {
      await controlWith(h, await make(), status);
    });
  }
});

describe("role claims: Landfall's scalar role, the seed's roles array, and both", () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness();
  });
  afterAll(() => h.close());

  const withoutRole = (extra: Record<string, unknown>) => {
    const { role: _omitted, ...rest } = claims(extra);
    return rest;
  };
  // The rule (src/auth/verify.ts roleOf): each claim grants the highest known role it names,
  // unknown names grant nothing, two granting claims give the lower role, none granted is 401.
  const cases: Array<[string, Record<string, unknown>, number]> = [
    ['roles ["admin"] (the seed\'s token)', withoutRole({ roles: ['admin'] }), 202],
    ['roles ["viewer"]', withoutRole({ roles: ['viewer'] }), 403],
    ['roles ["viewer", "admin"]', withoutRole({ roles: ['viewer', 'admin'] }), 202],
    [
      'roles ["admin", "operator"]: the unknown name grants nothing',
      withoutRole({ roles: ['admin', 'operator'] }),
      202,
    ],
    ['role admin and roles ["admin"]', claims({ roles: ['admin'] }), 202],
    ['role admin and roles ["viewer"]: the lower wins', claims({ roles: ['viewer'] }), 403],
    [
      'role viewer and roles ["admin"]: the lower wins',
      claims({ role: 'viewer', roles: ['admin'] }),
      403,
    ],
    ['role operator and roles ["admin"]', claims({ role: 'operator', roles: ['admin'] }), 202],
    ['roles ["operator"] only', withoutRole({ roles: ['operator'] }), 401],
    ['role superuser only', claims({ role: 'superuser' }), 401],
    ['an empty roles array', withoutRole({ roles: [] }), 401],
    ['roles as a string', withoutRole({ roles: 'admin' }), 401],
    ['roles holding a number', withoutRole({ roles: [1] }), 401],
    ['no role claim at all', withoutRole({}), 401],
  ];
  for (const [name, payload, status] of cases) {
    it(`POST /api/control with ${name} → ${status}`, async () => {
      const res = await controlWith(h, await sign(payload, hs, 'HS256'), status);
      if (status === 401) expect(res.json().error.message).toMatch(/role/);
      if (status !== 401)
        expect(h.bus.audits().at(-1)?.role).toBe(status === 202 ? 'admin' : 'viewer');
    });
  }
});
