import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { configSchema } from '../../config/schema.js';
import { compileXgbJson } from '../../model/build.js';
import { HotModel } from '../../model/hot.js';
import { loadModel } from '../../model/loader.js';
import { GOLDEN_TOLERANCE } from '../../model/manifest.js';
import { DEFAULT_SANDBOX, probeLibrarySync } from '../../model/probe.js';
import { activate, publish } from '../../model/registry.js';
import { randomData } from '../../model/synthetic.js';
import { nativeRow, trainBinary } from '../../train/xgboost.js';
import type { BenchContext, BenchRow, BenchSuite } from '../harness.js';
import { measureThroughput, percentile } from '../stats.js';

const FEATURES = 11; // The agent's feature set lf-v1.
const DEPTH = 6;
const TREES = 100;
const ROWS = 4_096;
const SWAPS = 40;
const VALIDATIONS = 20;

/**
 * Single-row prediction, Landfall's compiled `.so` against XGBoost's own fastest single-row
 * path (in-place predict on a dense row) on the same model; then hot swaps: from the rename
 * of `lib<module>_latest.so` to the first prediction the new model serves in a busy loop.
 */
export const modelSuite: BenchSuite = {
  name: 'model',
  description: `compiled model (${TREES} trees, depth ${DEPTH}, ${FEATURES} features) vs libxgboost; hot swap latency`,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const { x, y } = randomData(20_000, FEATURES, 5);
    const booster = trainBinary(x, y, FEATURES, { maxDepth: DEPTH, rounds: TREES, seed: 1 });
    const json = booster.saveJson();
    const names = Array.from({ length: FEATURES }, (_, i) => `f${i}`);
    const built = await compileXgbJson(json, { module: 'arb', threshold: 0.5 });
    const model = loadModel(built.libraryPath, { module: 'arb', featureNames: names });
    ctx.progress(1, SWAPS + 3);

    const rows = Array.from({ length: ROWS }, (_, i) => x.slice(i * FEATURES, (i + 1) * FEATURES));
    let sink = 0;
    const opts = { batches: 50, batchSize: 20_000 };
    const so = measureThroughput((i) => {
      sink += model.predict(rows[i & (ROWS - 1)] as Float32Array);
    }, opts);
    const native = nativeRow(FEATURES);
    const xgb = measureThroughput((i) => {
      native.values.set(rows[i & (ROWS - 1)] as Float32Array);
      sink += booster.predictInplace(native);
    }, opts);
    booster.free();
    ctx.progress(2, SWAPS + 3);

    const validateMs = measureValidation(built.libraryPath, built.input.golden);
    const { samples: swapMs, loads, fromVerdict } = await measureSwaps(json, ctx);
    built.dispose();
    if (Number.isNaN(sink)) throw new Error('a prediction was NaN');
    return [
      { name: 'landfall_so', metric: 'predict_ns', value: so.nsPerOpP50, unit: 'ns' },
      { name: 'landfall_so', metric: 'predict_ns_p99', value: so.nsPerOpP99, unit: 'ns' },
      { name: 'xgboost', metric: 'predict_ns', value: xgb.nsPerOpP50, unit: 'ns' },
      { name: 'xgboost', metric: 'predict_ns_p99', value: xgb.nsPerOpP99, unit: 'ns' },
      {
        name: 'speedup',
        metric: 'speedup_vs_xgboost',
        value: xgb.nsPerOpP50 / so.nsPerOpP50,
        unit: 'x',
      },
      { name: 'swap', metric: 'p50_ms', value: percentile(swapMs, 0.5), unit: 'ms' },
      { name: 'swap', metric: 'p99_ms', value: percentile(swapMs, 0.99), unit: 'ms' },
      { name: 'swap', metric: 'load_validate_ms_p50', value: percentile(loads, 0.5), unit: 'ms' },
      { name: 'swap', metric: 'load_validate_ms_p99', value: percentile(loads, 0.99), unit: 'ms' },
      { name: 'swap', metric: 'samples', value: swapMs.length, unit: 'swaps' },
      // The agent's own part of a swap: the child's verdict → first prediction by the new model.
      {
        name: 'swap',
        metric: 'from_verdict_ms_p50',
        value: percentile(fromVerdict, 0.5),
        unit: 'ms',
      },
      {
        name: 'swap',
        metric: 'from_verdict_ms_p99',
        value: percentile(fromVerdict, 0.99),
        unit: 'ms',
      },
      {
        name: 'sandbox_validate',
        metric: 'p50_ms',
        value: percentile(validateMs, 0.5),
        unit: 'ms',
      },
      {
        name: 'sandbox_validate',
        metric: 'p99_ms',
        value: percentile(validateMs, 0.99),
        unit: 'ms',
      },
    ];
  },
};

/**
 * A candidate's validation as `landfall model publish`, a trainer or an agent's start runs it:
 * from the child's start to its verdict, with the default limits (golden vectors, latency
 * sample, 2,000 random vectors).
 */
function measureValidation(
  file: string,
  golden: Parameters<typeof probeLibrarySync>[0]['golden'],
): number[] {
  const ms: number[] = [];
  for (let i = 0; i < VALIDATIONS; i++) {
    const start = process.hrtime.bigint();
    const reason = probeLibrarySync(
      { file, module: 'arb', nFeatures: FEATURES, golden, tolerance: GOLDEN_TOLERANCE },
      DEFAULT_SANDBOX,
    );
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (reason !== undefined) throw new Error(`the sandbox refused the benchmark model: ${reason}`);
  }
  return ms;
}

/**
 * Publishes SWAPS builds of the same trees (each with its own threshold, hence its own bytes
 * and version) and times rename → first prediction by the new version, with predictions
 * running in a loop that yields to the event loop every 64 calls, as an agent does.
 */
async function measureSwaps(
  json: string,
  ctx: BenchContext,
): Promise<{ samples: number[]; loads: number[]; fromVerdict: number[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'landfall-bench-models-'));
  const versions: string[] = [];
  for (let i = 0; i < SWAPS + 1; i++) {
    const built = await compileXgbJson(json, { module: 'arb', threshold: 0.3 + i / 1000 });
    versions.push(publish(dir, built.input, SWAPS + 2).version);
    built.dispose();
    ctx.progress(3 + i, SWAPS + 3);
  }
  activate(dir, 'arb', versions[0] as string);
  const names = Array.from({ length: FEATURES }, (_, i) => `f${i}`);
  const hot = new HotModel({
    dir,
    module: 'arb',
    featureNames: names,
    debounceMs: configSchema.parse({}).model.debounceMs,
  });
  hot.start();
  const row = new Float32Array(FEATURES);
  const samples: number[] = [];
  const loads: number[] = [];
  const fromVerdict: number[] = [];
  try {
    for (const v of versions.slice(1)) {
      const start = process.hrtime.bigint();
      activate(dir, 'arb', v);
      for (;;) {
        let served: string | undefined;
        for (let k = 0; k < 64; k++) {
          const m = hot.current;
          if (m) {
            m.predict(row);
            served = m.version;
          }
        }
        if (served === v) break;
        await new Promise((r) => setImmediate(r));
      }
      samples.push(Number(process.hrtime.bigint() - start) / 1e6);
      fromVerdict.push(performance.now() - hot.verdictAt);
      loads.push(hot.loadMs);
    }
  } finally {
    hot.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { samples, loads, fromVerdict };
}
