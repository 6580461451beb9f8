'use strict';
// Run by src/model/probe.ts in a child process: maps a candidate model library and judges it
// against every rule of ABI v1 (model_abi.h) before any serving process maps it, so a library
// that kills its process (a truncated file is SIGBUS inside the dynamic loader, a constructor
// may abort, predict may never return) kills this child, not the agent, the CLI or a trainer.
// Before each step it writes the step's name to stdout, synchronously: the parent reports the
// last one it saw. It ends each spec with `accept <json figures>` or `reject <reason>`.
// argv: koffi's path, then a JSON spec (see probe.ts, ChildSpec) to judge one library and exit;
// without it, the child serves such specs one per stdin line.
const { writeSync } = require('node:fs');

const step = (name) => writeSync(1, `${name}\n`);
const koffi = require(process.argv[2]);

class Rejected extends Error {}
const reject = (reason) => {
  throw new Rejected(reason);
};

const AbiV1 = koffi.struct('probe_model_abi_v1', {
  abi_version: 'uint32_t',
  n_features: 'uint32_t',
  default_threshold: 'float',
  predict_mev: 'void *',
  predict_arb: 'void *',
  calibrate_tip: 'void *',
});
const PredictFn = koffi.proto('float probe_predict_fn(const float *feats, size_t len)');

/** mulberry32: the same vectors for the same seed, so a verdict can be reproduced. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Vectors no golden vector covers: all-NaN, all ±Inf, all 0, float32 extremes, then random
 * mixes of those with values spread over 15 decades and perturbed golden values.
 */
function randomVectors(n, count, golden, seed) {
  const fixed = [Number.NaN, Infinity, -Infinity, 0, 3.4e38, -3.4e38].map((v) =>
    new Float32Array(n).fill(v),
  );
  const next = rng(seed);
  const out = fixed.slice(0, count);
  while (out.length < count) {
    const row = new Float32Array(n);
    const base = golden.length > 0 ? golden[Math.floor(next() * golden.length)] : undefined;
    for (let i = 0; i < n; i++) {
      const u = next();
      if (u < 0.1) row[i] = Number.NaN;
      else if (u < 0.15) row[i] = Infinity;
      else if (u < 0.2) row[i] = -Infinity;
      else if (u < 0.3) row[i] = 0;
      else if (u < 0.5 && base !== undefined) row[i] = (base[i] ?? 0) * (0.5 + next());
      else row[i] = (next() < 0.5 ? -1 : 1) * 10 ** (next() * 15 - 6);
    }
    out.push(row);
  }
  return out;
}

const inUnit = (p) => Number.isFinite(p) && p >= 0 && p <= 1;
const show = (row) => `[${Array.from(row.slice(0, 6)).join(', ')}${row.length > 6 ? ', …' : ''}]`;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor((s.length - 1) / 2)];
}

/** Judges one library; the rules and wording match loader.ts, which re-checks what it maps. */
function judge(spec) {
  const { file, module: target, nFeatures, golden, tolerance } = spec;
  step('loading');
  let lib;
  try {
    lib = koffi.load(file);
  } catch (err) {
    reject(`not a loadable shared object (${err.message})`);
  }
  let exportFn;
  try {
    exportFn = lib.func('void *model_abi_v1_export(void)');
  } catch {
    reject('missing symbol model_abi_v1_export');
  }
  step('calling model_abi_v1_export');
  const table = exportFn();
  if (table === null) reject('model_abi_v1_export() returned a null table');
  step('reading the ABI table');
  const t = koffi.decode(table, AbiV1);
  if (t.abi_version !== 1) reject(`abi_version ${t.abi_version}, expected 1`);
  if (t.n_features !== nFeatures) {
    reject(`n_features ${t.n_features}, but the agent computes ${nFeatures} features`);
  }
  const fnPtr = target === 'mev' ? t.predict_mev : t.predict_arb;
  if (fnPtr === null) reject(`predict_${target} is NULL`);
  const threshold = t.default_threshold;
  if (!(Number.isFinite(threshold) && threshold >= 0 && threshold <= 1)) {
    reject(`default_threshold ${threshold} is not a finite number in [0, 1]`);
  }
  const predict = koffi.decode(fnPtr, PredictFn);
  const tip = t.calibrate_tip === null ? null : koffi.decode(t.calibrate_tip, PredictFn);
  const rows = golden.map((g) => Float32Array.from(g.features, (x) => (x === null ? NaN : x)));
  rows.forEach((row, i) => {
    if (row.length !== nFeatures) {
      reject(`golden vector ${i} has ${row.length} features, not ${nFeatures}`);
    }
    step(`predicting golden vector ${i}`);
    const p = predict(row, row.length);
    const want = golden[i].p;
    if (!(Math.abs(p - want) <= tolerance)) {
      reject(`golden vector ${i}: predicted ${p}, manifest says ${want} (±${tolerance})`);
    }
  });
  // The latency sample is timed whatever randomVectors says; the range check takes that many.
  const SAMPLE = 256;
  const drawn = randomVectors(nFeatures, Math.max(spec.randomVectors, SAMPLE), rows, spec.seed);
  const extra = drawn.slice(0, spec.randomVectors);
  // Latency first, on a sample, so a slow model is refused in a bounded time.
  const sample = drawn.slice(0, SAMPLE);
  step('timing predict');
  const us = sample.map((row) => {
    const t0 = process.hrtime.bigint();
    predict(row, row.length);
    return Number(process.hrtime.bigint() - t0) / 1000;
  });
  const p50 = median(us);
  if (p50 > spec.budgetUs) {
    reject(
      `predict takes ${p50.toFixed(1)} µs (median of ${sample.length} calls), over the budget of ${spec.budgetUs} µs (model.sandbox.predictBudgetUs)`,
    );
  }
  // Announced per block, not per vector: a step is a write to a pipe the parent reads, and
  // 2,000 of them would cost more than the predictions (a hot swap waits for this verdict).
  const BLOCK = 256;
  extra.forEach((row, i) => {
    if (i % BLOCK === 0) {
      step(`predicting random vectors ${i}..${Math.min(extra.length, i + BLOCK) - 1}`);
    }
    const p = predict(row, row.length);
    if (!inUnit(p)) {
      reject(`random vector ${i} ${show(row)}: predicted ${p}, not a finite number in [0, 1]`);
    }
    if (tip !== null) {
      const m = tip(row, row.length);
      if (!inUnit(m)) {
        reject(
          `random vector ${i} ${show(row)}: calibrate_tip gave ${m}, not a finite number in [0, 1]`,
        );
      }
    }
  });
  return { threshold, predictUsP50: p50, vectors: rows.length + extra.length };
}

/** Judges one spec and reports the verdict as the last line. */
function probe(spec) {
  try {
    const figures = judge(spec);
    step(`accept ${JSON.stringify(figures)}`);
  } catch (err) {
    const reason =
      err instanceof Rejected ? err.message : `the probe failed: ${err?.message ?? err}`;
    step(`reject ${reason.replace(/\n/g, ' ')}`);
  }
}

if (process.argv[3] !== undefined) {
  probe(JSON.parse(process.argv[3]));
  process.exit(0);
}
// Serving: one JSON spec per stdin line, in turn, until the parent closes stdin (or dies).
const lines = require('node:readline').createInterface({ input: process.stdin });
lines.on('line', (line) => probe(JSON.parse(line)));
lines.on('close', () => process.exit(0));
