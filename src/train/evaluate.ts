/**
 * Validation metrics for a binary classifier that gates trades: ranking quality (AUC),
 * calibration (log-loss), and what the gate would have earned.
 */

/** Area under the ROC curve by the rank-sum formula; tied scores share their mean rank. */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (scores[a] ?? 0) - (scores[b] ?? 0),
  );
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1] ?? 0] === scores[order[i] ?? 0]) j++;
    const meanRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if ((labels[order[k] ?? 0] ?? 0) > 0.5) {
        positives++;
        rankSum += meanRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean binary cross-entropy, probabilities clipped away from 0 and 1. */
export function logLoss(p: ArrayLike<number>, labels: ArrayLike<number>): number {
  const eps = 1e-15;
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(1 - eps, Math.max(eps, p[i] ?? 0));
    sum += (labels[i] ?? 0) > 0.5 ? -Math.log(q) : -Math.log(1 - q);
  }
  return p.length === 0 ? Number.NaN : sum / p.length;
}

export interface ThresholdChoice {
  /** Trade when p ≥ threshold. */
  readonly threshold: number;
  /** Realised profit of the trades the gate would have let through, lamports. */
  readonly profitLamports: number;
  readonly trades: number;
}

/**
 * The threshold that maximises realised profit on validation: every distinct score is a
 * candidate cut, plus one above all scores (trade nothing, profit 0). On a tie the higher
 * threshold wins — the same money for fewer trades and less exposure.
 */
export function bestThreshold(p: ArrayLike<number>, profit: ArrayLike<number>): ThresholdChoice {
  const order = Array.from({ length: p.length }, (_, i) => i).sort(
    (a, b) => (p[b] ?? 0) - (p[a] ?? 0),
  );
  let best: ThresholdChoice = { threshold: 1, profitLamports: 0, trades: 0 };
  let running = 0;
  for (let i = 0; i < order.length; i++) {
    const idx = order[i] ?? 0;
    running += profit[idx] ?? 0;
    const score = p[idx] ?? 0;
    // Only cut between distinct scores: a threshold takes every row with the same score.
    if (i + 1 < order.length && p[order[i + 1] ?? 0] === score) continue;
    if (running > best.profitLamports) {
      best = { threshold: score, profitLamports: running, trades: i + 1 };
    }
  }
  return best;
}

/** Realised profit (lamports) of the rows a gate at `threshold` lets through (p ≥ threshold). */
export function profitAt(
  p: ArrayLike<number>,
  profit: ArrayLike<number>,
  threshold: number,
): number {
  let sum = 0;
  for (let i = 0; i < p.length; i++) if ((p[i] ?? 0) >= threshold) sum += profit[i] ?? 0;
  return sum;
}
