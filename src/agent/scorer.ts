import type { Module } from '../market/types.js';
import type { Candidate, MarketView, Scorer } from './types.js';

/**
 * Feature set `lf-v1`: the vector every opportunity is scored on and published with, so a
 * model trained on stored opportunities sees exactly what the engine saw. Append only: a new
 * feature means a new set name.
 */
export const FEATURE_SET = 'lf-v1';
export const FEATURE_NAMES = [
  'log10_gross_profit_lamports',
  'log10_input_lamports',
  'log10_min_depth_lamports',
  'hops',
  'is_backrun',
  'congestion',
  'leader_runs_jito',
  'leader_slots_left',
  'log10_tip_floor_p50',
  'profit_over_tip_floor',
  'log10_priority_fee_p50',
] as const;

export function featuresOf(candidate: Candidate, view: MarketView): Float32Array {
  const gross = Number(candidate.grossProfitLamports);
  const f = new Float32Array(FEATURE_NAMES.length);
  f[0] = Math.log10(Math.max(1, gross));
  f[1] = Math.log10(Math.max(1, Number(candidate.inputAmount)));
  f[2] = Math.log10(Math.max(1, candidate.minDepthLamports));
  f[3] = candidate.legs.length;
  f[4] = candidate.afterSignature === undefined ? 0 : 1;
  f[5] = view.congestion;
  f[6] = view.leaderRunsJito ? 1 : 0;
  f[7] = view.leaderSlotsLeft;
  f[8] = Math.log10(Math.max(1, view.tipFloorP50));
  f[9] = gross / Math.max(1, view.tipFloorP50);
  f[10] = Math.log10(Math.max(1, view.priorityFeeP50));
  return f;
}

/**
 * Cold-start scorer, used until a trained model exists (the model-backed scorer arrives with
 * the model runtime and implements the same `Scorer`). A logistic of hand-set weights, chosen
 * from what decides a landing in any Jito-era market:
 * - larger profit relative to the going tip leaves room to outbid rivals (+);
 * - congestion slows direct transactions and raises clearing tips (−);
 * - backruns are contested by every searcher watching the same pending swap (−), while a
 *   cross-venue dislocation is often seen by fewer;
 * - 3-hop cycles revert more often: three pools can move under them (−);
 * - tiny profits (under ~10⁵ lamports) rarely cover a competitive tip (−).
 * It is deliberately mild: it gates only opportunities that are very unlikely to pay, and
 * leaves pricing to the tip and route policies, which learn from outcomes.
 */
export class HeuristicScorer implements Scorer {
  readonly version = 'heuristic-v1';
  readonly featureSet = FEATURE_SET;

  score(f: Float32Array, module: Module): number {
    const logProfit = f[0] ?? 0;
    const headroom = Math.log10(1 + (f[9] ?? 0));
    const z =
      -1 +
      0.9 * (logProfit - 5) +
      0.6 * headroom -
      1.2 * (f[5] ?? 0) -
      (module === 'mev' ? 0.3 : 0) -
      0.4 * Math.max(0, (f[3] ?? 2) - 2);
    return 1 / (1 + Math.exp(-z));
  }
}
