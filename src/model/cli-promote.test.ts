import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, apiHarness, TEST_SECRET } from '../api/testing.js';
import { LandfallProcess } from '../testing/landfall-process.js';
import { buildHandModel, constantGolden } from './hand-built.js';
import { liveVersion, publish } from './registry.js';

/**
 * `landfall model promote` and `landfall model rollback` go through the API, which checks the
 * role and audits each with both versions and the figures of the one going live.
 */
describe('landfall model promote | rollback', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'lf-cli-promote-'));
  const home = join(cwd, '.landfall');
  const dir = join(home, 'models');
  let h: ApiHarness;
  let port: number;
  let live: string;
  let candidate: string;

  /** A version with the validation figures a training job records. */
  const put = async (p: number, profitSol: number, activate: boolean) => {
    const so = join(cwd, `m${p}.so`);
    await buildHandModel({ module: 'arb', p, nFeatures: 3 }, so);
    return publish(
      dir,
      {
        module: 'arb',
        libraryPath: so,
        featureNames: ['a', 'b', 'c'],
        threshold: 0.5,
        golden: constantGolden(3, p),
        metrics: { expected_profit_sol: profitSol, validation_auc: 0.625, promoted_by_rule: 0 },
      },
      10,
      { activate },
    ).version;
  };

  beforeAll(async () => {
    live = await put(0.75, 1.5, true);
    candidate = await put(0.25, 2.5, false);
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
  const lastAudit = () => {
    const a = h.bus.audits().at(-1);
    return { ...a, params: JSON.parse(a?.paramsJson ?? '{}') };
  };

  it('promotes a candidate, audited under the caller, and refuses an unknown version', async () => {
    const ok = await landfall('model', 'promote', 'arb', candidate, '--reason', 'from the CLI');
    expect(ok.code, ok.logs).toBe(0);
    expect(ok.stdout).toContain(`arb model ${candidate} is live (promoted by hand)`);
    expect(liveVersion(dir, 'arb')).toBe(candidate);
    expect(lastAudit()).toMatchObject({
      action: 'model.promote',
      result: 'ok',
      subject: 'cli-tester',
      role: 'admin',
      params: {
        previous: live,
        figures: { expected_profit_sol: 2.5, validation_auc: 0.625, promoted_by_rule: 0 },
      },
    });

    const missing = await landfall('model', 'promote', 'arb', 'ffff0000', '--reason', 'typo');
    expect(missing.code).toBe(1);
    expect(missing.logs).toMatch(/the API refused the promotion \(404\): LF_MODEL_NOT_FOUND/);
    expect(liveVersion(dir, 'arb')).toBe(candidate);
  });

  it('rolls back to the version before, audited with both versions and its figures', async () => {
    const back = await landfall('model', 'rollback', 'arb', '--reason', 'regressed in shadow');
    expect(back.code, back.logs).toBe(0);
    expect(back.stdout).toContain(`arb model ${live} is live (rolled back by hand)`);
    expect(liveVersion(dir, 'arb')).toBe(live);
    const audit = lastAudit();
    expect(audit).toMatchObject({
      action: 'model.rollback',
      result: 'ok',
      subject: 'cli-tester',
      role: 'admin',
      params: {
        module: 'arb',
        reason: 'regressed in shadow',
        previous: candidate,
        figures: { expected_profit_sol: 1.5, validation_auc: 0.625, promoted_by_rule: 0 },
      },
    });
    expect(audit.detail).toContain(`arb model ${live} is live (rolled back from ${candidate})`);
    expect(audit.detail).toContain('"expected_profit_sol":1.5');

    // Nothing before the first version: refused by the API, audited, nothing changes.
    const none = await landfall('model', 'rollback', 'arb', '--reason', 'again');
    expect(none.code).toBe(1);
    expect(none.logs).toMatch(/the API refused the rollback \(404\): LF_MODEL_NOT_FOUND/);
    expect(lastAudit()).toMatchObject({ action: 'model.rollback', result: 'rejected' });
    expect(liveVersion(dir, 'arb')).toBe(live);

    // No reason, no rollback: the audit record needs one.
    const bare = await landfall('model', 'rollback', 'arb', candidate);
    expect(bare.code).not.toBe(0);
    expect(liveVersion(dir, 'arb')).toBe(live);
  });
});
