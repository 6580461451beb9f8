import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, apiHarness, publishModels, TEST_SECRET } from '../api/testing.js';
import { LandfallProcess } from '../testing/landfall-process.js';
import { activate, liveVersion } from './registry.js';

/** `landfall model promote` goes through the API, which checks the role and audits it. */
describe('landfall model promote', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'lf-cli-promote-'));
  const home = join(cwd, '.landfall');
  const dir = join(home, 'models');
  let h: ApiHarness;
  let port: number;
  let versions: string[];

  beforeAll(async () => {
    versions = await publishModels(dir, 'arb', 2);
    activate(dir, 'arb', versions[0] as string);
    h = await apiHarness({ home });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    port = (h.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await h?.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  const landfall = async (...args: string[]) => {
    const p = new LandfallProcess(
      args,
      {
        LANDFALL_API__PORT: String(port),
        LANDFALL_JWT_SECRET: TEST_SECRET,
        LANDFALL_LOG__LEVEL: 'warn',
        USER: 'cli-tester',
      },
      cwd,
    );
    const { code } = await p.exited;
    return { code, stdout: p.stdout, logs: p.logs.map((l) => l.msg).join('\n') };
  };

  it('promotes a candidate, audited under the caller, and refuses an unknown version', async () => {
    const candidate = versions[1] as string;
    const ok = await landfall('model', 'promote', 'arb', candidate, '--reason', 'from the CLI');
    expect(ok.code, ok.logs).toBe(0);
    expect(ok.stdout).toContain(`arb model ${candidate} is live (promoted by hand)`);
    expect(liveVersion(dir, 'arb')).toBe(candidate);
    expect(h.bus.audits().at(-1)).toMatchObject({
      action: 'model.promote',
      result: 'ok',
      subject: 'cli-tester',
      role: 'admin',
    });

    const missing = await landfall('model', 'promote', 'arb', 'ffff0000', '--reason', 'typo');
    expect(missing.code).toBe(1);
    expect(missing.logs).toMatch(/the API refused the promotion \(404\): LF_MODEL_NOT_FOUND/);
    expect(liveVersion(dir, 'arb')).toBe(candidate);
  });
});
