import {
  appendFileSync,
  copyFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSharedObject } from './compile.js';
import {
  buildHandModel,
  constantGolden,
  type HandModelSpec,
  handModelSource,
} from './hand-built.js';
import { HotModel } from './hot.js';
import { activate, libraryName, publish } from './registry.js';
import { ModelScorer } from './scorer.js';

/**
 * Every reason the loader rejects a candidate, each published as `latest` into a watched
 * registry: the rejection is reported with its reason and the old model keeps answering.
 */
const FEATURES = ['a', 'b', 'c'];
const GOOD_P = 0.25;

interface BadCase {
  name: string;
  reason: RegExp;
  spec?: Partial<HandModelSpec>;
  /** Publishes the candidate its own way (the default builds `spec` and publishes it). */
  publishWith?: (dir: string, work: string) => Promise<void>;
  golden?: number;
}

const cases: BadCase[] = [
  {
    name: 'not a shared object',
    reason: /not a loadable shared object/,
    async publishWith(dir, work) {
      const file = join(work, 'garbage.so');
      writeFileSync(file, 'this is not an ELF file\n');
      publish(dir, candidate(file), 5);
    },
  },
  { name: 'missing symbol', reason: /missing symbol/, spec: { exportName: 'other_export' } },
  { name: 'null table', reason: /null table/, spec: { nullTable: true } },
  { name: 'abi_version 2', reason: /abi_version 2/, spec: { abiVersion: 2 } },
  { name: 'wrong n_features', reason: /n_features 4/, spec: { nFeatures: 4 } },
  { name: 'NULL predict', reason: /predict_mev is NULL/, spec: { nullPredict: true } },
  { name: 'threshold NaN', reason: /default_threshold NaN/, spec: { threshold: Number.NaN } },
  { name: 'threshold 1.5', reason: /default_threshold 1\.5/, spec: { threshold: 1.5 } },
  { name: 'golden vector off', reason: /golden vector 0/, spec: { p: 0.7 }, golden: 0.7000021 },
  {
    name: 'checksum differs',
    reason: /checksum .* differs/,
    async publishWith(dir, work) {
      const file = join(work, 'tampered.so');
      await buildHandModel(spec({ p: 0.6 }), file);
      const staging = join(work, 'staging');
      const m = publish(staging, candidate(file, 0.6), 5);
      const name = libraryName('mev', m.version);
      // Bytes changed after publication (a bad copy, or tampering); still a valid ELF.
      copyFileSync(
        join(staging, name.replace(/\.so$/, '.json')),
        join(dir, name.replace(/\.so$/, '.json')),
      );
      copyFileSync(join(staging, name), join(dir, name));
      appendFileSync(join(dir, name), Buffer.from([0]));
      activate(dir, 'mev', m.version);
    },
  },
  {
    // Mapping it raises SIGBUS in the dynamic loader: only a child process can survive that.
    name: 'truncated library',
    reason: /the probe process was killed by SIGBUS while loading/,
    async publishWith(dir, work) {
      const file = join(work, 'whole.so');
      await buildHandModel(spec({ p: 0.6 }), file);
      writeFileSync(join(work, 'truncated.so'), readFileSync(file).subarray(0, 3000));
      publish(dir, candidate(join(work, 'truncated.so'), 0.6), 50);
    },
  },
  {
    name: 'predict never returns',
    reason: /the probe process timed out after \d+ ms while predicting golden vector 0/,
    async publishWith(dir, work) {
      const file = join(work, 'spins.so');
      const source = handModelSource(spec({ p: 0.6 })).replace(
        '(void)f;',
        '(void)f; for (volatile int i = 0;; i++) {}',
      );
      await buildSharedObject(source, file);
      publish(dir, candidate(file, 0.6), 50);
    },
  },
];

function spec(over: Partial<HandModelSpec>): HandModelSpec {
  return { module: 'mev', p: GOOD_P, nFeatures: FEATURES.length, ...over };
}

function candidate(file: string, p = GOOD_P) {
  return {
    module: 'mev' as const,
    libraryPath: file,
    featureNames: FEATURES,
    threshold: 0.5,
    golden: constantGolden(FEATURES.length, p),
  };
}

describe('the loader rejects bad artifacts and keeps the old model', () => {
  let dir: string;
  let work: string;
  let hot: HotModel;
  const rejections: Array<{ path: string; reason: string }> = [];
  let waiter: ((r: string) => void) | undefined;
  const logLines: Array<{ msg: string; reason?: string; version?: string }> = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => logLines.push(JSON.parse(line)) },
  );
  const heuristic = { version: 'h', featureSet: 't', score: () => 0.9 };
  let scorer: ModelScorer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'landfall-reg-'));
    work = mkdtempSync(join(tmpdir(), 'landfall-work-'));
    const good = join(work, 'good.so');
    await buildHandModel(spec({}), good);
    publish(dir, candidate(good), 50);
    hot = new HotModel({
      dir,
      module: 'mev',
      featureNames: FEATURES,
      debounceMs: 0,
      // Long enough for a busy host to start the probe process, short for the spinning case.
      sandbox: { timeoutMs: 5000, randomVectors: 500, predictBudgetUs: 200 },
      logger,
      onReject(path, reason) {
        rejections.push({ path, reason });
        waiter?.(reason);
      },
    });
    hot.start();
    expect(hot.current?.predict(new Float32Array(3))).toBe(GOOD_P);
    scorer = new ModelScorer({ models: { mev: hot }, fallback: heuristic, featureSet: 't' });
  });

  afterAll(() => {
    hot.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  for (const c of cases) {
    it(`rejects: ${c.name}`, async () => {
      const before = { version: hot.version, swaps: hot.swaps };
      const rejected = new Promise<string>((resolve) => {
        waiter = resolve;
      });
      if (c.publishWith) await c.publishWith(dir, work);
      else {
        const file = join(work, `${c.name.replace(/\W+/g, '-')}.so`);
        const s = spec(c.spec ?? {});
        await buildHandModel(s, file);
        publish(dir, { ...candidate(file, c.golden ?? s.p), featureNames: FEATURES }, 50);
      }
      const reason = await rejected;
      expect(reason).toMatch(/LF_MODEL_REJECTED/);
      expect(reason).toMatch(c.reason);
      expect(hot.version).toBe(before.version);
      expect(hot.swaps).toBe(before.swaps);
      expect(hot.current?.predict(Float32Array.of(1, Number.NaN, 3))).toBe(GOOD_P);
      // The scorer keeps the model: the heuristic is only for a module that never had one.
      expect(scorer.decide(new Float32Array(3), 'mev')).toMatchObject({
        source: 'model',
        p: GOOD_P,
      });
      expect(logLines.at(-1)).toMatchObject({ msg: 'model rejected', serving: before.version });
    });
  }

  it('takes a good model after the rejections', async () => {
    const file = join(work, 'better.so');
    await buildHandModel(spec({ p: 0.5 }), file);
    const swapped = new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (hot.current?.predict(new Float32Array(3)) === 0.5) {
          clearInterval(timer);
          resolve();
        }
      }, 1);
    });
    publish(dir, candidate(file, 0.5), 50);
    await swapped;
    expect(rejections).toHaveLength(cases.length);
    const accepted = logLines.filter((l) => l.msg === 'model accepted');
    expect(accepted.map((l) => l.version)).toEqual([expect.any(String), hot.version]);
    expect(logLines.filter((l) => l.msg === 'model rejected')).toHaveLength(cases.length);
  });
});
