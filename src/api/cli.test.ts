import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { mintToken } from '../auth/mint.js';
import { createVerifier } from '../auth/verify.js';
import { validateConfig } from '../config/load.js';
import { LandfallProcess } from '../testing/landfall-process.js';
import { freePort } from '../testing/servers.js';
import { until } from '../testing/until.js';
import { TEST_SECRET } from './testing.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'lf-api-cli-'));
const errorLines = (p: LandfallProcess) => p.logs.map((l) => String(l.msg)).join('\n');

async function call(url: string, token?: string, body?: object) {
  const res = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('landfall token', () => {
  it('prints a token the API verifies, with the role, subject and lifetime asked for', async () => {
    const p = new LandfallProcess(
      ['token', '--role', 'viewer', '--ttl', '2h', '--subject', 'carol'],
      { LANDFALL_JWT_SECRET: TEST_SECRET },
      tmp(),
    );
    expect((await p.exited).code, errorLines(p)).toBe(0);
    const token = p.stdout.trim();
    const verifier = await createVerifier(
      validateConfig({ auth: { hmacSecret: TEST_SECRET } }).auth,
    );
    await expect(verifier.verify(token)).resolves.toMatchObject({
      subject: 'carol',
      role: 'viewer',
    });
    const claims = decodeJwt(token);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(7200);
  });

  const failures: Array<[string[], Record<string, string>, string]> = [
    [
      ['token', '--role', 'admin'],
      {},
      'LF_AUTH_NO_KEY: cannot mint a token: no HMAC secret; set LANDFALL_JWT_SECRET',
    ],
    [
      ['token', '--role', 'root'],
      { LANDFALL_JWT_SECRET: TEST_SECRET },
      'LF_CLI_USAGE: --role must be admin or viewer',
    ],
    [
      ['token', '--role', 'admin', '--ttl', 'soon'],
      { LANDFALL_JWT_SECRET: TEST_SECRET },
      'LF_CLI_USAGE: --ttl expects a duration',
    ],
    [['token', '--role', 'admin'], { LANDFALL_JWT_SECRET: 'short' }, 'at least 32 bytes'],
  ];
  for (const [args, env, message] of failures) {
    it(`fails with one line naming the fix: ${message}`, async () => {
      const p = new LandfallProcess(args, env, tmp());
      expect((await p.exited).code).toBe(1);
      expect(errorLines(p)).toContain(message);
    });
  }
});

describe('landfall api', () => {
  it('serves the API standalone on the configured port until SIGTERM', async () => {
    const port = await freePort();
    const p = new LandfallProcess(
      ['api'],
      {
        LANDFALL_JWT_SECRET: TEST_SECRET,
        LANDFALL_API__PORT: String(port),
        LANDFALL_LOG__LEVEL: 'warn',
      },
      tmp(),
    );
    try {
      await until(
        async () => p.stdout.includes('landfall api: http') || p.child.exitCode !== null,
        'the api to listen',
      );
      expect(p.stdout, errorLines(p)).toContain(
        `landfall api: http://127.0.0.1:${port} (auth: HS256 secret)`,
      );
      const base = `http://127.0.0.1:${port}`;
      const config = validateConfig({ auth: { hmacSecret: TEST_SECRET } });
      const admin = await mintToken(config.auth, { role: 'admin', subject: 'ops', ttlSeconds: 60 });
      expect((await call(`${base}/api/status`)).status).toBe(401);
      const status = await call(`${base}/api/status`, admin);
      expect(status.status).toBe(200);
      expect(status.body.store).toMatchObject({ ok: true });
      const cmd = await call(`${base}/api/control`, admin, {
        action: 'resume',
        module: 'arb',
        reason: 'cli test',
      });
      expect(cmd.status).toBe(202);
    } finally {
      const { code } = await p.kill('SIGTERM');
      expect(code, errorLines(p)).toBe(0);
    }
  });

  it('refuses to start without a key', async () => {
    const p = new LandfallProcess(['api'], { LANDFALL_LOG__LEVEL: 'warn' }, tmp());
    expect((await p.exited).code).toBe(1);
    expect(errorLines(p)).toContain('LF_AUTH_NO_KEY: no key to verify tokens');
  });
});

describe('landfall up', () => {
  it('in paper mode with no key, prints the API and dashboard URLs and a working admin token', async () => {
    const p = new LandfallProcess(
      ['up', '--no-warm-start'],
      { LANDFALL_API__PORT: '0', LANDFALL_LOG__LEVEL: 'warn' },
      tmp(),
    );
    try {
      await until(
        async () => /token {2}admin, 12 h: \S+/.test(p.stdout) || p.child.exitCode !== null,
        'the banner',
        90_000,
      );
      const url = /api {4}(http:\/\/127\.0\.0\.1:\d+)\/api/.exec(p.stdout)?.[1];
      const token = /token {2}admin, 12 h: (\S+)/.exec(p.stdout)?.[1];
      expect(url, p.stdout + errorLines(p)).toBeDefined();
      expect(p.stdout).toContain(`dashboard ${url}/#token=${token}`);
      expect(p.stdout).toContain('secret generated for this process');
      expect((await call(`${url}/api/status`)).status).toBe(401);
      const status = await call(`${url}/api/status`, token);
      expect(status.status).toBe(200);
      expect(status.body.mode).toBe('paper');
      const cmd = await call(`${url}/api/control`, token, {
        action: 'resume',
        module: 'mev',
        reason: 'up test',
      });
      expect(cmd.status).toBe(202);
    } finally {
      const { code } = await p.kill('SIGINT');
      expect(code, errorLines(p)).toBe(0);
    }
  });
});
