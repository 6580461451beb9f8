import type { Module } from '../market/types.js';
import type { Store } from '../store/types.js';
import { auc, logLoss, profitAt } from '../train/evaluate.js';
import { listVersions } from './registry.js';

/** One model's figures on the rows both models scored; null where undefined (NaN in JSON). */
export interface ModelFigures {
  readonly versions: string[];
  /** The gate's threshold (the registry manifest's); null when the version was pruned. */
  readonly threshold: number | null;
  readonly auc: number | null;
  readonly logLoss: number | null;
  /** Realised profit of the rows this model's gate lets through, SOL. */
  readonly profitSol: number | null;
  readonly trades: number | null;
}

export interface ShadowComparison {
  readonly shadowVersion: string;
  /** Opportunities the candidate scored in the window, whatever was decided. */
  readonly scored: number;
  /** Submitted opportunities with an outcome: the rows the figures are computed on. */
  readonly rows: number;
  /** Of those, landed and paid (profit > 0): the label, as training defines it. */
  readonly positives: number;
  readonly live: ModelFigures;
  readonly shadow: ModelFigures;
}

export interface ShadowFigures {
  readonly module: Module;
  readonly minutes: number;
  readonly comparisons: ShadowComparison[];
}

interface Row {
  score: number;
  shadow: number;
  live_version: string;
  shadow_version: string;
  label: number;
  profit: string | number;
}

const tableOf = (m: Module) => (m === 'mev' ? 'mev_opportunities' : 'arb_opportunities');
const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

/**
 * The live model against each candidate that ran in shadow, over the last `minutes` of stored
 * opportunities joined to their outcomes (labels as training makes them: landed and paid).
 * Only submitted opportunities have an outcome, so both models are judged on the trades the
 * live gate let through: the live model's would-be profit is all of it, the candidate's is
 * what its own threshold keeps. A candidate that would have traded what the live model skipped
 * cannot be credited for it here; that is the bias of any comparison on live traffic.
 */
export async function shadowFigures(
  store: Store,
  modelDir: string,
  module: Module,
  minutes: number,
  nowMs: number,
): Promise<ShadowFigures> {
  const db = store.database;
  const params = {
    start: Math.round(nowMs - minutes * 60_000),
    module: module === 'mev' ? 'MEV' : 'ARBITRAGE',
  };
  const since = `dt >= fromUnixTimestamp64Milli({start:Int64}, 'UTC')`;
  const [rows, scored] = await Promise.all([
    store.query<Row>(
      `SELECT o.score AS score, o.shadow_score AS shadow, o.model_version AS live_version,
              o.shadow_model_version AS shadow_version,
              toUInt8(b.landed AND b.profit_lamports > 0) AS label, b.profit_lamports AS profit
       FROM (SELECT opportunity_id, score, shadow_score, model_version, shadow_model_version
             FROM ${db}.${tableOf(module)} FINAL
             WHERE ${since} AND decision = 'DECISION_SUBMITTED' AND shadow_model_version != '') AS o
       INNER JOIN (SELECT opportunity_id, landed, profit_lamports FROM ${db}.bundle_outcomes FINAL
                   WHERE module = {module:String} AND ${since}) AS b
         ON o.opportunity_id = b.opportunity_id
       ORDER BY o.opportunity_id`,
      params,
    ),
    store.query<{ version: string; n: string | number }>(
      `SELECT shadow_model_version AS version, count() AS n FROM ${db}.${tableOf(module)} FINAL
       WHERE ${since} AND shadow_model_version != '' GROUP BY version ORDER BY version`,
      params,
    ),
  ]);
  const thresholds = new Map(
    listVersions(modelDir, module).map((e) => [e.manifest.version, e.manifest.threshold]),
  );
  const comparisons = scored.map(({ version, n }) =>
    compare(
      version,
      Number(n),
      rows.filter((r) => r.shadow_version === version),
      thresholds,
    ),
  );
  return { module, minutes, comparisons };
}

function compare(
  shadowVersion: string,
  scored: number,
  rows: Row[],
  thresholds: Map<string, number>,
): ShadowComparison {
  const labels = rows.map((r) => Number(r.label));
  const profit = rows.map((r) => Number(r.profit));
  const live = rows.map((r) => Number(r.score));
  const shadow = rows.map((r) => Number(r.shadow));
  const liveVersions = [...new Set(rows.map((r) => r.live_version))].sort();
  const liveThreshold =
    liveVersions.length === 1 ? (thresholds.get(liveVersions[0] ?? '') ?? null) : null;
  const shadowThreshold = thresholds.get(shadowVersion) ?? null;
  const total = profit.reduce((a, b) => a + b, 0);
  return {
    shadowVersion,
    scored,
    rows: rows.length,
    positives: labels.filter((l) => l > 0.5).length,
    live: {
      versions: liveVersions,
      threshold: liveThreshold,
      auc: finiteOrNull(auc(live, labels)),
      logLoss: finiteOrNull(logLoss(live, labels)),
      // Every row is a trade the live gate made: its would-be profit is what it earned.
      profitSol: total / 1e9,
      trades: rows.length,
    },
    shadow: {
      versions: [shadowVersion],
      threshold: shadowThreshold,
      auc: finiteOrNull(auc(shadow, labels)),
      logLoss: finiteOrNull(logLoss(shadow, labels)),
      profitSol: shadowThreshold === null ? null : profitAt(shadow, profit, shadowThreshold) / 1e9,
      trades: shadowThreshold === null ? null : shadow.filter((p) => p >= shadowThreshold).length,
    },
  };
}
