import koffi from 'koffi';
import { LandfallError } from '../errors.js';

/**
 * A small typed binding of libxgboost's C API (Debian's libxgboost0), through koffi. It trains
 * binary:logistic boosters for the training pipeline and gives the model tests and benchmarks
 * XGBoost's own predictions to compare with. Handles are freed explicitly: a booster or matrix
 * holds native memory the JS garbage collector cannot see.
 */
export const DEFAULT_XGBOOST_LIBRARY = 'libxgboost.so.0';

interface Api {
  /** Held so koffi never unloads the library under the bound functions (it does on GC). */
  lib: unknown;
  version: (major: number[], minor: number[], patch: number[]) => void;
  lastError: () => string;
  dmatrixFromMat: (
    data: Float32Array,
    rows: number,
    cols: number,
    missing: number,
    out: unknown[],
  ) => number;
  dmatrixSetFloat: (h: unknown, field: string, data: Float32Array, len: number) => number;
  dmatrixFree: (h: unknown) => number;
  boosterCreate: (dmats: unknown[], len: number, out: unknown[]) => number;
  boosterFree: (h: unknown) => number;
  boosterSetParam: (h: unknown, name: string, value: string) => number;
  boosterUpdate: (h: unknown, iter: number, dtrain: unknown) => number;
  boosterPredict: (
    h: unknown,
    dmat: unknown,
    mask: number,
    limit: number,
    training: number,
    outLen: number[],
    out: unknown[],
  ) => number;
  boosterPredictDense: (
    h: unknown,
    values: string,
    config: string,
    proxy: null,
    outShape: unknown[],
    outDim: number[],
    out: unknown[],
  ) => number;
  boosterSaveToBuffer: (h: unknown, config: string, outLen: number[], out: unknown[]) => number;
  boosterLoadFromBuffer: (h: unknown, buf: Buffer, len: number) => number;
}

const apis = new Map<string, Api>();

function api(path = DEFAULT_XGBOOST_LIBRARY): Api {
  const cached = apis.get(path);
  if (cached) return cached;
  const lib = koffi.load(path);
  const a: Api = {
    lib,
    version: lib.func('void XGBoostVersion(_Out_ int *major, _Out_ int *minor, _Out_ int *patch)'),
    lastError: lib.func('const char *XGBGetLastError(void)'),
    dmatrixFromMat: lib.func(
      'int XGDMatrixCreateFromMat(const float *data, uint64_t nrow, uint64_t ncol, float missing, _Out_ void **out)',
    ),
    dmatrixSetFloat: lib.func(
      'int XGDMatrixSetFloatInfo(void *h, const char *field, const float *data, uint64_t len)',
    ),
    dmatrixFree: lib.func('int XGDMatrixFree(void *h)'),
    boosterCreate: lib.func('int XGBoosterCreate(void **dmats, uint64_t len, _Out_ void **out)'),
    boosterFree: lib.func('int XGBoosterFree(void *h)'),
    boosterSetParam: lib.func('int XGBoosterSetParam(void *h, const char *name, const char *v)'),
    boosterUpdate: lib.func('int XGBoosterUpdateOneIter(void *h, int iter, void *dtrain)'),
    boosterPredict: lib.func(
      'int XGBoosterPredict(void *h, void *dmat, int mask, unsigned int limit, int training, _Out_ uint64_t *len, _Out_ void **out)',
    ),
    boosterPredictDense: lib.func(
      'int XGBoosterPredictFromDense(void *h, const char *values, const char *config, void *m, _Out_ void **shape, _Out_ uint64_t *dim, _Out_ void **out)',
    ),
    boosterSaveToBuffer: lib.func(
      'int XGBoosterSaveModelToBuffer(void *h, const char *config, _Out_ uint64_t *len, _Out_ void **out)',
    ),
    boosterLoadFromBuffer: lib.func(
      'int XGBoosterLoadModelFromBuffer(void *h, const void *buf, uint64_t len)',
    ),
  };
  apis.set(path, a);
  return a;
}

function check(a: Api, rc: number, what: string): void {
  if (rc !== 0)
    throw new LandfallError('LF_TRAIN_FAILED', `libxgboost ${what} failed: ${a.lastError()}`);
}

/** The library's version, e.g. "1.6.0" (Debian bookworm ships 1.6; DESIGN assumed 1.7). */
export function xgboostVersion(library?: string): string {
  const a = api(library);
  const major = [0];
  const minor = [0];
  const patch = [0];
  a.version(major, minor, patch);
  return `${major[0]}.${minor[0]}.${patch[0]}`;
}

/** A dense row-major matrix in libxgboost; NaN marks a missing value. */
export class DMatrix {
  readonly rows: number;
  readonly cols: number;
  private handle: unknown;
  private readonly a: Api;

  constructor(data: Float32Array, rows: number, cols: number, library?: string) {
    if (data.length !== rows * cols) {
      throw new Error(`DMatrix: ${data.length} values is not ${rows} rows x ${cols} columns`);
    }
    this.a = api(library);
    this.rows = rows;
    this.cols = cols;
    const out: unknown[] = [null];
    check(this.a, this.a.dmatrixFromMat(data, rows, cols, Number.NaN, out), 'DMatrix create');
    this.handle = out[0];
  }

  setLabels(labels: Float32Array): void {
    check(this.a, this.a.dmatrixSetFloat(this.raw, 'label', labels, labels.length), 'set label');
  }

  get raw(): unknown {
    if (this.handle === null) throw new Error('DMatrix used after free');
    return this.handle;
  }

  free(): void {
    if (this.handle !== null) this.a.dmatrixFree(this.handle);
    this.handle = null;
  }
}

export class Booster {
  private handle: unknown;
  private readonly a: Api;

  /** A booster trained on `cache` (or an empty one, to load a saved model into). */
  constructor(cache: DMatrix[] = [], library?: string) {
    this.a = api(library);
    const out: unknown[] = [null];
    const rc = this.a.boosterCreate(
      cache.map((d) => d.raw),
      cache.length,
      out,
    );
    check(this.a, rc, 'Booster create');
    this.handle = out[0];
  }

  private get raw(): unknown {
    if (this.handle === null) throw new Error('Booster used after free');
    return this.handle;
  }

  setParam(name: string, value: string | number): void {
    check(this.a, this.a.boosterSetParam(this.raw, name, String(value)), `set ${name}`);
  }

  updateOneIter(iter: number, train: DMatrix): void {
    check(this.a, this.a.boosterUpdate(this.raw, iter, train.raw), `update iteration ${iter}`);
  }

  /** Probabilities (binary:logistic) for every row of `m`, copied out of XGBoost's buffer. */
  predict(m: DMatrix): Float32Array {
    const len = [0];
    const out: unknown[] = [null];
    check(this.a, this.a.boosterPredict(this.raw, m.raw, 0, 0, 0, len, out), 'predict');
    const n = len[0] ?? 0;
    return new Float32Array(koffi.decode(out[0], 'float', n) as number[]);
  }

  /**
   * XGBoost's fastest single-row path, in-place prediction on a dense row: no DMatrix, the
   * row is read where it lies (`row` must be native memory from `nativeRow`).
   */
  predictInplace(row: NativeRow): number {
    const shape: unknown[] = [null];
    const dim = [0];
    const out: unknown[] = [null];
    const rc = this.a.boosterPredictDense(
      this.raw,
      row.arrayInterface,
      INPLACE_CONFIG,
      null,
      shape,
      dim,
      out,
    );
    check(this.a, rc, 'inplace predict');
    return koffi.decode(out[0], 'float') as number;
  }

  /** The model in XGBoost's JSON format (the schema of 1.6+; what the compiler reads). */
  saveJson(): string {
    const len = [0];
    const out: unknown[] = [null];
    const rc = this.a.boosterSaveToBuffer(this.raw, '{"format":"json"}', len, out);
    check(this.a, rc, 'save JSON');
    return koffi.decode(out[0], 'char', len[0] ?? 0) as string;
  }

  loadJson(json: string): void {
    const buf = Buffer.from(json, 'utf8');
    check(this.a, this.a.boosterLoadFromBuffer(this.raw, buf, buf.length), 'load JSON');
  }

  free(): void {
    if (this.handle !== null) this.a.boosterFree(this.handle);
    this.handle = null;
  }
}

const INPLACE_CONFIG = JSON.stringify({
  type: 0,
  training: false,
  iteration_begin: 0,
  iteration_end: 0,
  strict_shape: false,
  cache_id: 0,
}).replace('}', ',"missing":NaN}');

/** One feature row in native memory, described by a NumPy-style array interface for XGBoost. */
export interface NativeRow {
  /** Writes here are what XGBoost reads. */
  values: Float32Array;
  arrayInterface: string;
}

export function nativeRow(cols: number): NativeRow {
  const ptr = koffi.alloc('float', cols);
  const values = new Float32Array(koffi.view(ptr, cols * 4));
  const address = koffi.address(ptr).toString();
  return {
    values,
    arrayInterface: `{"data":[${address},false],"shape":[1,${cols}],"typestr":"<f4","version":3}`,
  };
}

export interface TrainOptions {
  maxDepth: number;
  rounds: number;
  learningRate?: number;
  seed?: number;
  /** Initial prediction (a probability); XGBoost 2.x estimates it when unset. */
  baseScore?: number;
  library?: string;
}

/** Trains a binary:logistic booster on dense rows (NaN = missing) and 0/1 labels. */
export function trainBinary(
  data: Float32Array,
  labels: Float32Array,
  cols: number,
  options: TrainOptions,
): Booster {
  const m = new DMatrix(data, labels.length, cols, options.library);
  try {
    m.setLabels(labels);
    const b = new Booster([m], options.library);
    b.setParam('objective', 'binary:logistic');
    b.setParam('max_depth', options.maxDepth);
    b.setParam('eta', options.learningRate ?? 0.3);
    b.setParam('seed', options.seed ?? 0);
    b.setParam('nthread', 1);
    b.setParam('tree_method', 'hist');
    if (options.baseScore !== undefined) b.setParam('base_score', options.baseScore);
    for (let i = 0; i < options.rounds; i++) b.updateOneIter(i, m);
    return b;
  } finally {
    m.free();
  }
}

/** Booster parameters that put training on the CUDA device for this library's version. */
export function cudaParams(library?: string): Record<string, string> {
  const major = Number(xgboostVersion(library).split('.')[0]);
  // XGBoost 2 selects the device with `device`; 1.x with the gpu_hist tree method.
  return major >= 2 ? { device: 'cuda', tree_method: 'hist' } : { tree_method: 'gpu_hist' };
}

/**
 * Whether this libxgboost can train on a CUDA device: one round on a tiny matrix with the GPU
 * parameters. A CPU-only build (Debian's) fails with the library's own reason.
 */
export function probeCuda(library?: string): { ok: true } | { ok: false; reason: string } {
  const m = new DMatrix(new Float32Array([0, 1, 2, 3]), 4, 1, library);
  let b: Booster | undefined;
  try {
    m.setLabels(new Float32Array([0, 1, 0, 1]));
    b = new Booster([m], library);
    b.setParam('objective', 'binary:logistic');
    for (const [k, v] of Object.entries(cudaParams(library))) b.setParam(k, v);
    b.updateOneIter(0, m);
    return { ok: true };
  } catch (err) {
    // The library's message carries a timestamp, its source line and a native backtrace.
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
    return { ok: false, reason: first.replace(/\[\d\d:\d\d:\d\d\] \S+:\d+: /, '') };
  } finally {
    b?.free();
    m.free();
  }
}
