import { FEATURE_NAMES, FEATURE_SET } from '../agent/features.js';
import type { Store } from '../store/types.js';
import type { TrainJob } from './request.js';

/** One split of the dataset: dense rows over lf-v1 (masked features are NaN). */
export interface Split {
  readonly rows: number;
  readonly data: Float32Array;
  /** 1 when the submission landed and paid (profit > 0), else 0. */
  readonly labels: Float32Array;
  /** Realised profit after tip and fees, lamports (negative when fees bought nothing). */
  readonly profit: Float64Array;
  readonly firstMs: number;
  readonly lastMs: number;
}

export interface Dataset {
  readonly train: Split;
  readonly validation: Split;
  readonly cols: number;
}

interface Row {
  features: number[];
  t: string | number;
  label: number;
  profit: string | number;
}

/**
 * Labelled rows for a job: the opportunities the module's agents submitted in the range, with
 * the exact feature vector the scorer saw, joined to their outcomes. Only submitted
 * opportunities have an outcome, so the model learns P(pays | submitted) — the question the
 * agent asks it. FINAL collapses redelivered events (tables dedupe on the event id).
 */
export async function loadRows(store: Store, job: TrainJob): Promise<Row[]> {
  const db = store.database;
  const table = job.module === 'mev' ? 'mev_opportunities' : 'arb_opportunities';
  return store.query<Row>(
    `SELECT o.features AS features, toUnixTimestamp64Milli(o.dt) AS t,
            toUInt8(b.landed AND b.profit_lamports > 0) AS label, b.profit_lamports AS profit
     FROM (SELECT opportunity_id, dt, features FROM ${db}.${table} FINAL
           WHERE dt >= fromUnixTimestamp64Milli({start:Int64}, 'UTC')
             AND dt < fromUnixTimestamp64Milli({end:Int64}, 'UTC')
             AND decision = 'DECISION_SUBMITTED' AND feature_set = {featureSet:String}
             AND length(features) = {cols:UInt32}) AS o
     INNER JOIN (SELECT opportunity_id, landed, profit_lamports FROM ${db}.bundle_outcomes FINAL
                 WHERE module = {module:String}
                   AND dt >= fromUnixTimestamp64Milli({start:Int64}, 'UTC')) AS b
       ON o.opportunity_id = b.opportunity_id
     ORDER BY t, o.opportunity_id`,
    {
      start: job.startMs,
      end: job.endMs,
      featureSet: FEATURE_SET,
      cols: FEATURE_NAMES.length,
      module: job.module === 'mev' ? 'MEV' : 'ARBITRAGE',
    },
  );
}

/**
 * Splits time-ordered rows: the earliest (1 − validationFraction) trains, the rest validates.
 * The cut never falls inside one millisecond, so nothing in training is later than anything
 * in validation (no look-ahead).
 */
export function splitByTime(
  rows: readonly Row[],
  mask: readonly boolean[],
  validationFraction: number,
): Dataset {
  const cols = mask.length;
  let cut = Math.floor(rows.length * (1 - validationFraction));
  while (cut > 0 && cut < rows.length && Number(rows[cut]?.t) === Number(rows[cut - 1]?.t)) cut++;
  return {
    cols,
    train: toSplit(rows.slice(0, cut), mask),
    validation: toSplit(rows.slice(cut), mask),
  };
}

function toSplit(rows: readonly Row[], mask: readonly boolean[]): Split {
  const cols = mask.length;
  const data = new Float32Array(rows.length * cols);
  const labels = new Float32Array(rows.length);
  const profit = new Float64Array(rows.length);
  rows.forEach((row, i) => {
    for (let c = 0; c < cols; c++) {
      data[i * cols + c] = mask[c] ? (row.features[c] ?? Number.NaN) : Number.NaN;
    }
    labels[i] = row.label;
    profit[i] = Number(row.profit);
  });
  return {
    rows: rows.length,
    data,
    labels,
    profit,
    firstMs: rows.length === 0 ? 0 : Number(rows[0]?.t),
    lastMs: rows.length === 0 ? 0 : Number(rows[rows.length - 1]?.t),
  };
}
