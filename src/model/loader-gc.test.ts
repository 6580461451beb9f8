import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildHandModel, constantGolden } from './hand-built.js';
import { loadModel } from './loader.js';
import { latestName, publish } from './registry.js';

const FEATURES = ['a', 'b'];

/** Full collections, so anything koffi would finalize is finalized now. */
async function collect(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined)
    throw new Error('run the tests with --expose-gc (vitest.config.ts execArgv)');
  for (let i = 0; i < 5; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
}

describe('loaded models survive garbage collection', () => {
  it('keeps answering after full collections, with only the model object held', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-gc-'));
    const models = [];
    // Several libraries, loaded and then referenced only through what loadModel returned.
    for (const [i, p] of [0.125, 0.25, 0.375].entries()) {
      const file = join(dir, `m${i}.so`);
      await buildHandModel({ module: 'arb', p, nFeatures: FEATURES.length }, file);
      publish(
        dir,
        {
          module: 'arb',
          libraryPath: file,
          featureNames: FEATURES,
          threshold: 0.5,
          golden: constantGolden(2, p),
        },
        10,
      );
      models.push({
        p,
        model: loadModel(join(dir, latestName('arb')), { module: 'arb', featureNames: FEATURES }),
      });
    }
    await collect();
    for (const { p, model } of models) expect(model.predict(Float32Array.of(1, 2))).toBe(p);
  });
});
