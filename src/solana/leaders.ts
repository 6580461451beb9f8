import { LandfallError } from '../errors.js';
import type { SolanaRpcClient } from './solana-rpc.js';

/**
 * Who leads each upcoming slot, from `getSlotLeaders(startSlot, limit)`, fetched ahead in
 * windows and kept until the slot passes. Whether a leader runs the Jito client comes from the
 * configured identity list (`live.jitoLeaders`); without one every leader is assumed to.
 */
export interface LeaderInfo {
  readonly leader: string;
  readonly leaderRunsJito: boolean;
  readonly leaderSlotsLeft: number;
  readonly nextLeader: string;
  readonly nextLeaderRunsJito: boolean;
}

const WINDOW = 200;

export class LeaderSchedule {
  private first = 0;
  private leaders: string[] = [];
  private refill: Promise<void> | undefined;
  private readonly jito: ReadonlySet<string> | undefined;

  constructor(
    private readonly rpc: SolanaRpcClient,
    jitoLeaders: readonly string[] | undefined,
  ) {
    this.jito = jitoLeaders === undefined ? undefined : new Set(jitoLeaders);
  }

  runsJito(identity: string): boolean {
    return this.jito === undefined || this.jito.has(identity);
  }

  /** The leader of `slot` and what follows; fetches the window when `slot` is not cached. */
  async at(slot: number): Promise<LeaderInfo> {
    if (!this.covers(slot + 8)) await this.fetch(slot);
    // A fetch started at an older slot may not reach this one: fetch from here.
    if (!this.covers(slot)) await this.fetch(slot, true);
    const i = slot - this.first;
    const leader = this.leaders[i] as string;
    let j = i;
    while (j + 1 < this.leaders.length && this.leaders[j + 1] === leader) j++;
    const next = this.leaders[j + 1] ?? leader;
    if (this.leaders.length - i < WINDOW / 2) void this.fetch(slot).catch(() => undefined);
    return {
      leader,
      leaderRunsJito: this.runsJito(leader),
      leaderSlotsLeft: j - i,
      nextLeader: next,
      nextLeaderRunsJito: this.runsJito(next),
    };
  }

  private covers(slot: number): boolean {
    return slot >= this.first && slot < this.first + this.leaders.length;
  }

  private fetch(slot: number, force = false): Promise<void> {
    if (this.refill !== undefined && !force) return this.refill;
    const run = this.rpc.rpc
      .getSlotLeaders(BigInt(slot), WINDOW)
      .send()
      .then((leaders: string[]) => {
        if (!Array.isArray(leaders) || leaders.some((l) => typeof l !== 'string')) {
          throw new LandfallError(
            'LF_SOLANA_RPC',
            `getSlotLeaders(${slot}, ${WINDOW}) at ${this.rpc.url} did not return an array of identities; is live.rpcUrl a Solana RPC endpoint?`,
          );
        }
        // Keep the already-known part that precedes the new window when it is contiguous.
        if (slot >= this.first && slot <= this.first + this.leaders.length) {
          this.leaders = [...this.leaders.slice(0, slot - this.first), ...leaders];
        } else {
          this.first = slot;
          this.leaders = leaders;
        }
        const drop = Math.max(0, slot - this.first - 16);
        this.leaders = this.leaders.slice(drop);
        this.first += drop;
      });
    // Concurrent callers share the window; each sees a failure through `covers` and retries.
    const shared: Promise<void> = run
      .catch(() => undefined)
      .finally(() => {
        if (this.refill === shared) this.refill = undefined;
      });
    this.refill = shared;
    return run;
  }
}
