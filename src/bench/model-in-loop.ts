import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ComparisonOptions, runPolicy } from '../agent/backtest.js';
import { Bootstrap, type Interval } from '../agent/bootstrap.js';
import { FEATURE_NAMES, FEATURE_SET } from '../agent/features.js';
import { HeuristicScorer } from '../agent/scorer.js';
import { createBus } from '../bus/create.js';
import { TypedBus } from '../bus/typed.js';
import { configSchema } from '../config/schema.js';
import { createLogger } from '../log.js';
import type { Module } from '../market/types.js';
import { type LoadedModel, loadModelProbed } from '../model/loader.js';
import { listVersions } from '../model/registry.js';
import { ModelScorer } from '../model/scorer.js';
import { openStore } from '../store/client.js';
import { migrateStore } from '../store/setup.js';
import { Sink } from '../store/sink.js';
import { until } from '../testing/until.js';
import { featureMask } from '../train/features.js';
import { PARAM_BOUNDS } from '../train/request.js';
import { runTelemetry } from '../train/testing/telemetry-run.js';
import { trainJob } from '../train/trainer.js';

export interface ModelInLoopOptions {
  /** Paper runs whose telemetry trains the models: tuning seeds only. */
  readonly trainSeeds: readonly number[];
  readonly trainMinutes: number;
  /** Paper exploration share of the training runs (`agent.paperExploration`). */
  readonly exploration: number;
  readonly heldoutSeeds: readonly number[];
  readonly heldoutMinutes: number;
  readonly onStep?: (done: number, total: number) => void;
}

export interface ModelInLoopResult {
  /** Σ model-scored profit / Σ heuristic-scored profit over the held-out seeds. */
  readonly ratio: number | null;
  readonly interval: Interval | null;
  readonly modelSol: number;
  readonly heuristicSol: number;
  /** Per module: validation AUC of the trained model, and its rows. */
  readonly trained: Record<Module, { auc: number; rows: number; version: string }>;
}

const HOUR = 3_600_000;

/**
 * The loop, measured: paper agents trade the tuning seeds with telemetry on the bus into the
 * embedded store (paper exploration on, so the data holds both sides of the gate); the
 * `landfall train` path (store rows → libxgboost → compiled C library, judged in the sandbox)
 * trains one model per module; then the same Landfall policies trade every held-out seed twice
 * — once scored by the heuristic, once by the trained models — and the paired ratio of their
 * profits, with a bootstrap interval over seeds, says what the model adds.
 */
export async function modelInLoop(options: ModelInLoopOptions): Promise<ModelInLoopResult> {
  const home = mkdtempSync(join(tmpdir(), 'lf-model-loop-'));
  const log = createLogger('silent');
  const config = configSchema.parse({
    home,
    agent: { paperExploration: options.exploration },
    store: { sink: { flushMs: 50 } },
    train: { minRows: 200 },
  });
  const total = options.trainSeeds.length + 2 + options.heldoutSeeds.length;
  let done = 0;
  const step = () => options.onStep?.(++done, total);
  const store = await openStore(config.store, { home });
  const bus = await createBus(config.bus);
  const typed = new TypedBus(bus);
  let sink: Sink | undefined;
  // The in-process bus and the sink's timers hold no handle: without this the process would
  // exit while waiting for the sink to catch up.
  const alive = setInterval(() => undefined, 1_000);
  try {
    await migrateStore(store, config);
    sink = await Sink.start({ bus: typed, store, logger: log, ...config.store.sink });
    // Inside the store's TTL: the runs end an hour ago, one after another.
    const span = options.trainMinutes * 60_000;
    const startMs = Math.floor(Date.now() / HOUR) * HOUR - HOUR - span * options.trainSeeds.length;
    const submitted = { arb: 0, mev: 0 };
    for (const [i, seed] of options.trainSeeds.entries()) {
      const run = await runTelemetry({
        config: { ...config, sim: { ...config.sim, seed } },
        publisher: typed,
        minutes: options.trainMinutes,
        startMs: startMs + i * span,
      });
      submitted.arb += run.submissions.arb;
      submitted.mev += run.submissions.mev;
      step();
    }
    await until(
      async () => {
        for (const m of ['arb', 'mev'] as const) {
          const [r] = await store.query<{ n: string }>(
            `SELECT count() AS n FROM ${store.database}.${m}_opportunities FINAL WHERE decision = 'DECISION_SUBMITTED'`,
          );
          if (Number(r?.n) < submitted[m]) return false;
        }
        return true;
      },
      'the sink to store every submitted opportunity',
      300_000,
      100,
    );
    const outputDir = join(home, config.model.dir);
    const trained = {} as ModelInLoopResult['trained'];
    const models: Partial<Record<Module, { current: LoadedModel }>> = {};
    for (const module of ['arb', 'mev'] as const) {
      const result = await trainJob(
        {
          jobId: `model-in-loop-${module}`,
          module,
          startMs,
          endMs: startMs + span * options.trainSeeds.length,
          rangeRead: { start: '', end: '', datesAsUtcMidnight: false },
          featureSet: 'default',
          mask: featureMask('default', [], []),
          maxDepth: PARAM_BOUNDS.maxDepth.default,
          nEstimators: PARAM_BOUNDS.nEstimators.default,
          learningRate: PARAM_BOUNDS.learningRate.default,
          gpu: false,
          gpuFallback: true,
          outputDir,
          issuer: 'bench',
        },
        { store, config, log },
      );
      const entry = listVersions(outputDir, module).find(
        (e) => e.manifest.version === result.modelVersion,
      );
      if (entry === undefined) throw new Error(`trained ${module} model not in the registry`);
      models[module] = {
        current: await loadModelProbed(entry.path, {
          module,
          featureNames: FEATURE_NAMES,
          sandbox: config.model.sandbox,
        }),
      };
      trained[module] = {
        auc: result.metrics.auc,
        rows: Number(result.metrics.trainRows + result.metrics.validationRows),
        version: result.modelVersion,
      };
      step();
    }
    const scorer = new ModelScorer({
      models,
      fallback: new HeuristicScorer(),
      featureSet: FEATURE_SET,
    });
    const model: number[] = [];
    const heuristic: number[] = [];
    for (const seed of options.heldoutSeeds) {
      const run = async (o: ComparisonOptions) =>
        Number((await runPolicy('landfall', '', { kind: 'landfall' }, o)).netProfitLamports) / 1e9;
      const base = { seed, minutes: options.heldoutMinutes };
      heuristic.push(await run(base));
      model.push(await run({ ...base, scorer }));
      step();
    }
    const estimate = new Bootstrap(model.length).ratio(model, heuristic);
    return {
      ratio: estimate.ratio,
      interval: estimate.interval,
      modelSol: model.reduce((s, v) => s + v, 0),
      heuristicSol: heuristic.reduce((s, v) => s + v, 0),
      trained,
    };
  } finally {
    clearInterval(alive);
    await sink?.stop();
    await bus.close();
    await store.close();
    rmSync(home, { recursive: true, force: true });
  }
}
