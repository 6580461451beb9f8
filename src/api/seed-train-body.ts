import { z } from 'zod';
import {
  featureSetField,
  jobIdField,
  nameField,
  outputDirField,
  rangeField,
  uint32Field,
} from './train-body-fields.js';
import type { TrainBody } from './train-request.js';

/**
 * The seed's training body, as its dashboard API (Python) took it:
 * `{"module":"mev","range":{"start":"2026-11-01","end":"2026-11-08"},"features":"default",
 * "model":"xgb","params":{"max_depth":8,"n_estimators":600,"learning_rate":0.08},"gpu":true,
 * "output":"models"}`. Module names are lower case, parameters snake_case, the feature set a
 * bare name (or Landfall's {name, include, exclude}), `gpu` and `output` at the top level.
 */
export const seedTrainBodySchema = z.strictObject({
  job_id: jobIdField.optional(),
  module: z.enum(['mev', 'arb', 'arbitrage']),
  range: rangeField,
  features: z.union([nameField, featureSetField]).optional(),
  model: nameField.optional(),
  params: z
    .strictObject({
      max_depth: uint32Field.optional(),
      n_estimators: uint32Field.optional(),
      learning_rate: z.number().finite().optional(),
      gpu_fallback: z.boolean().optional(),
    })
    .optional(),
  gpu: z.boolean().optional(),
  output: outputDirField.optional(),
});

/** Whether `body` is written in the seed's shape: its module is lower case ("mev", "arb"). */
export function isSeedBody(body: unknown): boolean {
  const module = (body as { module?: unknown } | null)?.module;
  return typeof module === 'string' && module !== module.toUpperCase();
}

/** The seed's body in Landfall's protobuf-JSON shape (field names as the TrainRequest's). */
export function fromSeedBody(b: z.output<typeof seedTrainBodySchema>): TrainBody {
  const features = typeof b.features === 'string' ? { name: b.features } : b.features;
  const p = b.params;
  return {
    schemaVersion: 'train-v1',
    ...(b.job_id !== undefined ? { jobId: b.job_id } : {}),
    module: b.module === 'mev' ? 'MEV' : 'ARBITRAGE',
    range: b.range,
    ...(features !== undefined ? { features } : {}),
    ...(b.model !== undefined ? { model: b.model } : {}),
    params: {
      ...(p?.max_depth !== undefined ? { maxDepth: p.max_depth } : {}),
      ...(p?.n_estimators !== undefined ? { nEstimators: p.n_estimators } : {}),
      ...(p?.learning_rate !== undefined ? { learningRate: p.learning_rate } : {}),
      ...(b.gpu !== undefined ? { gpu: b.gpu } : {}),
      ...(p?.gpu_fallback !== undefined ? { gpuFallback: p.gpu_fallback } : {}),
    },
    ...(b.output !== undefined ? { outputDir: b.output } : {}),
  };
}
