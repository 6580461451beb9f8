import type { Submission } from '../market/types.js';

/**
 * Keys for the simulator's common random numbers (`random/keyed.ts`): a submission's draws
 * (network delay, a direct transaction's forwarding delay and inclusion) and a rival's look at
 * an opportunity are keyed by what the thing *is*, never by a counter of how many came before,
 * so one policy's extra or missing submission leaves every other submission's draws as they
 * were.
 *
 * A submission is who sent it, for which module, when, and which pools it trades in which
 * direction: the same trade sent at the same instant by two policies gets the same draws,
 * whatever route or tip each chose (so a paired comparison of routes sees the same luck). Two
 * submissions identical in all of that (a rare coincidence) are told apart by their order.
 */
export class DrawKeys {
  private readonly seen = new Map<string, number>();
  private horizon = Number.NEGATIVE_INFINITY;

  /** The key of `sub`, sent by `trader` at `nowMs`. Call once per submission. */
  submission(trader: string, sub: Submission, nowMs: number): string {
    const legs = sub.legs.map((l) => `${l.pool}>${l.direction}`).join(',');
    return this.unique(`${trader}|${sub.module}|${nowMs}|${legs}`, nowMs);
  }

  /**
   * An opportunity's key: a backrun is its target swap's signature (unique); an arbitrage is
   * its token and the instant it opened (one opens per token at a time, so a repeat within one
   * instant is told apart by its order).
   */
  opportunity(kind: 'arb' | 'backrun', token: string, nowMs: number, target?: string): string {
    if (target !== undefined) return `${kind}|${target}`;
    return this.unique(`${kind}|${token}|${nowMs}`, nowMs);
  }

  /** Appends `#n` to the n-th repeat of `base`; forgets bases once time has moved on. */
  private unique(base: string, nowMs: number): string {
    // Keys embed the instant: a repeat can only come at the same instant, so the table needs to
    // hold one instant's keys only.
    if (nowMs !== this.horizon) {
      this.seen.clear();
      this.horizon = nowMs;
    }
    const n = this.seen.get(base) ?? 0;
    this.seen.set(base, n + 1);
    return n === 0 ? base : `${base}#${n}`;
  }
}
