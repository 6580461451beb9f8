import type { Module } from '../market/types.js';

/** A Gaussian prior per weight of one logistic model. */
export interface WeightPrior {
  readonly mean: readonly number[];
  readonly sd: readonly number[];
}

/** Priors of the joint policy's three models (`joint-policy.ts` lists their features). */
export interface JointPriors {
  readonly win: WeightPrior;
  readonly still: WeightPrior;
  readonly include: WeightPrior;
}

/**
 * Priors fitted on the tuning seeds only (1–14, 60 simulated minutes each, default market):
 * the mean across seeds of each model's posterior mean at the end of a run, and their spread
 * across seeds (floored at 0.25) as the prior's sd — an empirical-Bayes prior, so a fresh agent
 * starts where agents usually end, and a market unlike those seeds moves it within a few dozen
 * outcomes. Refit with `src/bench/fit-joint-priors.ts` after a change to the features or the
 * simulator, and re-run the held-out block once.
 */
export const JOINT_PRIORS: Record<Module, JointPriors> = {
  arb: {
    win: {
      mean: [0.97, 0.38, 1.24, -0.44, -0.41, 0.93, -1.74, -0.2, -2.43],
      sd: [1.06, 0.25, 0.91, 0.25, 0.55, 0.58, 1.1, 0.49, 1.68],
    },
    still: {
      mean: [2.41, -2.83, -0.49, 0.11, -0.4, 0.56, -0.53],
      sd: [0.74, 0.42, 0.25, 0.39, 0.76, 0.25, 0.53],
    },
    include: {
      mean: [1.06, 0.23, -1.84],
      sd: [0.64, 0.25, 0.39],
    },
  },
  mev: {
    win: {
      mean: [-0.14, 0.44, 1.87, -0.19, 0.14, -0.09, -1.58, -0.29, -1.92],
      sd: [0.86, 0.25, 1.31, 0.25, 0.38, 0.38, 0.71, 0.47, 0.86],
    },
    still: {
      mean: [2.16, -2.69, -0.22, 0.22, -0.7, 0.41, -0.67],
      sd: [0.5, 0.37, 0.25, 0.3, 0.64, 0.25, 0.69],
    },
    include: {
      mean: [-0.08, 0.29, -1.05],
      sd: [1.32, 0.25, 0.32],
    },
  },
};
