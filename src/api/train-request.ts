import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { z } from 'zod';
import type { Principal } from '../auth/verify.js';
import { Module, type TrainRequest, TrainRequestSchema } from '../gen/landfall/v1/jobs_pb.js';
import { PARAM_BOUNDS } from '../train/request.js';
import { InvalidBodyError, parseBody } from './body.js';
import { fromSeedBody, isSeedBody, seedTrainBodySchema } from './seed-train-body.js';
import {
  featureSetField,
  jobIdField,
  nameField,
  outputDirField,
  rangeField,
  uint32Field,
} from './train-body-fields.js';

/**
 * `POST /api/training/start`: the protobuf JSON shape of TrainRequest (camelCase names, enum
 * names), or the seed's body (seed-train-body.ts). Only shapes and types are checked here; the
 * dispatcher judges values (ranges, feature names, bounds) and answers on train-acks-proto with
 * the field at fault.
 */
export const trainBodySchema = z.strictObject({
  schemaVersion: z.literal('train-v1').default('train-v1'),
  jobId: jobIdField.optional(),
  module: z.enum(['ARBITRAGE', 'MEV']),
  range: rangeField,
  features: featureSetField.optional(),
  model: nameField.optional(),
  params: z
    .strictObject({
      maxDepth: uint32Field.optional(),
      nEstimators: uint32Field.optional(),
      learningRate: z.number().finite().optional(),
      gpu: z.boolean().optional(),
      gpuFallback: z.boolean().optional(),
    })
    .optional(),
  outputDir: outputDirField.optional(),
  /** Always the caller; accepted only when it says so, since a request cannot speak for another. */
  issuer: z.string().optional(),
});

export type TrainBody = z.output<typeof trainBodySchema>;

/** A job id the API makes up, in the seed's form. */
export function newJobId(): string {
  return `train-${randomUUID()}`;
}

/**
 * The TrainRequest for `body` in either shape: job id generated when absent, issuer = the
 * caller's subject, and every absent hyper-parameter set to its default (the seed's), so the
 * request on the bus and in the audit ledger says what will be trained.
 */
export function trainRequestFrom(body: unknown, caller: Principal): TrainRequest {
  const b = isSeedBody(body)
    ? fromSeedBody(parseBody(seedTrainBodySchema, body))
    : parseBody(trainBodySchema, body);
  if (b.issuer !== undefined && b.issuer !== caller.subject)
    throw new InvalidBodyError(
      'issuer',
      `the issuer is the token's subject (${caller.subject}); leave it out`,
    );
  return create(TrainRequestSchema, {
    schemaVersion: b.schemaVersion,
    jobId: b.jobId ?? newJobId(),
    module: b.module === 'MEV' ? Module.MEV : Module.ARBITRAGE,
    range: b.range,
    model: b.model ?? '',
    outputDir: b.outputDir ?? '',
    issuer: caller.subject,
    ...(b.features
      ? {
          features: {
            name: b.features.name ?? '',
            include: b.features.include ?? [],
            exclude: b.features.exclude ?? [],
          },
        }
      : {}),
    params: {
      maxDepth: b.params?.maxDepth ?? PARAM_BOUNDS.maxDepth.default,
      nEstimators: b.params?.nEstimators ?? PARAM_BOUNDS.nEstimators.default,
      learningRate: b.params?.learningRate ?? PARAM_BOUNDS.learningRate.default,
      gpu: b.params?.gpu ?? false,
      gpuFallback: b.params?.gpuFallback ?? false,
    },
  });
}
