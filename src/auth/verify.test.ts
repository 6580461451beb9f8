import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { exportJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load.js';
import { isLandfallError, type LandfallError } from '../errors.js';
import { mintToken } from './mint.js';
import { createVerifier, type Principal, requireRole, type TokenVerifier } from './verify.js';

const SECRET = 'verify-test-secret-0123456789abcdef0123456789';
const auth = (extra: Record<string, unknown>) => validateConfig({ auth: extra }).auth;
const now = () => Math.floor(Date.now() / 1000);
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** A token with every claim right unless the test overrides it. */
function claims(overrides: Record<string, unknown> = {}) {
  return {
    role: 'admin',
    sub: 'alice',
    iss: 'landfall',
    aud: 'landfall-api',
    iat: now(),
    exp: now() + 600,
    ...overrides,
  };
}

async function sign(
  payload: Record<string, unknown>,
  key: Uint8Array | KeyObject,
  alg: string,
  kid?: string,
): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg, ...(kid ? { kid } : {}) }).sign(key);
}

async function rejection(verifier: TokenVerifier, token: string): Promise<LandfallError> {
  const err = await verifier.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isLandfallError(err)) throw new Error(`expected a LandfallError, got ${String(err)}`);
  // The reason is given; the token never is (it would end up in logs and audit details).
  expect(err.message).not.toContain(token);
  return err;
}

const makers = {
  rsa: () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
  ec: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  ed: () => generateKeyPairSync('ed25519'),
};
const keys = { rsa: makers.rsa(), ec: makers.ec(), ed: makers.ed() };
const pem = (k: KeyObject) => k.export({ type: 'spki', format: 'pem' }).toString();
const secret = new TextEncoder().encode(SECRET);

describe('HS256 secret', () => {
  let verifier: TokenVerifier;
  beforeAll(async () => {
    verifier = await createVerifier(auth({ hmacSecret: SECRET }));
  });

  it('accepts a good token and returns subject, role and token id', async () => {
    const token = await mintToken(auth({ hmacSecret: SECRET }), {
      role: 'viewer',
      subject: 'bob',
      ttlSeconds: 60,
    });
    const p = await verifier.verify(token);
    expect(p).toMatchObject({ subject: 'bob', role: 'viewer' });
    expect(p.tokenId).toMatch(/^[0-9a-f-]{36}$/);
  });

  const cases: Array<[string, () => Promise<string>, RegExp]> = [
    ['malformed', async () => 'not.a.jwt', /malformed/],
    ['garbage', async () => 'x', /malformed/],
    [
      'alg none',
      async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`,
      /not allowed|malformed/,
    ],
    [
      'wrong secret',
      () => sign(claims(), new TextEncoder().encode(`${SECRET}x`), 'HS256'),
      /bad signature/,
    ],
    ['HS512 with the right secret', () => sign(claims(), secret, 'HS512'), /not allowed/],
    ['RS256 token', () => sign(claims(), keys.rsa.privateKey, 'RS256'), /not allowed/],
    ['expired', () => sign(claims({ exp: now() - 120 }), secret, 'HS256'), /expired/],
    ['not yet valid', () => sign(claims({ nbf: now() + 600 }), secret, 'HS256'), /not yet valid/],
    ['wrong issuer', () => sign(claims({ iss: 'evil' }), secret, 'HS256'), /wrong issuer/],
    ['wrong audience', () => sign(claims({ aud: 'other' }), secret, 'HS256'), /wrong audience/],
    ['no expiry', () => sign(claims({ exp: undefined }), secret, 'HS256'), /exp missing/],
    ['no subject', () => sign(claims({ sub: undefined }), secret, 'HS256'), /sub missing/],
    ['unknown role', () => sign(claims({ role: 'root' }), secret, 'HS256'), /role claim/],
    ['no role', () => sign(claims({ role: undefined }), secret, 'HS256'), /role claim/],
    // A leaked long-lived token would stay good for years.
    [
      'a 10-year lifetime',
      () => sign(claims({ exp: now() + 10 * 365 * 86_400 }), secret, 'HS256'),
      /lifetime .* exceeds the maximum 604800 s \(auth\.maxTtlSeconds\)/,
    ],
    [
      'no iat and 10 years left',
      () => sign(claims({ iat: undefined, exp: now() + 10 * 365 * 86_400 }), secret, 'HS256'),
      /auth\.maxTtlSeconds/,
    ],
  ];
  for (const [name, make, reason] of cases) {
    it(`rejects ${name} with 401 and the reason`, async () => {
      const err = await rejection(verifier, await make());
      expect(err.code).toBe('LF_AUTH_UNAUTHENTICATED');
      expect(err.status).toBe(401);
      expect(err.message).toMatch(reason);
    });
  }

  it('accepts a token of exactly auth.maxTtlSeconds, with or without iat', async () => {
    const week = 7 * 24 * 3600;
    await expect(
      verifier.verify(await sign(claims({ exp: now() + week }), secret, 'HS256')),
    ).resolves.toMatchObject({ subject: 'alice' });
    await expect(
      verifier.verify(await sign(claims({ iat: undefined, exp: now() + 600 }), secret, 'HS256')),
    ).resolves.toMatchObject({ subject: 'alice' });
  });

  it('allows clock skew within auth.clockSkewSeconds, and no more', async () => {
    const skewed = await createVerifier(auth({ hmacSecret: SECRET, clockSkewSeconds: 30 }));
    const slightlyExpired = await sign(claims({ exp: now() - 10 }), secret, 'HS256');
    await expect(skewed.verify(slightlyExpired)).resolves.toMatchObject({ subject: 'alice' });
    const early = await sign(claims({ nbf: now() + 10 }), secret, 'HS256');
    await expect(skewed.verify(early)).resolves.toMatchObject({ subject: 'alice' });
    const tooLate = await sign(claims({ exp: now() - 120 }), secret, 'HS256');
    expect((await rejection(skewed, tooLate)).message).toMatch(/expired/);
  });
});

describe('public keys: one algorithm per key type', () => {
  const pairs = [
    ['RS256', keys.rsa, makers.rsa],
    ['ES256', keys.ec, makers.ec],
    ['EdDSA', keys.ed, makers.ed],
  ] as const;
  for (const [alg, pair, make] of pairs) {
    it(`${alg}: accepts its own signature, refuses HS256 signed with the public key's bytes`, async () => {
      const verifier = await createVerifier(auth({ publicKey: pem(pair.publicKey) }));
      expect(verifier.describe).toBe(`${alg} public key`);
      await expect(verifier.verify(await sign(claims(), pair.privateKey, alg))).resolves.toEqual({
        subject: 'alice',
        role: 'admin',
      } satisfies Principal);
      // The HS/RS confusion: an attacker signs HS256 with the (public) PEM as the secret.
      const forged = await sign(claims(), new TextEncoder().encode(pem(pair.publicKey)), 'HS256');
      expect((await rejection(verifier, forged)).message).toMatch(/not allowed/);
      const none = `${b64({ alg: 'none' })}.${b64(claims())}.`;
      expect((await rejection(verifier, none)).code).toBe('LF_AUTH_UNAUTHENTICATED');
      const wrongKey = await sign(claims(), make().privateKey, alg);
      expect((await rejection(verifier, wrongKey)).message).toMatch(/bad signature/);
    });
  }

  it('refuses a P-384 key, a private key and a non-key with LF_AUTH_NO_KEY', async () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    await expect(createVerifier(auth({ publicKey: pem(p384.publicKey) }))).rejects.toThrow(
      /unsupported key type ec \(secp384r1\)/,
    );
    await expect(createVerifier(auth({ publicKey: 'hello' }))).rejects.toThrow(
      /not a PEM public key/,
    );
  });
});

describe('JWKS', () => {
  let server: Server;
  let url = '';
  beforeAll(async () => {
    const jwk = { ...(await exportJWK(keys.ed.publicKey)), kid: 'k1', alg: 'EdDSA', use: 'sig' };
    server = createServer((req, res) => {
      if (req.url !== '/jwks.json') return void res.writeHead(404).end();
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('verifies with the key set, refuses other keys, HS256 and a missing key set', async () => {
    const verifier = await createVerifier(auth({ jwksUrl: `${url}/jwks.json` }));
    const good = await sign(claims(), keys.ed.privateKey, 'EdDSA', 'k1');
    await expect(verifier.verify(good)).resolves.toMatchObject({ subject: 'alice' });
    const stranger = await sign(claims(), generateKeyPairSync('ed25519').privateKey, 'EdDSA', 'k1');
    expect((await rejection(verifier, stranger)).message).toMatch(/bad signature/);
    const hs = await sign(claims(), secret, 'HS256', 'k1');
    expect((await rejection(verifier, hs)).message).toMatch(/not allowed/);
    const missing = await createVerifier(auth({ jwksUrl: `${url}/missing.json` }));
    const err = await rejection(missing, good);
    expect(err.code).toBe('LF_AUTH_KEYS_UNAVAILABLE');
    expect(err.status).toBe(503);
  });
});

describe('configuration and roles', () => {
  it('needs exactly one key source, and a secret of at least 32 bytes', async () => {
    await expect(createVerifier(auth({}))).rejects.toThrow(/no key to verify tokens/);
    await expect(
      createVerifier(auth({ hmacSecret: SECRET, publicKey: pem(keys.ed.publicKey) })),
    ).rejects.toThrow(/exactly one/);
    await expect(createVerifier(auth({ hmacSecret: 'short' }))).rejects.toThrow(
      /at least 32 bytes/,
    );
  });

  it('mints only with a secret, a known role and a bounded lifetime', async () => {
    await expect(
      mintToken(auth({}), { role: 'admin', subject: 'a', ttlSeconds: 60 }),
    ).rejects.toThrow(/no HMAC secret/);
    const withSecret = auth({ hmacSecret: SECRET, maxTtlSeconds: 3600 });
    await expect(
      mintToken(withSecret, { role: 'admin', subject: 'a', ttlSeconds: 3601 }),
    ).rejects.toThrow(/ttl must be 1..3600/);
    await expect(
      mintToken(withSecret, { role: 'root' as 'admin', subject: 'a', ttlSeconds: 60 }),
    ).rejects.toThrow(/role must be admin or viewer/);
  });

  it('requireRole: admin may do what a viewer may; a viewer may not act', () => {
    const viewer: Principal = { subject: 'v', role: 'viewer' };
    const admin: Principal = { subject: 'a', role: 'admin' };
    expect(() => requireRole(viewer, 'viewer')).not.toThrow();
    expect(() => requireRole(admin, 'admin')).not.toThrow();
    expect(() => requireRole(admin, 'viewer')).not.toThrow();
    try {
      requireRole(viewer, 'admin');
      expect.unreachable('a viewer passed an admin check');
    } catch (err) {
      expect(isLandfallError(err, 'LF_AUTH_FORBIDDEN')).toBe(true);
      expect((err as LandfallError).status).toBe(403);
    }
  });
});
