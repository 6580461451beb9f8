import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { LandfallError } from '../errors.js';
import type { Module } from '../market/types.js';

/**
 * The manifest published beside every model library (`lib<module>_v<sha>.json`). The loader
 * trusts nothing in a library it cannot check against this file: the checksum says the bytes
 * are the ones published, the golden vectors say they predict what the compiler's reference
 * evaluator predicted.
 */
export const MANIFEST_SCHEMA = 'landfall-model-v1';

/** Largest |Δ| allowed between a golden vector's recorded and reproduced prediction. */
export const GOLDEN_TOLERANCE = 1e-6;

const goldenSchema = z.strictObject({
  /** A missing value (NaN) is written as null: JSON has no NaN. */
  features: z.array(z.number().nullable()),
  p: z.number(),
});

export const manifestSchema = z.strictObject({
  schema: z.literal(MANIFEST_SCHEMA),
  module: z.enum(['arb', 'mev']),
  version: z.string().regex(/^[0-9a-f]{8,64}$/),
  /** sha256 of the library file, hex. */
  checksum: z.string().regex(/^[0-9a-f]{64}$/),
  abiVersion: z.literal(1),
  featureNames: z.array(z.string().min(1)).min(1),
  threshold: z.number().min(0).max(1),
  metrics: z.record(z.string(), z.number()),
  golden: z.array(goldenSchema).min(1),
  tolerance: z.number().positive().max(1e-3).default(GOLDEN_TOLERANCE),
  trainingJobId: z.string().nullable(),
  createdAt: z.string().min(1),
  /** Order of publication within the registry; rollback goes to the next lower one. */
  sequence: z.number().int().nonnegative(),
  source: z.string(),
});

export type ModelManifest = z.infer<typeof manifestSchema>;
export type GoldenVector = z.infer<typeof goldenSchema>;

export function manifestPathFor(libraryPath: string): string {
  return libraryPath.replace(/\.so$/, '.json');
}

export function readManifest(path: string): ModelManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new LandfallError('LF_MODEL_REJECTED', `manifest ${path} is missing or not JSON`, {
      cause: err,
    });
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LandfallError(
      'LF_MODEL_REJECTED',
      `manifest ${path} is invalid at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? ''}`,
    );
  }
  return parsed.data;
}

export function goldenRow(g: GoldenVector): Float32Array {
  return Float32Array.from(g.features, (x) => (x === null ? Number.NaN : x));
}

export function goldenOf(row: Float32Array, p: number): GoldenVector {
  return { features: Array.from(row, (x) => (Number.isNaN(x) ? null : x)), p };
}

export function isModule(s: string): s is Module {
  return s === 'arb' || s === 'mev';
}
