import { hash } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import koffi, { type LibraryHandle } from 'koffi';
import { LandfallError } from '../errors.js';
import type { Module } from '../market/types.js';
import { goldenRow, type ModelManifest, manifestPathFor, readManifest } from './manifest.js';
import { probeLibrary, probeLibrarySync, type SandboxLimits } from './probe.js';

/**
 * Loads one model library through koffi, only after a child process mapped it and judged it
 * by every rule of ABI v1 (probe.ts): a library the child refused, crashed on or timed out on
 * is never mapped here. What is mapped is checked again (table, goldens), as the handles this
 * process calls are its own. Any failure throws LF_MODEL_REJECTED with the reason; the caller
 * keeps its current model. No library is ever unloaded: one that passed may have a caller
 * inside it.
 */
const PredictFn = koffi.proto('float landfall_predict_fn(const float *feats, size_t len)');
const AbiV1 = koffi.struct('model_abi_v1', {
  abi_version: 'uint32_t',
  n_features: 'uint32_t',
  default_threshold: 'float',
  predict_mev: 'void *',
  predict_arb: 'void *',
  calibrate_tip: 'void *',
});

interface RawTable {
  abi_version: number;
  n_features: number;
  default_threshold: number;
  predict_mev: unknown;
  predict_arb: unknown;
  calibrate_tip: unknown;
}

export interface LoadedModel {
  readonly module: Module;
  readonly version: string;
  /** sha256 of the library file, hex. */
  readonly checksum: string;
  /** The resolved, versioned file. */
  readonly path: string;
  readonly threshold: number;
  readonly nFeatures: number;
  readonly manifest: ModelManifest;
  /** p in [0, 1]; `features` is passed to C by pointer, never copied. */
  readonly predict: (features: Float32Array) => number;
  /** Tip multiplier in [0, 1] when the library has one. */
  readonly calibrateTip?: (features: Float32Array) => number;
}

export interface LoadOptions {
  module: Module;
  /** The feature order the agent computes; the model must take exactly these. */
  featureNames: readonly string[];
  /** Limits of the validation in a child process (config `model.sandbox`). */
  sandbox?: SandboxLimits;
  /** Called when the child has accepted the candidate, before the parent maps it. */
  onVerdict?: () => void;
}

function reject(path: string, reason: string, cause?: unknown): never {
  throw new LandfallError(
    'LF_MODEL_REJECTED',
    `model ${path} rejected: ${reason}`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Every library this process opened. koffi unloads a library when its handle object is
 * garbage-collected; a model's predict function would then point into unmapped memory
 * (seen as SIGSEGV, or predictions of 0). Holding the handles keeps them mapped for good.
 */
const opened: LibraryHandle[] = [];

export function sha256File(path: string): string {
  return hash('sha256', readFileSync(path), 'hex');
}

interface Candidate {
  file: string;
  checksum: string;
  manifest: ModelManifest;
}

/** Resolves `path` and checks the file against its manifest; nothing is mapped yet. */
function candidateOf(path: string, options: LoadOptions): Candidate {
  let file: string;
  try {
    file = realpathSync(path);
  } catch (err) {
    reject(path, 'file not found', err);
  }
  const manifest = readManifest(manifestPathFor(file));
  const checksum = sha256File(file);
  if (checksum !== manifest.checksum) {
    reject(file, `checksum ${checksum} differs from the manifest's ${manifest.checksum}`);
  }
  if (manifest.module !== options.module) {
    reject(file, `manifest is for module ${manifest.module}, not ${options.module}`);
  }
  const names = manifest.featureNames.join(',');
  if (names !== options.featureNames.join(',')) {
    reject(file, `manifest features [${names}] differ from the agent's feature order`);
  }
  return { file, checksum, manifest };
}

/** Files (with their checksum) this process already mapped: probing them again proves nothing. */
const mapped = new Set<string>();
const keyOf = (c: Candidate) => `${c.checksum} ${c.file}`;

function probeInput(c: Candidate, options: LoadOptions) {
  return {
    file: c.file,
    module: options.module,
    nFeatures: options.featureNames.length,
    golden: c.manifest.golden,
    tolerance: c.manifest.tolerance,
  };
}

/**
 * Loads `path` (a symlink is resolved first: koffi caches handles by path), after a probe in
 * a child process (probe.ts) that blocks this thread: for a start or a one-off check, not
 * while serving (see `loadModelProbed`).
 */
export function loadModel(path: string, options: LoadOptions): LoadedModel {
  const c = candidateOf(path, options);
  if (!mapped.has(keyOf(c))) {
    accepted(c, probeLibrarySync(probeInput(c, options), options.sandbox));
  }
  return open(c, options);
}

/** `loadModel` with the probe run without blocking the event loop: for a hot reload. */
export async function loadModelProbed(path: string, options: LoadOptions): Promise<LoadedModel> {
  const c = candidateOf(path, options);
  if (!mapped.has(keyOf(c))) {
    accepted(c, await probeLibrary(probeInput(c, options), options.sandbox));
    options.onVerdict?.();
  }
  return open(c, options);
}

/** Throws the child's reason; then checks the bytes it accepted are the ones about to be mapped. */
function accepted(c: Candidate, reason: string | undefined): void {
  if (reason !== undefined) reject(c.file, reason);
  const now = sha256File(c.file);
  if (now !== c.checksum) reject(c.file, `file changed while it was probed (sha256 ${now})`);
}

function open(c: Candidate, options: LoadOptions): LoadedModel {
  let lib: LibraryHandle;
  try {
    lib = koffi.load(c.file);
  } catch (err) {
    reject(c.file, `not a loadable shared object (${(err as Error).message})`, err);
  }
  // Accepted or not, the library stays loaded (see the comment at the top of this file).
  opened.push(lib);
  mapped.add(keyOf(c));
  return validate(lib, c.file, c.checksum, c.manifest, options);
}

function validate(
  lib: LibraryHandle,
  file: string,
  checksum: string,
  manifest: ModelManifest,
  options: LoadOptions,
): LoadedModel {
  let exportFn: () => unknown;
  try {
    exportFn = lib.func('void *model_abi_v1_export(void)');
  } catch (err) {
    reject(file, 'missing symbol model_abi_v1_export', err);
  }
  const ptr = exportFn();
  if (ptr === null) reject(file, 'model_abi_v1_export() returned a null table');
  const t = koffi.decode(ptr, AbiV1) as RawTable;
  if (t.abi_version !== 1) reject(file, `abi_version ${t.abi_version}, expected 1`);
  const want = options.featureNames.length;
  if (t.n_features !== want) {
    reject(file, `n_features ${t.n_features}, but the agent computes ${want} features`);
  }
  const fnPtr = options.module === 'mev' ? t.predict_mev : t.predict_arb;
  if (fnPtr === null) reject(file, `predict_${options.module} is NULL`);
  const threshold = t.default_threshold;
  if (!(Number.isFinite(threshold) && threshold >= 0 && threshold <= 1)) {
    reject(file, `default_threshold ${threshold} is not a finite number in [0, 1]`);
  }
  const fn = koffi.decode(fnPtr, PredictFn) as (f: Float32Array, len: number) => number;
  const n = t.n_features;
  // The real length goes to C: a generated model answers NaN to a vector of the wrong size.
  const predict = (features: Float32Array): number => fn(features, features.length);
  for (const [i, g] of manifest.golden.entries()) {
    const row = goldenRow(g);
    if (row.length !== n) reject(file, `golden vector ${i} has ${row.length} features, not ${n}`);
    const p = predict(row);
    if (!(Math.abs(p - g.p) <= manifest.tolerance)) {
      reject(
        file,
        `golden vector ${i}: predicted ${p}, manifest says ${g.p} (±${manifest.tolerance})`,
      );
    }
  }
  const tip =
    t.calibrate_tip === null
      ? undefined
      : (koffi.decode(t.calibrate_tip, PredictFn) as (f: Float32Array, len: number) => number);
  return {
    module: options.module,
    version: manifest.version,
    checksum,
    path: file,
    threshold,
    nFeatures: n,
    manifest,
    predict,
    ...(tip === undefined ? {} : { calibrateTip: (f: Float32Array) => tip(f, f.length) }),
  };
}
