import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DMatrix, trainBinary } from '../train/xgboost.js';
import { compileXgbJson } from './build.js';
import { loadModel } from './loader.js';
import { randomData } from './synthetic.js';
import { parseXgbModel, predictReference } from './xgb-json.js';

function requireCc(): void {
  try {
    execFileSync('cc', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('the model tests need a C compiler: install build-essential (cc)');
  }
}

const ROWS = 10_000;
const COLS = 7;

describe('compiled model parity with libxgboost', () => {
  requireCc();
  const { x, y } = randomData(ROWS, COLS, 42);
  const cases = [
    { maxDepth: 1, rounds: 5, baseScore: 0.5 },
    { maxDepth: 3, rounds: 40, baseScore: 0.3 },
    { maxDepth: 6, rounds: 100 },
    { maxDepth: 10, rounds: 25, baseScore: 0.8 },
  ];
  for (const c of cases) {
    it(`depth ${c.maxDepth}, ${c.rounds} trees, base_score ${c.baseScore ?? 'default'}: max |Δ| ≤ 1e-6 over ${ROWS} rows`, async () => {
      const booster = trainBinary(x, y, COLS, { ...c, seed: 7 });
      const m = new DMatrix(x, ROWS, COLS);
      const expected = booster.predict(m);
      const json = booster.saveJson();
      m.free();
      booster.free();
      const built = await compileXgbJson(json, { module: 'arb', threshold: 0.6 });
      try {
        const model = loadModel(built.libraryPath, {
          module: 'arb',
          featureNames: built.input.featureNames,
        });
        expect(model.threshold).toBeCloseTo(0.6, 7);
        const parsed = parseXgbModel(json);
        let maxSo = 0;
        let maxRef = 0;
        for (let i = 0; i < ROWS; i++) {
          const row = x.subarray(i * COLS, (i + 1) * COLS);
          const want = expected[i] as number;
          maxSo = Math.max(maxSo, Math.abs(model.predict(row) - want));
          maxRef = Math.max(maxRef, Math.abs(predictReference(parsed, row) - want));
        }
        expect(maxSo).toBeLessThanOrEqual(1e-6);
        expect(maxRef).toBeLessThanOrEqual(1e-6);
        // The model must actually have learnt something, or parity would be trivial.
        expect(Math.max(...expected) - Math.min(...expected)).toBeGreaterThan(0.1);
      } finally {
        built.dispose();
      }
    });
  }
});
