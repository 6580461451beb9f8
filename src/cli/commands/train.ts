import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { mintToken } from '../../auth/mint.js';
import { createBus } from '../../bus/create.js';
import { TypedBus } from '../../bus/typed.js';
import type { Config } from '../../config/schema.js';
import { LandfallError } from '../../errors.js';
import {
  type TrainAck,
  type TrainRequest,
  TrainRequestSchema,
  TrainState,
} from '../../gen/landfall/v1/jobs_pb.js';
import { createLogger } from '../../log.js';
import { toProtoModule } from '../../proto/module.js';
import { ackState, stateName } from '../../proto/train-state.js';
import { DirectoryInUseError } from '../../store/embedded-lock.js';
import { type System, startSystem } from '../../system/system.js';
import { trainThroughApi } from '../../train/api-client.js';
import { followJob } from '../../train/follow.js';
import { configFrom } from '../context.js';

interface TrainCliOptions {
  module: string;
  from: string;
  to: string;
  features: string;
  include?: string;
  exclude?: string;
  trees?: string;
  depth?: string;
  lr?: string;
  gpu?: boolean;
  gpuFallback?: boolean;
  outputDir?: string;
  jobId?: string;
  token?: string;
}

const list = (s: string | undefined) =>
  s === undefined
    ? []
    : s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);

function number(flag: string, value: string | undefined): number {
  if (value === undefined) return 0; // proto3 unset: the dispatcher applies the default
  const n = Number(value);
  if (!Number.isFinite(n))
    throw new LandfallError('LF_CLI_USAGE', `${flag} must be a number, not '${value}'`);
  return n;
}

function requestFrom(opts: TrainCliOptions, issuer: string): TrainRequest {
  const module =
    opts.module === 'mev' || opts.module === 'arb' ? toProtoModule(opts.module) : undefined;
  if (module === undefined) {
    throw new LandfallError('LF_CLI_USAGE', `--module must be mev or arb, not '${opts.module}'`);
  }
  return create(TrainRequestSchema, {
    schemaVersion: 'train-v1',
    jobId: opts.jobId ?? `train-${opts.module}-${randomUUID()}`,
    module,
    range: { start: opts.from, end: opts.to },
    features: { name: opts.features, include: list(opts.include), exclude: list(opts.exclude) },
    model: 'xgb',
    params: {
      maxDepth: number('--depth', opts.depth),
      nEstimators: number('--trees', opts.trees),
      learningRate: number('--lr', opts.lr),
      gpu: opts.gpu ?? false,
      gpuFallback: opts.gpuFallback ?? false,
    },
    outputDir: opts.outputDir ?? '',
    issuer,
  });
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description(
      'train a model on the stored telemetry: publish a train request, follow its acks until the ' +
        'model is published (live, or a candidate when it does not beat the live one) or the job failed (with the embedded bus, runs the dispatcher and a worker here)',
    )
    .requiredOption('--module <module>', 'mev or arb')
    .requiredOption('--from <instant>', 'range start, ISO-8601 (e.g. 2026-11-24T00:00:00Z)')
    .requiredOption('--to <instant>', 'range end (exclusive), ISO-8601')
    .option('--features <set>', 'feature set: default or extended', 'default')
    .option('--include <names>', 'comma-separated lf-v1 features to add to the set')
    .option('--exclude <names>', 'comma-separated lf-v1 features to leave out')
    .option('--trees <n>', 'boosting rounds (default 600)')
    .option('--depth <n>', 'maximum tree depth (default 8)')
    .option('--lr <x>', 'learning rate (default 0.08)')
    .option('--gpu', 'train on the CUDA device; fails without one')
    .option('--gpu-fallback', 'with --gpu: train on the CPU when there is no CUDA device')
    .option('--output-dir <dir>', 'registry to publish to (default: model.dir)')
    .option('--job-id <id>', 'job id (default: a new one); a known id is not trained again')
    .option(
      '--token <jwt>',
      'admin token for a running `landfall up` (default: $LANDFALL_TOKEN, or one minted from the configured secret)',
    )
    .action(async (opts: TrainCliOptions, command: Command) => {
      const { config } = configFrom(command);
      const request = requestFrom(opts, process.env.USER ?? 'cli');
      const ack = await (config.bus.kind === 'memory'
        ? trainEmbedded(config, request, opts.token)
        : trainOverBus(config, request));
      if (ackState(ack) !== TrainState.SUCCEEDED) {
        const field = ack.field === '' ? '' : ` (field ${ack.field})`;
        throw new LandfallError(
          'LF_TRAIN_FAILED',
          `job ${ack.jobId} ${stateName(ackState(ack))}${field}: ${ack.message}`,
        );
      }
    });
}

/** Production: the dispatcher and workers are other processes on the bus. */
async function trainOverBus(config: Config, request: TrainRequest): Promise<TrainAck> {
  const bus = await createBus(config.bus);
  try {
    return await publishAndFollow(new TypedBus(bus), request);
  } finally {
    await bus.close();
  }
}

/**
 * Embedded: an in-process bus reaches no other process, so the pipeline runs here — the
 * dispatcher, a worker, and the sink that stores the acks — on the embedded store. A running
 * `landfall up` holds that store; the error then says so.
 */
async function trainEmbedded(
  config: Config,
  request: TrainRequest,
  token: string | undefined,
): Promise<TrainAck> {
  const log = createLogger(config.log.level, 'train');
  let system: System;
  try {
    system = await startSystem({ config, log, services: ['sink', 'training'] });
  } catch (err) {
    if (!(err instanceof DirectoryInUseError)) throw err;
    return trainThroughRunningUp(config, request, token);
  }
  try {
    return await publishAndFollow(system.bus, request);
  } finally {
    await system.stop();
  }
}

/**
 * An admin token for the API: --token, $LANDFALL_TOKEN, or one minted from the configured
 * secret; `why` says why the API is needed when there is none.
 */
export async function adminBearer(
  config: Config,
  token: string | undefined,
  subject: string,
  why: string,
): Promise<string> {
  const bearer =
    token ??
    process.env.LANDFALL_TOKEN ??
    (config.auth.hmacSecret === undefined
      ? undefined
      : await mintToken(config.auth, { role: 'admin', subject, ttlSeconds: 3600 }));
  if (bearer === undefined) {
    throw new LandfallError(
      'LF_CLI_USAGE',
      `${why}: pass the admin token it printed with --token or LANDFALL_TOKEN`,
    );
  }
  return bearer;
}

/** The configured API's URL, as a client on this host reaches it. */
export function apiUrlOf(config: Config): string {
  const host = config.api.host === '0.0.0.0' ? '127.0.0.1' : config.api.host;
  return `http://${host}:${config.api.port}`;
}

/** `landfall up` holds the embedded store and bus: go through its API instead. */
async function trainThroughRunningUp(
  config: Config,
  request: TrainRequest,
  token: string | undefined,
): Promise<TrainAck> {
  const bearer = await adminBearer(
    config,
    token,
    request.issuer,
    'a running `landfall up` holds the embedded store, so the job goes through its API',
  );
  const apiUrl = apiUrlOf(config);
  process.stdout.write(`landfall up is running: job ${request.jobId} goes through ${apiUrl}\n`);
  const view = progressView(request.jobId);
  try {
    const ack = await trainThroughApi({ apiUrl, token: bearer, request, onAck: view.update });
    view.stop();
    report(ack);
    return ack;
  } finally {
    view.stop();
  }
}

async function publishAndFollow(bus: TypedBus, request: TrainRequest): Promise<TrainAck> {
  const view = progressView(request.jobId);
  const follower = await followJob(bus, request.jobId, view.update);
  try {
    await bus.publish('train-requests-proto', request);
    process.stdout.write(`job ${request.jobId} requested\n`);
    const ack = await follower.done;
    view.stop();
    report(ack);
    return ack;
  } finally {
    view.stop();
    await follower.close();
  }
}

function report(ack: TrainAck): void {
  if (ackState(ack) !== TrainState.SUCCEEDED || ack.metrics === undefined) return;
  const m = ack.metrics;
  process.stdout.write(
    `model ${ack.modelVersion}: validation AUC ${m.auc.toFixed(3)}, log-loss ${m.logLoss.toFixed(3)}, ` +
      `expected profit ${m.expectedProfitSol.toFixed(4)} SOL at threshold ${m.threshold.toFixed(3)} ` +
      `(${m.trainRows} training rows, ${m.validationRows} validation rows)\n`,
  );
}

/** A progress bar on a terminal; one line per state change otherwise (logs, CI). */
function progressView(jobId: string) {
  const tty = process.stdout.isTTY === true;
  const bar = tty
    ? new SingleBar({ format: `${jobId} [{bar}] {percentage}% {message}` })
    : undefined;
  let started = false;
  let last = '';
  return {
    update(ack: TrainAck) {
      if (bar !== undefined && ackState(ack) === TrainState.RUNNING) {
        if (!started) bar.start(100, 0, { message: '' });
        started = true;
        bar.update(Math.round(ack.progress * 100), { message: ack.message });
        return;
      }
      const line = `${stateName(ackState(ack))}: ${ack.message}`;
      const decile = Math.floor(ack.progress * 10);
      const key = `${ack.state}/${decile}`;
      if (ackState(ack) === TrainState.RUNNING && key === last) return;
      last = key;
      if (bar !== undefined && started) bar.stop();
      started = false;
      process.stdout.write(`${line}\n`);
    },
    stop() {
      if (started) bar?.stop();
      started = false;
    },
  };
}
