import type { MarketEvent, SubmissionOutcome } from '../market/types.js';

/**
 * The rival level of the tuning seeds (1–14, default market): 0.35–0.64 per regime and seed,
 * about 0.5 overall.
 */
const UNSEEN_LEVEL = 0.5;

/** Per-outcome weight of `contested`: about the last 30 outcomes. */
const CONTESTED_WEIGHT = 0.03;

/**
 * How contested the market is right now, shared by every agent of a process (arbitrage and
 * backrun meet the same rivals): how many distinct rival searchers have landed a trade in the
 * last `horizonMs`, read from the chain itself. A transaction that swaps on two or more pools
 * is a searcher's cycle (a user's swap touches one pool; an aggregator's multi-pool route is
 * rare beside them), and one that is not ours is a rival's; its fee payer is the rival (a
 * source that does not name signers makes each transaction its own). Reported as
 * n / (n + `halfSigners`), in [0, 1).
 *
 * Exogenous on purpose: a signal made of the agent's own losses would move with its own bids
 * (bid low, lose more, read "war", bid lower still). Who else lands does not depend on them.
 */
export class CompetitionSignal {
  /** Rival signers and when each last landed a cycle. */
  private readonly rivals = new Map<string, number>();
  /** Signatures seen on one pool so far: the first pool each landed on, and when. */
  private readonly firstLeg = new Map<string, { pool: string; atMs: number; counted: boolean }>();
  private readonly own = new Set<string>();
  private seen = false;
  /**
   * Share of this process's recent submissions that reached the market and lost to a rival
   * (outbid, or beaten to the pools), exponentially weighted: the agents' own view of the
   * fight. It moves with their bids too, so it is a second feature beside the rival count,
   * never the only one. Starts at an even market.
   */
  contested = 0.5;

  constructor(
    private readonly horizonMs = 120_000,
    /** Distinct rivals that read as 0.5. */
    private readonly halfSigners = 4,
  ) {}

  /** Reads one market event; several agents may pass the same event (counted once). */
  onEvent(event: MarketEvent): void {
    if (event.kind !== 'landedSwap') return;
    this.seen = true;
    const seen = this.firstLeg.get(event.signature);
    if (seen === undefined) {
      this.firstLeg.set(event.signature, { pool: event.pool, atMs: event.atMs, counted: false });
      this.prune(event.atMs);
      return;
    }
    if (seen.counted || seen.pool === event.pool) return;
    seen.counted = true;
    if (this.own.delete(event.signature)) return;
    const rival = event.signer ?? event.signature;
    // Re-inserted, so the map stays in order of last landing (oldest first) for `level`.
    this.rivals.delete(rival);
    this.rivals.set(rival, event.atMs);
  }

  /** One of our outcomes: lost to a rival, landed, or neither (teaches nothing here). */
  observe(outcome: SubmissionOutcome): void {
    const lost = outcome.failure === 'auction_lost' || outcome.failure === 'rival_first';
    if (!outcome.landed && !lost) return;
    this.contested += CONTESTED_WEIGHT * ((lost ? 1 : 0) - this.contested);
  }

  /** A transaction of ours: its landing is not a rival's. */
  sent(signature: string): void {
    this.own.add(signature);
    // Ours that never land would pile up: keep the most recent few thousand.
    if (this.own.size > 4096) this.own.delete(this.own.values().next().value as string);
  }

  /**
   * The signal at `nowMs`, in [0, 1). Until a landed swap has been seen — a source that does
   * not report them (the live feeds today) never does — it is `UNSEEN_LEVEL`, the level the
   * tuning seeds ran at, so the priors fitted there read it as an ordinary market rather than
   * as one without rivals.
   */
  level(nowMs: number): number {
    if (!this.seen) return UNSEEN_LEVEL;
    for (const [rival, atMs] of this.rivals) {
      if (atMs > nowMs - this.horizonMs) break;
      this.rivals.delete(rival);
    }
    const n = this.rivals.size;
    return n / (n + this.halfSigners);
  }

  /** Legs of one transaction land together: a signature older than a few seconds is done. */
  private prune(nowMs: number): void {
    for (const [signature, leg] of this.firstLeg) {
      if (leg.atMs > nowMs - 5_000) return;
      this.firstLeg.delete(signature);
    }
  }
}
