'use strict';
// Run by src/model/probe.ts in a short-lived child process: maps a candidate model library and
// exercises it the way the loader will, so a library that kills its process (a truncated file
// is SIGBUS inside the dynamic loader) kills this child, not the agent. Before each step it
// writes the step's name to stdout, synchronously: the parent reports the last one it saw.
// A JavaScript error is not a crash; the in-process loader reports it, so this exits 0.
// argv: koffi's path, then a JSON { file, module, golden: (number | null)[][] } to probe one
// library and exit; without it, the child serves such specs one per stdin line.
const { writeSync } = require('node:fs');

const step = (name) => writeSync(1, `${name}\n`);
const koffi = require(process.argv[2]);

/** Maps and exercises one library, announcing each step; ends with `done` or `error …`. */
function probe({ file, module: target, golden }) {
  try {
    step('loading');
    const lib = koffi.load(file);
    step('calling model_abi_v1_export');
    const table = lib.func('void *model_abi_v1_export(void)')();
    if (table !== null) {
      step('reading the ABI table');
      const abi = koffi.decode(table, AbiV1);
      const fnPtr = target === 'mev' ? abi.predict_mev : abi.predict_arb;
      const rows = golden.map((g) => Float32Array.from(g, (x) => (x === null ? Number.NaN : x)));
      if (fnPtr !== null) {
        const predict = koffi.decode(fnPtr, PredictFn);
        rows.forEach((row, i) => {
          step(`predicting golden vector ${i}`);
          predict(row, row.length);
        });
      }
      if (abi.calibrate_tip !== null && rows.length > 0) {
        step('calling calibrate_tip');
        koffi.decode(abi.calibrate_tip, PredictFn)(rows[0], rows[0].length);
      }
    }
    step('done');
  } catch (err) {
    step(`error ${(err instanceof Error ? err.message : String(err)).replace(/\n/g, ' ')}`);
  }
}

const AbiV1 = koffi.struct('probe_model_abi_v1', {
  abi_version: 'uint32_t',
  n_features: 'uint32_t',
  default_threshold: 'float',
  predict_mev: 'void *',
  predict_arb: 'void *',
  calibrate_tip: 'void *',
});
const PredictFn = koffi.proto('float probe_predict_fn(const float *feats, size_t len)');

if (process.argv[3] !== undefined) {
  probe(JSON.parse(process.argv[3]));
  process.exit(0);
}
// Serving: one JSON spec per stdin line, in turn, until the parent closes stdin (or dies).
const lines = require('node:readline').createInterface({ input: process.stdin });
lines.on('line', (line) => probe(JSON.parse(line)));
lines.on('close', () => process.exit(0));
