import { fromBinary } from '@bufbuild/protobuf';
import { AuditLedger } from '../audit/ledger.js';
import type { TypedBus } from '../bus/typed.js';
import type { Config } from '../config/schema.js';
import { describeError, isLandfallError } from '../errors.js';
import { type TrainRequest, TrainRequestSchema, TrainState } from '../gen/landfall/v1/jobs_pb.js';
import type { Logger } from '../log.js';
import type { Module } from '../market/types.js';
import type { PromotionDecision } from '../model/promotion.js';
import { toProtoModule } from '../proto/module.js';
import type { Store } from '../store/types.js';
import { publishAck } from './acks.js';
import type { TrainJobData } from './dispatcher.js';
import { createWorker } from './queue/create.js';
import { PermanentJobError, type QueueJob, type QueueWorker } from './queue/types.js';
import { validateRequest } from './request.js';
import { trainJob } from './trainer.js';

export interface TrainWorkerOptions {
  readonly config: Config;
  readonly bus: TypedBus;
  readonly store: Store;
  readonly log: Logger;
  /** libxgboost to load (tests); Debian's libxgboost.so.0 by default. */
  readonly library?: string;
}

/** Acks per job while boosting, at most: enough for a smooth bar, not a flood. */
const PROGRESS_ACKS = 100;

// Failures that the same job would meet again on retry: report at once, do not retry.
const PERMANENT = [
  'LF_TRAIN_NO_DATA',
  'LF_TRAIN_GPU_UNAVAILABLE',
  'LF_TRAIN_UNPROFITABLE',
  'LF_TRAIN_INVALID',
  'LF_MODEL_COMPILE',
  'LF_MODEL_REJECTED',
] as const;

/**
 * `landfall worker`: takes training jobs from the queue and runs them, reporting each step on
 * train-acks-proto. A transient failure (store or bus unavailable, a crash) is retried by the
 * queue with backoff; a job that cannot succeed (no data, no GPU) fails at once with the reason.
 */
export function startTrainWorker(options: TrainWorkerOptions): QueueWorker {
  const { config, bus, log } = options;
  const ackFailure = (job: QueueJob<TrainJobData>, err: unknown, willRetry: boolean) => {
    const reason = describeError(err instanceof PermanentJobError ? err.cause : err);
    log.warn({ jobId: job.id, attempt: job.attempt, willRetry, err }, 'training attempt failed');
    publishAck(bus, {
      jobId: job.id,
      module: requestOf(job).module,
      state: willRetry ? TrainState.RUNNING : TrainState.FAILED,
      message: willRetry
        ? `attempt ${job.attempt}/${job.maxAttempts} failed: ${reason}; retrying`
        : err instanceof PermanentJobError
          ? reason
          : `failed after ${job.attempt} attempt(s): ${reason}`,
    }).catch((e: unknown) => log.error({ err: e, jobId: job.id }, 'cannot publish train ack'));
  };
  return createWorker<TrainJobData>(
    config.queue,
    config.train.queueName,
    (job) => runJob(job, options),
    { onFailed: ackFailure },
  );
}

function requestOf(job: QueueJob<TrainJobData>): TrainRequest {
  return fromBinary(TrainRequestSchema, Buffer.from(job.data.request, 'base64'));
}

async function runJob(qjob: QueueJob<TrainJobData>, options: TrainWorkerOptions): Promise<void> {
  const { config, bus, log } = options;
  const request = requestOf(qjob);
  const verdict = validateRequest(request, config);
  if (!verdict.ok) {
    // The dispatcher accepted it under another config (e.g. train.outputDirs differ here).
    await publishAck(bus, {
      jobId: qjob.id,
      state: TrainState.FAILED,
      field: verdict.field,
      message: `this worker's config rejects the request: ${verdict.message}`,
    });
    return;
  }
  const job = verdict.job;
  const module = toProtoModule(job.module);
  await qjob.progress(0);
  await publishAck(bus, {
    jobId: job.jobId,
    module,
    state: TrainState.RUNNING,
    progress: 0,
    message: `attempt ${qjob.attempt}/${qjob.maxAttempts}: building the dataset`,
  });
  const every = Math.max(1, Math.ceil(job.nEstimators / PROGRESS_ACKS));
  try {
    const result = await trainJob(job, {
      store: options.store,
      config,
      log,
      ...(options.library === undefined ? {} : { library: options.library }),
      onRound: async (round, rounds) => {
        if (round % every !== 0 && round !== rounds) return;
        const progress = round / rounds;
        await qjob.progress(progress);
        await publishAck(bus, {
          jobId: job.jobId,
          module,
          state: TrainState.RUNNING,
          progress,
          message: `boosting round ${round}/${rounds}`,
        });
      },
    });
    const m = result.metrics;
    const { promotion } = result;
    log.info(
      { jobId: job.jobId, version: result.modelVersion, metrics: m, promoted: promotion.promote },
      promotion.promote ? 'model published and live' : 'model published as a candidate',
    );
    await auditPromotion(options, job.jobId, job.module, promotion);
    await publishAck(bus, {
      jobId: job.jobId,
      module,
      state: TrainState.SUCCEEDED,
      progress: 1,
      metrics: m,
      modelVersion: result.modelVersion,
      message:
        `model ${result.modelVersion} ${promotion.promote ? 'is live' : 'is a candidate, not live,'} in ${job.outputDir} (${result.device}; validation AUC ${m.auc.toFixed(3)}, threshold ${m.threshold.toFixed(3)}); ${promotion.reason}` +
        (result.note === undefined ? '' : `; ${result.note}`),
    });
  } catch (err) {
    // The same job would meet these again: fail it now (onFailed acks), no retries.
    if (PERMANENT.some((code) => isLandfallError(err, code))) throw new PermanentJobError(err);
    throw err;
  }
}

/**
 * Every automatic decision goes to the audit ledger with its figures: `ok` when the
 * candidate went live, `rejected` when it stays a candidate.
 */
async function auditPromotion(
  options: TrainWorkerOptions,
  jobId: string,
  module: Module,
  promotion: PromotionDecision,
): Promise<void> {
  await new AuditLedger(options.bus).record({
    subject: 'trainer',
    role: 'service',
    action: 'model.promote',
    params: { module, jobId, rule: options.config.train.promotion, ...promotion.figures },
    result: promotion.promote ? 'ok' : 'rejected',
    detail: promotion.reason,
  });
}
