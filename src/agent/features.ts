import type { Candidate, MarketView } from './types.js';

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
export type FeatureName = (typeof FEATURE_NAMES)[number];

/** A candidate's lf-v1 vector, in FEATURE_NAMES order, as the engine scores and publishes it. */
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
