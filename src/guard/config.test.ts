import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';

const cwd = () => mkdtempSync(join(tmpdir(), 'lf-guard-config-'));

describe('guard config section', () => {
  it('defaults to the SLOs of DESIGN.md, and every key takes an environment override', () => {
    const { config } = loadConfig({ env: {}, cwd: cwd() });
    expect(config.guard.windowMs).toBe(30_000);
    expect(config.guard.slo).toEqual({
      hotpathP99Ms: 20,
      landedMinPct: 70,
      negEvMaxRate: 0.01,
      paperLandedMinPct: 0,
      paperNegEvMaxRate: 1,
    });
    expect(config.guard.escalation.policy).toBe('throttle_then_kill');
    const env = {
      LANDFALL_GUARD__ESCALATION__POLICY: 'kill',
      LANDFALL_GUARD__SLO__HOTPATH_P99_MS: '5',
      LANDFALL_GUARD__BURN__LANDED__FAST: '2',
    };
    const { config: tuned } = loadConfig({ env, cwd: cwd() });
    expect(tuned.guard.escalation.policy).toBe('kill');
    expect(tuned.guard.slo.hotpathP99Ms).toBe(5);
    expect(tuned.guard.burn.landed).toEqual({ fast: 2, slow: 1 });
  });

  it('names the field at fault', () => {
    const load = (env: Record<string, string>) => () => loadConfig({ env, cwd: cwd() });
    expect(load({ LANDFALL_GUARD__ESCALATION__POLICY: 'panic' })).toThrow(
      /guard\.escalation\.policy: expected one of throttle_then_kill\|throttle_only\|kill\|observe/,
    );
    expect(load({ LANDFALL_GUARD__THROTTLE__RATE_FRACTION: '0' })).toThrow(
      /guard\.throttle\.rateFraction/,
    );
    expect(load({ LANDFALL_GUARD__FAST_WINDOW_MS: '60000' })).toThrow(
      /guard\.fastWindowMs: fastWindowMs must be shorter than windowMs/,
    );
  });
});
