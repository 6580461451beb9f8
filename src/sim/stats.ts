import type { FailureReason, Route, SubmissionOutcome } from '../market/types.js';

/** What one side (the agent, or all rivals together) submitted and got. */
export interface Tally {
  submissions: number;
  submittedByRoute: Record<Route, number>;
  landed: number;
  landedByRoute: Record<Route, number>;
  failures: Record<FailureReason, number>;
  /** Realised, after tips and fees. */
  profitLamports: bigint;
  tipLamports: bigint;
  feeLamports: bigint;
}

/** Ground truth: opportunities the market offered and who took them. */
export interface OpportunityTally {
  opened: number;
  capturedByAgent: number;
  capturedByRivals: number;
  /** Closed by other flow, or never materialised (target swap failed). */
  faded: number;
}

export interface RegimeStats {
  /** Simulated time spent in this regime. */
  ms: number;
  agent: Tally;
  rivals: Tally;
  opportunities: OpportunityTally;
}

export interface SimStats {
  simulatedMs: number;
  /** Scheduler actions run. */
  events: number;
  /** Events delivered to the engine. */
  marketEvents: number;
  opportunities: { arb: OpportunityTally; backrun: OpportunityTally };
  agent: Tally;
  rivals: Tally;
  regimes: Record<string, RegimeStats>;
}

export function newTally(): Tally {
  return {
    submissions: 0,
    submittedByRoute: { jito: 0, direct: 0 },
    landed: 0,
    landedByRoute: { jito: 0, direct: 0 },
    failures: {
      auction_lost: 0,
      rival_first: 0,
      not_jito_leader: 0,
      dropped: 0,
      expired: 0,
      slippage: 0,
      tip_below_minimum: 0,
      rejected: 0,
      market_condition: 0,
    },
    profitLamports: 0n,
    tipLamports: 0n,
    feeLamports: 0n,
  };
}

export function newOpportunityTally(): OpportunityTally {
  return { opened: 0, capturedByAgent: 0, capturedByRivals: 0, faded: 0 };
}

export function newRegimeStats(): RegimeStats {
  return { ms: 0, agent: newTally(), rivals: newTally(), opportunities: newOpportunityTally() };
}

export function countSubmission(tally: Tally, route: Route): void {
  tally.submissions++;
  tally.submittedByRoute[route]++;
}

export function countOutcome(tally: Tally, outcome: SubmissionOutcome): void {
  if (outcome.landed) {
    tally.landed++;
    tally.landedByRoute[outcome.route]++;
  } else if (outcome.failure !== null) {
    tally.failures[outcome.failure]++;
  }
  tally.profitLamports += outcome.profitLamports;
  tally.tipLamports += outcome.tipLamports;
  tally.feeLamports += outcome.feeLamports;
}

/** Rivals' share of the opportunities searchers captured; NaN when none were. */
export function rivalShare(t: OpportunityTally): number {
  const captured = t.capturedByAgent + t.capturedByRivals;
  return captured === 0 ? Number.NaN : t.capturedByRivals / captured;
}

/** Landed / submissions; NaN when nothing was submitted. */
export function landedRate(t: Tally): number {
  return t.submissions === 0 ? Number.NaN : t.landed / t.submissions;
}
