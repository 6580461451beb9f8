import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LandfallError } from '../errors.js';
import type { Module } from '../market/types.js';
import { buildSharedObject, emitC, goldenVectors } from './compile.js';
import { type LoadedModel, loadModel, sha256File } from './loader.js';
import {
  GOLDEN_TOLERANCE,
  type GoldenVector,
  MANIFEST_SCHEMA,
  type ModelManifest,
} from './manifest.js';
import type { SandboxLimits } from './probe.js';
import { type PublishInput, publish } from './registry.js';
import { parseXgbModel } from './xgb-json.js';

/**
 * `landfall model compile`: XGBoost JSON → C → `.so`, checked by the same loader an agent
 * runs (golden vectors from the JS reference evaluator included) before it is published, so
 * a broken build never becomes `latest`.
 */
export interface CompileOptions {
  module: Module;
  threshold: number;
  /** Feature order; defaults to the model's own feature_names, then f0..fN-1. */
  featureNames?: readonly string[];
  cc?: string;
  goldenCount?: number;
  /** Limits of the validation in a child process (config `model.sandbox`). */
  sandbox?: SandboxLimits;
}

export interface CompiledModel {
  /** The checked library, in a temporary directory removed by `dispose`. */
  libraryPath: string;
  input: PublishInput;
  dispose(): void;
}

export async function compileXgbJson(
  text: string,
  options: CompileOptions,
): Promise<CompiledModel> {
  const model = parseXgbModel(text);
  const names =
    options.featureNames ??
    (model.featureNames.length > 0
      ? model.featureNames
      : Array.from({ length: model.nFeatures }, (_, i) => `f${i}`));
  if (names.length !== model.nFeatures) {
    throw new LandfallError(
      'LF_MODEL_COMPILE',
      `${names.length} feature names given for a model of ${model.nFeatures} features`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'landfall-model-'));
  const dispose = () => rmSync(dir, { recursive: true, force: true });
  try {
    const libraryPath = join(dir, `lib${options.module}_build.so`);
    const source = emitC(model, { module: options.module, threshold: options.threshold });
    await buildSharedObject(source, libraryPath, options.cc);
    const golden = goldenVectors(model, options.goldenCount ?? 32);
    const input: PublishInput = {
      module: options.module,
      libraryPath,
      featureNames: names,
      threshold: options.threshold,
      golden,
      metrics: { trees: model.trees.length, base_score: model.baseScore },
    };
    selfTest(libraryPath, input, options.sandbox);
    return { libraryPath, input, dispose };
  } catch (err) {
    dispose();
    throw err;
  }
}

/**
 * Runs the agent's loader on the fresh build, with a manifest written beside it: the library
 * is judged in a child process first, so a build that would crash its mapper never reaches
 * this process (nor the registry).
 */
function selfTest(
  libraryPath: string,
  input: PublishInput,
  sandbox: SandboxLimits | undefined,
): LoadedModel {
  const manifest: ModelManifest = {
    schema: MANIFEST_SCHEMA,
    module: input.module,
    version: '00000000',
    checksum: sha256File(libraryPath),
    abiVersion: 1,
    featureNames: [...input.featureNames],
    threshold: input.threshold,
    metrics: {},
    golden: input.golden,
    tolerance: GOLDEN_TOLERANCE,
    trainingJobId: null,
    createdAt: new Date().toISOString(),
    sequence: 0,
    source: 'self-test',
  };
  writeFileSync(libraryPath.replace(/\.so$/, '.json'), JSON.stringify(manifest));
  return loadModel(libraryPath, {
    module: input.module,
    featureNames: input.featureNames,
    ...(sandbox === undefined ? {} : { sandbox }),
  });
}

/** Compiles, checks and publishes into the registry at `dir`; returns the live manifest. */
export async function compileAndPublish(
  text: string,
  options: CompileOptions & {
    dir: string;
    keep: number;
    trainingJobId?: string;
    source?: string;
    /** Recorded in the manifest beside the compiler's own (e.g. validation AUC). */
    metrics?: Record<string, number>;
    /** false: publish as a candidate, leaving the live model as it is (default true). */
    activate?: boolean;
  },
): Promise<ModelManifest> {
  const built = await compileXgbJson(text, options);
  try {
    return publish(
      options.dir,
      {
        ...built.input,
        metrics: { ...built.input.metrics, ...options.metrics },
        trainingJobId: options.trainingJobId ?? null,
        ...(options.source === undefined ? {} : { source: options.source }),
      },
      options.keep,
      { activate: options.activate ?? true },
    );
  } finally {
    built.dispose();
  }
}

/**
 * Publishes a library built elsewhere: it is loaded and its golden vectors replayed, exactly
 * as an agent will, before it becomes `latest`; its threshold is the one it exports.
 */
export function publishLibrary(
  libraryPath: string,
  options: {
    module: Module;
    featureNames: readonly string[];
    golden: GoldenVector[];
    dir: string;
    keep: number;
    trainingJobId?: string;
    sandbox?: SandboxLimits;
  },
): ModelManifest {
  const dir = mkdtempSync(join(tmpdir(), 'landfall-model-'));
  try {
    const staged = join(dir, `lib${options.module}_staged.so`);
    copyFileSync(libraryPath, staged);
    const input: PublishInput = {
      module: options.module,
      libraryPath: staged,
      featureNames: options.featureNames,
      threshold: 0,
      golden: options.golden,
      source: resolve(libraryPath),
      trainingJobId: options.trainingJobId ?? null,
    };
    const loaded = selfTest(staged, input, options.sandbox);
    return publish(options.dir, { ...input, threshold: loaded.threshold }, options.keep);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
