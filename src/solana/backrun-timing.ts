import type { FailureReason, Submission } from '../market/types.js';
import type { LeaderInfo } from './leaders.js';

/**
 * When a backrun may go out, and where it lands relative to its target. The target came off the
 * Geyser stream: a processed transaction has executed in the bank of its slot S, and a deshred
 * one has been recorded by S's leader (a leader executes a transaction, records it into an entry,
 * then shreds the entry), so nothing sent now can execute before it: in S it follows the target
 * in that leader's block, and any later slot follows S. Landfall never re-sends the target, never
 * bundles anything ahead of it, and prices the backrun on the state the target leaves, with the
 * last leg guarded to return its input and costs: placed on a state without the target it reverts
 * (a bundle then lands nothing at all).
 *
 * What the leader allows decides the rest. The landing slot L is the newest slot the source has
 * seen (never before S). L's leader is S's leader while it still holds its run of slots: then
 * the backrun lands in the target's slot or the same leader's next one — "same slot".
 * - `jito` route: L's leader must run Jito, else the bundle could only wait in the block engine
 *   for the next Jito leader, slots later, after other flow has moved the pool it was priced
 *   on: it is not sent (`not_jito_leader`, free; the route policy learns from it).
 * - `direct` route: sent through the RPC to the current leader whoever it is (it follows the
 *   target just the same), paying its priority fee and, if it reverts, its base fee.
 * - A backrun more than `maxSlotsLate` past its target's slot, with the target's leader gone,
 *   is stale: it is not sent (`expired`), the book prices what is left as plain arbitrage.
 */
export interface BackrunTimingOptions {
  readonly leaderAt: (slot: number) => Promise<LeaderInfo>;
  /** The newest slot the source has seen. */
  readonly currentSlot: () => number;
  /** The slot the stream saw a target in; undefined when it is no longer held. */
  readonly targetSlot: (signature: string) => number | undefined;
  readonly maxSlotsLate: number;
}

export type BackrunVerdict =
  | {
      readonly send: true;
      /** The slot it is sent into, and whether that is the target's leader's run. */
      readonly slot: number;
      readonly sameSlot: boolean;
      readonly leader: string;
    }
  | {
      readonly send: false;
      readonly slot: number;
      readonly failure: FailureReason;
      readonly reason: string;
    };

export class BackrunTiming {
  readonly stats = { sameSlot: 0, later: 0, notJitoLeader: 0, stale: 0, unknownTarget: 0 };

  constructor(private readonly options: BackrunTimingOptions) {}

  /** The verdict for a backrun (`afterSignature` set); undefined for any other submission. */
  async verdict(submission: Submission): Promise<BackrunVerdict | undefined> {
    const target = submission.afterSignature;
    if (target === undefined) return undefined;
    const o = this.options;
    const s = o.targetSlot(target);
    const now = o.currentSlot();
    if (s === undefined) {
      this.stats.unknownTarget++;
      return {
        send: false,
        slot: now,
        failure: 'market_condition',
        reason: `its target ${target} is no longer known to the source`,
      };
    }
    const landing = Math.max(now, s);
    const [at, of] = await Promise.all([o.leaderAt(landing), o.leaderAt(s)]);
    const sameSlot = at.leader === of.leader && landing - s <= of.leaderSlotsLeft;
    if (!sameSlot && landing - s > o.maxSlotsLate) {
      this.stats.stale++;
      return {
        send: false,
        slot: landing,
        failure: 'expired',
        reason: `slot ${landing} is ${landing - s} past its target's slot ${s}, whose leader has gone`,
      };
    }
    if (submission.route === 'jito' && !at.leaderRunsJito) {
      this.stats.notJitoLeader++;
      return {
        send: false,
        slot: landing,
        failure: 'not_jito_leader',
        reason: `slot ${landing}'s leader ${at.leader} does not run Jito: a bundle cannot land with it`,
      };
    }
    if (sameSlot) this.stats.sameSlot++;
    else this.stats.later++;
    return { send: true, slot: landing, sameSlot, leader: at.leader };
  }
}
