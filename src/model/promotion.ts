/**
 * Champion/challenger: a trained model is published as a *candidate* and replaces the live
 * model only when it earns more on the same evidence.
 *
 * The comparison: the validation window of the training job (the latest
 * `train.validationFraction` of its range, by time, never seen while boosting). Each model is
 * scored on every submitted opportunity of that window and earns the realised profit of those
 * it would have let through: the candidate at the threshold it will trade at (chosen on that
 * window, see evaluate.ts `bestThreshold`), the live model at its own baked-in threshold. The
 * live model sees every feature; the candidate the ones its request kept. The candidate is
 * promoted when
 *
 *     candidate − live > max(marginSol, marginFraction × |live|)
 *
 * or when there is no live model to beat (or the live one cannot be scored: it is then not
 * serving either). A tie stays a candidate: a swap must be paid for by evidence.
 */
export interface PromotionRule {
  /** Absolute gain required, SOL over the validation window. */
  marginSol: number;
  /** Gain required as a fraction of the live model's |profit| on the window. */
  marginFraction: number;
}

/** What decided a promotion; kept in the candidate's manifest metrics and the audit record. */
export interface PromotionFigures {
  candidateVersion: string;
  candidateProfitSol: number;
  candidateThreshold: number;
  /** Undefined when no live model could be scored. */
  liveVersion?: string;
  liveProfitSol?: number;
  liveThreshold?: number;
  /** Gain the candidate had to exceed. */
  requiredGainSol: number;
  validationRows: number;
}

export interface PromotionDecision {
  promote: boolean;
  /** One sentence with the numbers, for acks, logs and the audit record. */
  reason: string;
  figures: PromotionFigures;
}

export interface LiveScore {
  version: string;
  profitSol: number;
  threshold: number;
}

export function decidePromotion(
  candidate: { version: string; profitSol: number; threshold: number; validationRows: number },
  live: LiveScore | { version?: string; unscorable: string } | undefined,
  rule: PromotionRule,
): PromotionDecision {
  const base = {
    candidateVersion: candidate.version,
    candidateProfitSol: candidate.profitSol,
    candidateThreshold: candidate.threshold,
    validationRows: candidate.validationRows,
  };
  const sol = (x: number) => `${x.toFixed(6)} SOL`;
  if (live === undefined || 'unscorable' in live) {
    const why =
      live === undefined
        ? 'there is no live model to beat'
        : `the live model${live.version === undefined ? '' : ` ${live.version}`} cannot be scored (${live.unscorable})`;
    return {
      promote: true,
      reason: `candidate ${candidate.version} promoted: ${why}; it earns ${sol(candidate.profitSol)} on ${candidate.validationRows} validation rows`,
      figures: { ...base, requiredGainSol: 0 },
    };
  }
  if (live.version === candidate.version) {
    return {
      promote: false,
      reason: `candidate ${candidate.version} is byte for byte the live model: nothing to promote`,
      figures: {
        ...base,
        liveVersion: live.version,
        liveProfitSol: live.profitSol,
        liveThreshold: live.threshold,
        requiredGainSol: 0,
      },
    };
  }
  const required = Math.max(rule.marginSol, rule.marginFraction * Math.abs(live.profitSol));
  const gain = candidate.profitSol - live.profitSol;
  const promote = gain > required;
  const figures: PromotionFigures = {
    ...base,
    liveVersion: live.version,
    liveProfitSol: live.profitSol,
    liveThreshold: live.threshold,
    requiredGainSol: required,
  };
  const compare = `candidate ${candidate.version} earns ${sol(candidate.profitSol)} at threshold ${candidate.threshold.toFixed(3)}, live ${live.version} ${sol(live.profitSol)} at ${live.threshold.toFixed(3)} on the same ${candidate.validationRows} validation rows; gain ${sol(gain)}, required more than ${sol(required)}`;
  return {
    promote,
    reason: promote ? `promoted: ${compare}` : `kept as a candidate: ${compare}`,
    figures,
  };
}

/** The figures as manifest metrics (numbers only: the manifest schema keeps them so). */
export function figuresAsMetrics(d: PromotionDecision): Record<string, number> {
  const f = d.figures;
  return {
    promoted_by_rule: d.promote ? 1 : 0,
    promotion_required_gain_sol: f.requiredGainSol,
    ...(f.liveProfitSol === undefined ? {} : { live_expected_profit_sol: f.liveProfitSol }),
    ...(f.liveThreshold === undefined ? {} : { live_threshold: f.liveThreshold }),
  };
}
