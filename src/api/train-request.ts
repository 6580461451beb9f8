import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { z } from 'zod';
import type { Principal } from '../auth/verify.js';
import { Module, type TrainRequest, TrainRequestSchema } from '../gen/landfall/v1/jobs_pb.js';
import { InvalidBodyError, parseBody } from './body.js';

const uint32 = z.number().int().min(0).max(4_294_967_295);
const name = z.string().max(256);

/**
 * `POST /api/training/start`: the protobuf JSON shape of TrainRequest (camelCase names, enum
 * names). Only shapes and types are checked here; the dispatcher judges values (ranges, feature
 * names, bounds) and answers on train-acks-proto with the field at fault.
 */
export const trainBodySchema = z.strictObject({
  schemaVersion: z.literal('train-v1').default('train-v1'),
  jobId: z
    .string()
    .regex(/^[\x21-\x7e]{1,128}$/, 'expected 1-128 printable ASCII characters without spaces')
    .optional(),
  module: z.enum(['ARBITRAGE', 'MEV']),
  range: z.strictObject({ start: name, end: name }),
  features: z
    .strictObject({
      name: name.optional(),
      include: z.array(name).max(256).optional(),
      exclude: z.array(name).max(256).optional(),
    })
    .optional(),
  model: name.optional(),
  params: z
    .strictObject({
      maxDepth: uint32.optional(),
      nEstimators: uint32.optional(),
      learningRate: z.number().finite().optional(),
      gpu: z.boolean().optional(),
      gpuFallback: z.boolean().optional(),
    })
    .optional(),
  outputDir: z.string().max(4096).optional(),
  /** Always the caller; accepted only when it says so, since a request cannot speak for another. */
  issuer: z.string().optional(),
});

export type TrainBody = z.output<typeof trainBodySchema>;

/** The TrainRequest for `body`: job id generated when absent, issuer = the caller's subject. */
export function trainRequestFrom(body: unknown, caller: Principal): TrainRequest {
  const b = parseBody(trainBodySchema, body);
  if (b.issuer !== undefined && b.issuer !== caller.subject)
    throw new InvalidBodyError(
      'issuer',
      `the issuer is the token's subject (${caller.subject}); leave it out`,
    );
  return create(TrainRequestSchema, {
    schemaVersion: b.schemaVersion,
    jobId: b.jobId ?? randomUUID(),
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
    ...(b.params
      ? {
          params: {
            maxDepth: b.params.maxDepth ?? 0,
            nEstimators: b.params.nEstimators ?? 0,
            learningRate: b.params.learningRate ?? 0,
            gpu: b.params.gpu ?? false,
            gpuFallback: b.params.gpuFallback ?? false,
          },
        }
      : {}),
  });
}
