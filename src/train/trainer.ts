import { FEATURE_NAMES } from '../agent/features.js';
import type { Config } from '../config/schema.js';
import { LandfallError } from '../errors.js';
import type { TrainMetrics } from '../gen/landfall/v1/jobs_pb.js';
import type { Logger } from '../log.js';
import { compileXgbJson } from '../model/build.js';
import { sha256File } from '../model/loader.js';
import { decidePromotion, figuresAsMetrics, type PromotionDecision } from '../model/promotion.js';
import { publish, versionOf } from '../model/registry.js';
import type { Store } from '../store/types.js';
import { scoreLive } from './champion.js';
import { type Dataset, loadRows, splitByTime } from './dataset.js';
import { auc, bestThreshold, logLoss } from './evaluate.js';
import type { TrainJob } from './request.js';
import { Booster, cudaParams, DMatrix, probeCuda } from './xgboost.js';

export interface TrainDeps {
  readonly store: Store;
  readonly config: Config;
  readonly log: Logger;
  /** Called after each boosting round with the fraction of rounds done. */
  readonly onRound?: (round: number, rounds: number) => Promise<void>;
  /** libxgboost to load; the default is Debian's libxgboost.so.0. */
  readonly library?: string;
}

export interface TrainResult {
  readonly modelVersion: string;
  readonly metrics: Omit<TrainMetrics, '$typeName' | '$unknown'>;
  /** Whether it went live, and the figures that decided (champion/challenger). */
  readonly promotion: PromotionDecision;
  readonly device: 'cpu' | 'cuda';
  /** Set when the job asked for the GPU and ran on the CPU instead. */
  readonly note?: string;
}

/**
 * One training job: labelled rows from ClickHouse, a time split, `binary:logistic` boosting
 * with the hist method through libxgboost, validation metrics, the profit-maximising decision
 * threshold, then compile (C, ABI v1; the library judged in the sandbox as an agent will) and
 * publish it as a candidate, made live only when it beats the live model on the validation
 * window (src/model/promotion.ts).
 */
export async function trainJob(job: TrainJob, deps: TrainDeps): Promise<TrainResult> {
  const { config } = deps;
  const device = chooseDevice(job, deps.library);
  const rows = await loadRows(deps.store, job);
  if (rows.length < config.train.minRows) {
    throw new LandfallError(
      'LF_TRAIN_NO_DATA',
      `${rows.length} labelled ${job.module} rows in ${iso(job.startMs)}..${iso(job.endMs)}, fewer than train.minRows ${config.train.minRows}: widen the range or let the agents run longer`,
    );
  }
  const data = splitByTime(rows, job.mask, config.train.validationFraction);
  checkSplit(data);
  const booster = await boost(job, data, device.params, deps);
  try {
    const p = predict(booster, data, deps.library);
    const choice = bestThreshold(p, data.validation.profit);
    if (choice.trades === 0) {
      // Publishing would make the agents trade nothing: keep the live model instead.
      throw new LandfallError(
        'LF_TRAIN_UNPROFITABLE',
        `no decision threshold earns money on the ${data.validation.rows} validation rows (validation AUC ${auc(p, data.validation.labels).toFixed(3)}); the model is not published and the live one keeps serving`,
      );
    }
    const metrics = {
      auc: auc(p, data.validation.labels),
      logLoss: logLoss(p, data.validation.labels),
      expectedProfitSol: choice.profitLamports / 1e9,
      threshold: choice.threshold,
      trainRows: BigInt(data.train.rows),
      validationRows: BigInt(data.validation.rows),
    };
    const candidate = await compileXgbJson(booster.saveJson(), {
      module: job.module,
      threshold: choice.threshold,
      featureNames: [...FEATURE_NAMES],
      cc: config.model.cc,
      sandbox: config.model.sandbox,
    });
    try {
      const version = versionOf(sha256File(candidate.libraryPath));
      // The live model is judged on the same rows, with every feature (it was trained so).
      const whole = splitByTime(
        rows,
        FEATURE_NAMES.map(() => true),
        config.train.validationFraction,
      );
      const live = scoreLive(
        job.outputDir,
        job.module,
        whole.validation,
        whole.cols,
        config.model.sandbox,
      );
      const promotion = decidePromotion(
        {
          version,
          profitSol: metrics.expectedProfitSol,
          threshold: choice.threshold,
          validationRows: data.validation.rows,
        },
        live,
        config.train.promotion,
      );
      const identical = promotion.figures.liveVersion === version;
      // The live model's bytes again (the same rows and parameters): its manifest stays as is.
      const manifest = identical
        ? { version }
        : publish(
            job.outputDir,
            {
              ...candidate.input,
              trainingJobId: job.jobId,
              source: `training job ${job.jobId}`,
              metrics: {
                ...candidate.input.metrics,
                validation_auc: metrics.auc,
                validation_log_loss: metrics.logLoss,
                expected_profit_sol: metrics.expectedProfitSol,
                train_rows: data.train.rows,
                validation_rows: data.validation.rows,
                ...figuresAsMetrics(promotion),
              },
            },
            config.model.keep,
            { activate: promotion.promote },
          );
      return {
        modelVersion: manifest.version,
        metrics,
        promotion,
        device: device.name,
        ...(device.note === undefined ? {} : { note: device.note }),
      };
    } finally {
      candidate.dispose();
    }
  } finally {
    booster.free();
  }
}

interface Device {
  name: 'cpu' | 'cuda';
  params: Record<string, string>;
  note?: string;
}

function chooseDevice(job: TrainJob, library?: string): Device {
  const cpu: Device = { name: 'cpu', params: { tree_method: 'hist' } };
  if (!job.gpu) return cpu;
  const probe = probeCuda(library);
  if (probe.ok) return { name: 'cuda', params: cudaParams(library) };
  if (job.gpuFallback)
    return { ...cpu, note: `no CUDA device (${probe.reason}): trained on the CPU` };
  throw new LandfallError(
    'LF_TRAIN_GPU_UNAVAILABLE',
    `params.gpu asks for a CUDA device, but ${probe.reason}; set params.gpu_fallback to train on the CPU`,
  );
}

function checkSplit(data: Dataset): void {
  const positives = data.train.labels.reduce((n, y) => n + y, 0);
  if (positives === 0 || positives === data.train.rows) {
    throw new LandfallError(
      'LF_TRAIN_NO_DATA',
      `every training row is labelled ${positives === 0 ? 'not paying' : 'paying'}: nothing to learn a decision from`,
    );
  }
  if (data.validation.rows === 0) {
    throw new LandfallError('LF_TRAIN_NO_DATA', 'no rows left for validation after the time split');
  }
}

/**
 * Boosting as a job runs it: a DMatrix over the training split, then one libxgboost update per
 * round with the progress callback between rounds (the benchmark times exactly this).
 */
export async function boost(
  job: Pick<TrainJob, 'maxDepth' | 'nEstimators' | 'learningRate'>,
  data: Pick<Dataset, 'train' | 'cols'>,
  deviceParams: Record<string, string>,
  deps: Pick<TrainDeps, 'config' | 'onRound' | 'library'>,
): Promise<Booster> {
  const m = new DMatrix(data.train.data, data.train.rows, data.cols, deps.library);
  try {
    m.setLabels(data.train.labels);
    const b = new Booster([m], deps.library);
    try {
      b.setParam('objective', 'binary:logistic');
      b.setParam('eval_metric', 'logloss');
      b.setParam('max_depth', job.maxDepth);
      b.setParam('eta', job.learningRate);
      b.setParam('seed', deps.config.train.seed);
      if (deps.config.train.threads > 0) b.setParam('nthread', deps.config.train.threads);
      for (const [k, v] of Object.entries(deviceParams)) b.setParam(k, v);
      for (let round = 0; round < job.nEstimators; round++) {
        b.updateOneIter(round, m);
        await deps.onRound?.(round + 1, job.nEstimators);
        // Each round blocks the event loop inside libxgboost; yielding between rounds lets
        // timers run (the queue's lock renewal: a lost lock would run the job twice).
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      return b;
    } catch (err) {
      b.free();
      throw err;
    }
  } finally {
    m.free();
  }
}

function predict(booster: Booster, data: Dataset, library?: string): Float32Array {
  const v = new DMatrix(data.validation.data, data.validation.rows, data.cols, library);
  try {
    return booster.predict(v);
  } finally {
    v.free();
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
