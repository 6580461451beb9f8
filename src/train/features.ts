import { FEATURE_NAMES, type FeatureName } from '../agent/features.js';

/**
 * Named feature sets for training. Every model still takes the agent's whole lf-v1 vector, in
 * its order (the loader refuses any other): a feature outside the chosen set is masked as
 * missing while training, so no tree splits on it and its value is ignored when serving.
 * - `default`: what decides a landing in any Jito-era market — profit, size, depth, hops,
 *   backrun or not, congestion, whether the leader runs Jito, profit over the tip floor.
 * - `extended`: every lf-v1 feature, adding the leader's remaining slots and the raw tip floor
 *   and priority-fee levels, which pay off only with enough data to learn regimes.
 */
/** What `extended` adds to `default`. */
const EXTENDED_ONLY: readonly string[] = [
  'leader_slots_left',
  'log10_tip_floor_p50',
  'log10_priority_fee_p50',
];

export const FEATURE_SETS = {
  default: FEATURE_NAMES.filter((name) => !EXTENDED_ONLY.includes(name)),
  extended: [...FEATURE_NAMES],
} as const satisfies Record<string, readonly FeatureName[]>;

export type FeatureSetName = keyof typeof FEATURE_SETS;

export function isFeatureSetName(name: string): name is FeatureSetName {
  return Object.hasOwn(FEATURE_SETS, name);
}

/** The first name not in lf-v1, or undefined. */
export function unknownFeature(names: readonly string[]): string | undefined {
  return names.find((n) => !(FEATURE_NAMES as readonly string[]).includes(n));
}

/** Column mask over lf-v1: true where the feature is trained on. */
export function featureMask(
  set: FeatureSetName,
  include: readonly string[],
  exclude: readonly string[],
): boolean[] {
  const chosen = new Set<string>([...FEATURE_SETS[set], ...include]);
  for (const name of exclude) chosen.delete(name);
  return FEATURE_NAMES.map((name) => chosen.has(name));
}
