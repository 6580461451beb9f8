import type { FailureReason, SubmissionOutcome } from '../market/types.js';

/**
 * What one outcome may teach the tip and route policies. They learn only from what the auction
 * and the network decided about a submission that went out: it landed, lost, or was never
 * included in time. Everything decided before or beside that — the live safety gate's refusal
 * and a failed sizing simulation (`dropped`, `slippage`), a market condition, a block-engine
 * refusal or send error — is still recorded in telemetry, but teaches nothing: no tip and no
 * route would have changed it, and counting it as a loss would drag both policies towards
 * whichever arm was pulled while the wallet or the pool was in that state.
 *
 * A table over every reason, so a new reason cannot be added without deciding what it teaches.
 */
export interface Lesson {
  /** The route's landing rate (per leader kind and size class) learns from it. */
  readonly route: boolean;
  /** The tip arm that was pulled learns from it (bundles only). */
  readonly tip: boolean;
}

const NOTHING: Lesson = { route: false, tip: false };

const LESSONS: Record<FailureReason | 'landed', Lesson> = {
  landed: { route: true, tip: true },
  auction_lost: { route: true, tip: true },
  // A rival's trade reached the pools first: a race lost, as an auction is.
  rival_first: { route: true, tip: true },
  // Sent while the leader does not run Jito: the route failed; every tip would have.
  not_jito_leader: { route: true, tip: false },
  // Sent and not included by its deadline: the route did not land it. Not the tip's doing
  // alone (a backrun whose target never lands expires at any tip).
  expired: { route: true, tip: false },
  dropped: NOTHING,
  slippage: NOTHING,
  tip_below_minimum: NOTHING,
  rejected: NOTHING,
  market_condition: NOTHING,
};

export function lessonOf(outcome: SubmissionOutcome): Lesson {
  return LESSONS[outcome.landed ? 'landed' : (outcome.failure ?? 'dropped')];
}
