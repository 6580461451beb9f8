import type { Module } from '../market/types.js';
import { buildSharedObject, floatLiteral } from './compile.js';
import type { GoldenVector } from './manifest.js';

/**
 * ABI v1 libraries written by hand, as a user without XGBoost would: a constant model whose
 * every table field can be set, including wrongly. The loader's rejection tests, the hot
 * reload test and the swap benchmark publish these; a constant prediction makes a model's
 * identity visible in every answer it gives.
 */
export interface HandModelSpec {
  module: Module;
  /** What predict returns for a vector of the right length. */
  p: number;
  nFeatures: number;
  threshold?: number;
  abiVersion?: number;
  /** Leave the module's predict function NULL. */
  nullPredict?: boolean;
  /** model_abi_v1_export() returns NULL. */
  nullTable?: boolean;
  /** Export the table under another name, so model_abi_v1_export is missing. */
  exportName?: string;
}

export function handModelSource(spec: HandModelSpec): string {
  const fn = spec.nullPredict ? 'NULL' : 'predict';
  return [
    '#include <math.h>',
    '#include "model_abi.h"',
    'static float predict(const float* f, size_t len) {',
    '  (void)f;',
    `  return len == ${spec.nFeatures}u ? ${floatLiteral(spec.p)} : NAN;`,
    '}',
    'static const model_abi_v1 table = {',
    `  ${spec.abiVersion ?? 1}u, ${spec.nFeatures}u, ${floatLiteral(spec.threshold ?? 0.5)},`,
    `  ${spec.module === 'mev' ? fn : 'NULL'}, ${spec.module === 'arb' ? fn : 'NULL'}, NULL,`,
    '};',
    `const model_abi_v1* ${spec.exportName ?? 'model_abi_v1_export'}(void) {`,
    `  return ${spec.nullTable ? 'NULL' : '&table'};`,
    '}',
    '',
  ].join('\n');
}

export async function buildHandModel(spec: HandModelSpec, outPath: string): Promise<void> {
  await buildSharedObject(handModelSource(spec), outPath);
}

/** Golden vectors a constant model reproduces (or, with a wrong `p`, does not). */
export function constantGolden(nFeatures: number, p: number): GoldenVector[] {
  return [
    { features: Array.from({ length: nFeatures }, (_, i) => i), p },
    { features: Array.from({ length: nFeatures }, () => null), p },
  ];
}
