import type { Module } from '../market/types.js';
import { FEATURE_SET } from './features.js';
import type { Scorer } from './types.js';

/**
 * Cold-start scorer, used until a trained model exists (the model-backed scorer,
 * src/model/scorer.ts, falls back to it for a module that never had one). A logistic of
 * hand-set weights over the lf-v1 vector (src/agent/features.ts), chosen from what decides a
 * landing in any Jito-era market:
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
