import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../agent/features.js';
import { LandfallProcess } from '../testing/landfall-process.js';
import { trainBinary } from '../train/xgboost.js';
import { buildHandModel, constantGolden } from './hand-built.js';
import { HotModel } from './hot.js';
import { listVersions } from './registry.js';
import { randomData } from './synthetic.js';

const cwd = mkdtempSync(join(tmpdir(), 'lf-model-cli-'));

async function landfall(...args: string[]): Promise<string> {
  const p = new LandfallProcess(args, { LANDFALL_LOG__LEVEL: 'warn' }, cwd);
  const { code } = await p.exited;
  expect(code, p.logs.map((l) => JSON.stringify(l)).join('\n')).toBe(0);
  return p.stdout;
}

async function landfallFails(...args: string[]): Promise<string> {
  const p = new LandfallProcess(args, { LANDFALL_LOG__LEVEL: 'warn' }, cwd);
  const { code } = await p.exited;
  expect(code).toBe(1);
  return p.logs.map((l) => l.msg).join('\n');
}

function trainedJson(seed: number, rounds: number): string {
  const cols = FEATURE_NAMES.length;
  const { x, y } = randomData(2_000, cols, seed);
  const b = trainBinary(x, y, cols, { maxDepth: 4, rounds, seed });
  try {
    return b.saveJson();
  } finally {
    b.free();
  }
}

describe('landfall model compile | list | publish', () => {
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('publishes two versions for the agent feature set, lists them, and refuses an unaudited rollback', async () => {
    writeFileSync(join(cwd, 'a.json'), trainedJson(1, 10));
    writeFileSync(join(cwd, 'b.json'), trainedJson(2, 20));
    const dir = join(cwd, '.landfall', 'models');

    const first = await landfall(
      'model',
      'compile',
      'a.json',
      '--module',
      'mev',
      '--job-id',
      'job-1',
    );
    expect(first).toMatch(/published mev model [0-9a-f]{16} .* it is live/);
    await landfall('model', 'compile', 'b.json', '--module', 'mev', '--threshold', '0.35');
    const [b, a] = listVersions(dir, 'mev');
    expect(a?.manifest.trainingJobId).toBe('job-1');
    expect(b?.manifest.threshold).toBe(0.35);
    expect(b?.live).toBe(true);

    // The agent's loader accepts what the CLI published, with the agent's own feature order.
    const hot = new HotModel({ dir, module: 'mev', featureNames: FEATURE_NAMES });
    hot.start();
    expect(hot.version).toBe(b?.manifest.version);
    expect(hot.current?.threshold).toBeCloseTo(0.35, 6);
    hot.close();

    const listed = await landfall('model', 'list');
    expect(listed).toContain(`* mev ${b?.manifest.version}`);
    expect(listed).toContain(`  mev ${a?.manifest.version}`);

    // A rollback is audited by the API (cli-promote.test.ts): with none running, nothing changes.
    const offline = await landfallFails('model', 'rollback', 'mev', '--reason', 'no API');
    expect(offline).toMatch(/rollback/);
    expect(listVersions(dir, 'mev').find((e) => e.live)?.manifest.version).toBe(
      b?.manifest.version,
    );
  });

  it('publishes a hand-built library, and refuses one that misses its golden vectors', async () => {
    const n = FEATURE_NAMES.length;
    await buildHandModel(
      { module: 'arb', p: 0.125, nFeatures: n, threshold: 0.7 },
      join(cwd, 'hand.so'),
    );
    writeFileSync(join(cwd, 'good.json'), JSON.stringify(constantGolden(n, 0.125)));
    writeFileSync(join(cwd, 'bad.json'), JSON.stringify(constantGolden(n, 0.5)));
    const dir = join(cwd, '.landfall', 'models');
    const why = await landfallFails(
      'model',
      'publish',
      'hand.so',
      '--module',
      'arb',
      '--golden',
      'bad.json',
    );
    expect(why).toMatch(/LF_MODEL_REJECTED: .*golden vector 0: predicted 0.125/);
    expect(listVersions(dir, 'arb')).toHaveLength(0);
    // The first 3,000 bytes of it: mapping that raises SIGBUS, which used to end the CLI.
    writeFileSync(join(cwd, 'truncated.so'), readFileSync(join(cwd, 'hand.so')).subarray(0, 3000));
    const crash = await landfallFails(
      'model',
      'publish',
      'truncated.so',
      '--module',
      'arb',
      '--golden',
      'good.json',
    );
    expect(crash).toMatch(
      /LF_MODEL_REJECTED: model .*rejected: the probe process was killed by SIGBUS while loading/,
    );
    expect(listVersions(dir, 'arb')).toHaveLength(0);
    await landfall('model', 'publish', 'hand.so', '--module', 'arb', '--golden', 'good.json');
    const [live] = listVersions(dir, 'arb');
    expect(live?.live).toBe(true);
    expect(live?.manifest.threshold).toBeCloseTo(0.7, 6);
  });
});
