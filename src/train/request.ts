import { isAbsolute, relative, resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import type { TrainRequest } from '../gen/landfall/v1/jobs_pb.js';
import type { Module } from '../market/types.js';
import { fromProtoModule } from '../proto/module.js';
import { type FeatureSetName, featureMask, isFeatureSetName, unknownFeature } from './features.js';

/**
 * Bounds on a request's hyper-parameters; 0 (proto3's unset) takes the default, the seed's
 * (max_depth 8, n_estimators 600, learning_rate 0.08) so a seed client trains as it did there.
 */
export const PARAM_BOUNDS = {
  maxDepth: { min: 1, max: 16, default: 8 },
  nEstimators: { min: 1, max: 5000, default: 600 },
  learningRate: { min: 0, max: 1, default: 0.08 },
} as const;

/** A request the dispatcher accepted: every field checked, defaults applied, paths resolved. */
export interface TrainJob {
  readonly jobId: string;
  readonly module: Module;
  readonly startMs: number;
  readonly endMs: number;
  /** How the range was read, for the ack: instants, and whether a bound was a bare date. */
  readonly rangeRead: RangeRead;
  readonly featureSet: FeatureSetName;
  /** Over lf-v1: true where the feature is trained on. */
  readonly mask: readonly boolean[];
  readonly maxDepth: number;
  readonly nEstimators: number;
  readonly learningRate: number;
  readonly gpu: boolean;
  readonly gpuFallback: boolean;
  /** Absolute registry directory the model is published to. */
  readonly outputDir: string;
  readonly issuer: string;
}

export interface RangeRead {
  /** ISO-8601 instants in UTC: start inclusive, end exclusive. */
  readonly start: string;
  readonly end: string;
  readonly datesAsUtcMidnight: boolean;
}

export type Verdict =
  | { readonly ok: true; readonly job: TrainJob }
  | { readonly ok: false; readonly field: string; readonly message: string };

const reject = (field: string, message: string): Verdict => ({ ok: false, field, message });

// A full UTC or offset timestamp, or a bare date (the seed's clients write "2026-11-01"), which
// means UTC midnight: a local time would mean different instants on different hosts.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

interface Bound {
  readonly ms: number;
  readonly date: boolean;
}

function bound(value: string): Bound | undefined {
  if (ISO_DATE.test(value)) {
    const ms = Date.parse(`${value}T00:00:00Z`);
    // Date.parse rolls "2026-02-30" over into March: only a date that reads back is one.
    const real = Number.isFinite(ms) && new Date(ms).toISOString().startsWith(value);
    return real ? { ms, date: true } : undefined;
  }
  if (!ISO_INSTANT.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? { ms, date: false } : undefined;
}

/**
 * learning_rate is a float on the wire (the seed's type): 0.08 arrives as 0.0799999982. Read it
 * as the shortest decimal that rounds to the same float, which is what its writer meant.
 */
export function shortestFloat(value: number): number {
  const f = Math.fround(value);
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(f.toPrecision(digits));
    if (Math.fround(candidate) === f) return candidate;
  }
  return f;
}

function withDefault(value: number, bounds: { default: number }): number {
  return value === 0 ? bounds.default : value;
}

/** Checks a train request field by field; the first fault is named with its proto path. */
export function validateRequest(request: TrainRequest, config: Config): Verdict {
  if (request.schemaVersion !== 'train-v1') {
    return reject(
      'schema_version',
      `schema_version must be "train-v1", got "${request.schemaVersion}"`,
    );
  }
  const module = fromProtoModule(request.module);
  if (module === undefined) {
    return reject('module', `module must be ARBITRAGE (0) or MEV (1), got ${request.module}`);
  }
  const range = request.range;
  if (range === undefined) return reject('range', 'range is required: {start, end}');
  const start = bound(range.start);
  if (start === undefined) {
    return reject(
      'range.start',
      `range.start must be an ISO-8601 instant with an offset or a date (UTC midnight), got "${range.start}"`,
    );
  }
  const end = bound(range.end);
  if (end === undefined) {
    return reject(
      'range.end',
      `range.end must be an ISO-8601 instant with an offset or a date (UTC midnight), got "${range.end}"`,
    );
  }
  const startMs = start.ms;
  const endMs = end.ms;
  if (endMs < startMs) return reject('range', `range is reversed: ${range.end} < ${range.start}`);
  if (endMs === startMs)
    return reject('range', 'range is empty: start equals end (end is exclusive)');
  const features = request.features;
  const setName = features?.name || 'default';
  if (!isFeatureSetName(setName)) {
    return reject(
      'features.name',
      `features.name must be "default" or "extended", got "${setName}"`,
    );
  }
  const include = features?.include ?? [];
  const exclude = features?.exclude ?? [];
  const badInclude = unknownFeature(include);
  if (badInclude !== undefined) {
    return reject('features.include', `unknown feature "${badInclude}" (not in lf-v1)`);
  }
  const badExclude = unknownFeature(exclude);
  if (badExclude !== undefined) {
    return reject('features.exclude', `unknown feature "${badExclude}" (not in lf-v1)`);
  }
  const mask = featureMask(setName, include, exclude);
  if (!mask.some(Boolean)) return reject('features', 'no feature is left to train on');
  if ((request.model || 'xgb') !== 'xgb') {
    return reject('model', `model "${request.model}" is not supported (supported: "xgb")`);
  }
  const params = request.params;
  const maxDepth = withDefault(params?.maxDepth ?? 0, PARAM_BOUNDS.maxDepth);
  if (maxDepth > PARAM_BOUNDS.maxDepth.max) {
    return reject('params.max_depth', `params.max_depth must be in 1..16, got ${maxDepth}`);
  }
  const nEstimators = withDefault(params?.nEstimators ?? 0, PARAM_BOUNDS.nEstimators);
  if (nEstimators > PARAM_BOUNDS.nEstimators.max) {
    return reject(
      'params.n_estimators',
      `params.n_estimators must be in 1..5000, got ${nEstimators}`,
    );
  }
  const learningRate = shortestFloat(
    withDefault(params?.learningRate ?? 0, PARAM_BOUNDS.learningRate),
  );
  if (!(learningRate > 0 && learningRate <= 1)) {
    return reject(
      'params.learning_rate',
      `params.learning_rate must be in (0, 1], got ${learningRate}`,
    );
  }
  const outputDir = allowedOutputDir(request.outputDir, config);
  if (outputDir === undefined) {
    return reject(
      'output_dir',
      `output_dir "${request.outputDir}" is not allowed; allowed: the model registry or train.outputDirs`,
    );
  }
  return {
    ok: true,
    job: {
      jobId: request.jobId,
      module,
      startMs,
      endMs,
      rangeRead: {
        start: new Date(startMs).toISOString(),
        end: new Date(endMs).toISOString(),
        datesAsUtcMidnight: start.date || end.date,
      },
      featureSet: setName,
      mask,
      maxDepth,
      nEstimators,
      learningRate,
      gpu: params?.gpu ?? false,
      gpuFallback: params?.gpuFallback ?? false,
      outputDir,
      issuer: request.issuer,
    },
  };
}

/** The resolved directory when it is the registry or inside an allowed one. */
function allowedOutputDir(requested: string, config: Config): string | undefined {
  const registry = resolve(config.home, config.model.dir);
  if (requested === '') return registry;
  const wanted = resolve(config.home, requested);
  const roots = [registry, ...config.train.outputDirs.map((d) => resolve(config.home, d))];
  return roots.some((root) => within(root, wanted)) ? wanted : undefined;
}

function within(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
