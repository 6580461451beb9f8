import { describe, expect, it } from 'vitest';
import { randomData } from '../model/synthetic.js';
import { Booster, DMatrix, nativeRow, trainBinary, xgboostVersion } from './xgboost.js';

describe('libxgboost binding', () => {
  const cols = 5;
  const rows = 2_000;
  const { x, y } = randomData(rows, cols, 11);

  it('reports the library version', () => {
    expect(xgboostVersion()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('trains, predicts in batch and in place alike, and round-trips through JSON', () => {
    const b = trainBinary(x, y, cols, { maxDepth: 4, rounds: 15, seed: 3 });
    const m = new DMatrix(x, rows, cols);
    const batch = b.predict(m);
    expect(batch).toHaveLength(rows);
    // Learnt something: predictions separate the labels better than chance.
    let hits = 0;
    for (let i = 0; i < rows; i++) if ((batch[i] as number) > 0.5 === (y[i] === 1)) hits++;
    expect(hits / rows).toBeGreaterThan(0.7);

    const row = nativeRow(cols);
    for (let i = 0; i < 50; i++) {
      row.values.set(x.subarray(i * cols, (i + 1) * cols));
      expect(b.predictInplace(row)).toBe(batch[i]);
    }

    const json = b.saveJson();
    expect(JSON.parse(json).learner.objective.name).toBe('binary:logistic');
    const loaded = new Booster();
    loaded.loadJson(json);
    expect(loaded.predict(m)).toEqual(batch);
    loaded.free();
    m.free();
    b.free();
    b.free(); // Idempotent: a second free is a no-op, not a double free.
    expect(() => b.predict(m)).toThrow(/after free/);
  });

  it('surfaces libxgboost errors with its message', () => {
    const m = new DMatrix(x, rows, cols);
    m.setLabels(y);
    const b = new Booster([m]);
    // XGBoost checks parameters when it configures, i.e. at the first update.
    b.setParam('objective', 'no:such');
    expect(() => b.updateOneIter(0, m)).toThrow(/libxgboost update iteration 0 failed: \S/);
    m.free();
    b.free();
    expect(() => new DMatrix(x, rows + 1, cols)).toThrow(/is not 2001 rows/);
  });
});
