import type {
  DateRange,
  FeatureSet,
  HyperParams,
  Module,
  TrainRequest,
} from '../../gen/landfall/v1/jobs_pb.js';
import { FEATURE_SETS } from '../features.js';

// The sample request has every sub-message; these reach into them.
const range = (r: TrainRequest) => r.range as DateRange;
const features = (r: TrainRequest) => r.features as FeatureSet;
const params = (r: TrainRequest) => r.params as HyperParams;

/**
 * One fault per row, applied to the sample request (src/proto/samples.ts): the field the
 * dispatcher must name in its rejection, and what its message must say.
 */
export const INVALID_REQUESTS: [string, (r: TrainRequest) => void, RegExp][] = [
  [
    'schema_version',
    (r) => {
      r.schemaVersion = 'train-v2';
    },
    /"train-v1"/,
  ],
  [
    'module',
    (r) => {
      r.module = 7 as Module;
    },
    /ARBITRAGE .* or MEV/,
  ],
  [
    'range',
    (r) => {
      r.range = undefined;
    },
    /required/,
  ],
  [
    'range.start',
    (r) => {
      range(r).start = 'yesterday';
    },
    /ISO-8601/,
  ],
  [
    'range.start',
    (r) => {
      // A local time: it would mean a different instant on every host.
      range(r).start = '2026-11-01T00:00:00';
    },
    /ISO-8601/,
  ],
  [
    'range.start',
    (r) => {
      // A date is UTC midnight, but only a real date: Date.parse would roll this into March.
      range(r).start = '2026-02-30';
    },
    /ISO-8601/,
  ],
  [
    'range.end',
    (r) => {
      range(r).end = '2026-13-45T00:00:00Z';
    },
    /ISO-8601/,
  ],
  [
    'range',
    (r) => {
      range(r).end = range(r).start;
    },
    /empty/,
  ],
  [
    'range',
    (r) => {
      range(r).end = '2026-10-01T00:00:00Z';
    },
    /reversed/,
  ],
  [
    'features.name',
    (r) => {
      features(r).name = 'everything';
    },
    /default.*extended/,
  ],
  [
    'features.include',
    (r) => {
      features(r).include.push('mempool_vibes');
    },
    /mempool_vibes/,
  ],
  [
    'features.exclude',
    (r) => {
      features(r).exclude.push('nope');
    },
    /nope/,
  ],
  [
    'features',
    (r) => {
      features(r).include = [];
      features(r).exclude = [...FEATURE_SETS.default];
    },
    /no feature/,
  ],
  [
    'model',
    (r) => {
      r.model = 'lightgbm';
    },
    /not supported/,
  ],
  [
    'params.max_depth',
    (r) => {
      params(r).maxDepth = 17;
    },
    /1\.\.16/,
  ],
  [
    'params.n_estimators',
    (r) => {
      params(r).nEstimators = 5001;
    },
    /1\.\.5000/,
  ],
  [
    'params.learning_rate',
    (r) => {
      params(r).learningRate = 1.5;
    },
    /\(0, 1\]/,
  ],
  [
    'params.learning_rate',
    (r) => {
      params(r).learningRate = -0.1;
    },
    /\(0, 1\]/,
  ],
  [
    'params.learning_rate',
    (r) => {
      params(r).learningRate = Number.NaN;
    },
    /\(0, 1\]/,
  ],
  [
    'output_dir',
    (r) => {
      r.outputDir = '/etc';
    },
    /not allowed/,
  ],
  [
    'output_dir',
    (r) => {
      r.outputDir = 'models/../../etc';
    },
    /not allowed/,
  ],
];
