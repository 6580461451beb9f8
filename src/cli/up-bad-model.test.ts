import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../agent/features.js';
import { buildHandModel, constantGolden } from '../model/hand-built.js';
import { publish } from '../model/registry.js';
import { LandfallProcess } from '../testing/landfall-process.js';

describe('landfall up with a library that crashes whoever maps it', () => {
  it('refuses the truncated latest model with the signal, and serves with the heuristic', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lf-up-bad-'));
    // A valid library cut to its first 3,000 bytes, published with a matching manifest: the
    // dynamic loader raises SIGBUS mapping it. The old `up` hung there, alive and silent.
    const good = join(cwd, 'good.so');
    await buildHandModel({ module: 'arb', p: 0.75, nFeatures: FEATURE_NAMES.length }, good);
    const truncated = join(cwd, 'truncated.so');
    writeFileSync(truncated, readFileSync(good).subarray(0, 3000));
    const manifest = publish(
      join(cwd, '.landfall', 'models'),
      {
        module: 'arb',
        libraryPath: truncated,
        featureNames: FEATURE_NAMES,
        threshold: 0.5,
        golden: constantGolden(FEATURE_NAMES.length, 0.75),
      },
      5,
    );

    const up = new LandfallProcess(
      ['up', '--for', '3', '--no-warm-start'],
      { LANDFALL_LOG__LEVEL: 'warn', LANDFALL_API__PORT: '0' },
      cwd,
    );
    // The old code never exits: bound it, and never leave a hung child behind.
    const bound = setTimeout(() => void up.kill('SIGKILL'), 50_000);
    const { code, signal } = await up.exited;
    clearTimeout(bound);
    const logs = up.logs.map((l) => JSON.stringify(l)).join('\n');
    expect(signal, logs).toBeNull();
    expect(code, logs).toBe(0);
    const rejected = up.logs.find((l) => l.msg === 'model rejected' && l.module === 'arb');
    expect(rejected?.reason, logs).toMatch(
      new RegExp(
        `^LF_MODEL_REJECTED: model .*libarb_v${manifest.version}\\.so rejected: the probe process was killed by SIGBUS while loading$`,
      ),
    );
    expect(up.stdout).toContain('arb heuristic (no model yet)');
    // It served: the paper agents traded and their rows were stored.
    expect(up.stdout).toMatch(/stopped: [1-9]\d* rows stored/);
  });
});
