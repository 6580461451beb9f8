import { LandfallError } from '../errors.js';
import { type EpochSchedule, epochAt, firstSlotOf, slotsIn } from './epochs.js';
import type { SolanaRpcClient } from './solana-rpc.js';

/**
 * Who leads each slot, read once per epoch with `getLeaderSchedule(firstSlotOfEpoch)` (every
 * slot of the epoch, as indices relative to its first slot) and kept as one array per epoch, so
 * a slot's leader is an index, O(1). The epoch boundaries come from `getEpochSchedule` (fixed at
 * genesis, `epochs.ts`); `getEpochInfo` says which epoch the cluster is in at start. The next
 * epoch's schedule is known to the cluster one epoch ahead (`leaderScheduleSlotOffset`), so it is
 * read in the background as soon as a slot of the current epoch is asked for, and is in place
 * when the boundary comes; epochs more than one behind are dropped.
 *
 * Whether a leader runs the Jito client comes from a `JitoDirectory`: the block engine's
 * connected leaders (`jito-leaders.ts`), Jito's validator list (`jito-validators.ts`), or the
 * configured identity list (`live.jitoLeaders`); with none every leader is assumed to.
 */
export interface JitoDirectory {
  runsJito(identity: string): boolean;
  /** Whether `slot`'s leader runs Jito, where the directory knows slots; undefined: ask `runsJito`. */
  runsJitoAt?(slot: number): boolean | undefined;
}
export interface LeaderInfo {
  readonly leader: string;
  readonly leaderRunsJito: boolean;
  readonly leaderSlotsLeft: number;
  readonly nextLeader: string;
  readonly nextLeaderRunsJito: boolean;
}

/** One epoch's schedule: `slots[i]` indexes `identities` for slot `first + i`. */
interface EpochLeaders {
  readonly epoch: bigint;
  readonly first: number;
  readonly slots: Uint32Array;
  readonly identities: readonly string[];
}

/** Marks a slot the schedule did not name (a malformed answer); never a real index. */
const NONE = 0xffff_ffff;
/** How far a leader's run of slots is followed (mainnet gives each leader 4 in a row). */
const MAX_RUN = 64;

export class LeaderSchedule {
  private epochSchedule: Promise<EpochSchedule> | undefined;
  private readonly epochs = new Map<bigint, EpochLeaders>();
  private readonly loading = new Map<bigint, Promise<EpochLeaders>>();
  private readonly jito: JitoDirectory | undefined;
  private newest: bigint | undefined;
  /** Called once for each epoch the asked slots enter (the Jito directory re-reads there). */
  onEpoch: ((epoch: bigint) => void) | undefined;
  readonly stats = { epochsRead: 0, readFailures: 0 };

  constructor(
    private readonly rpc: SolanaRpcClient,
    jitoLeaders: readonly string[] | JitoDirectory | undefined,
  ) {
    if (jitoLeaders === undefined || !Array.isArray(jitoLeaders))
      this.jito = jitoLeaders as JitoDirectory | undefined;
    else {
      const listed = new Set(jitoLeaders);
      this.jito = { runsJito: (identity) => listed.has(identity) };
    }
  }

  runsJito(identity: string): boolean {
    return this.jito === undefined || this.jito.runsJito(identity);
  }

  /** Reads the current epoch's schedule (`getEpochInfo` names it) and starts on the next. */
  async start(): Promise<void> {
    const info = await this.rpc.rpc.getEpochInfo().send();
    await this.at(Number(info.absoluteSlot));
  }

  /** The leader of `slot` if its epoch is held, without waiting: O(1). */
  leaderAt(slot: number): string | undefined {
    for (const e of this.epochs.values()) {
      const i = slot - e.first;
      if (i < 0 || i >= e.slots.length) continue;
      const id = e.slots[i] as number;
      return id === NONE ? undefined : e.identities[id];
    }
    return undefined;
  }

  /** The leader of `slot` and what follows, reading its epoch's schedule first if not held. */
  async at(slot: number): Promise<LeaderInfo> {
    const schedule = await this.schedule();
    const epoch = epochAt(schedule, slot);
    if (!this.epochs.has(epoch)) await this.load(epoch);
    this.entered(epoch);
    const leader = this.leaderAt(slot);
    if (leader === undefined) {
      throw new LandfallError(
        'LF_SOLANA_RPC',
        `getLeaderSchedule at ${this.rpc.url} names no leader for slot ${slot} of epoch ${epoch}; is live.rpcUrl a Solana RPC endpoint?`,
      );
    }
    // The run may cross into the next epoch: wait for its schedule only when it is needed.
    let j = slot;
    let next: string | undefined = leader;
    while (next === leader && j - slot < MAX_RUN) {
      j++;
      next = this.leaderAt(j);
      if (next === undefined) next = await this.leaderAfterBoundary(j);
    }
    return {
      leader,
      leaderRunsJito: this.jito?.runsJitoAt?.(slot) ?? this.runsJito(leader),
      leaderSlotsLeft: j - slot - 1,
      nextLeader: next ?? leader,
      nextLeaderRunsJito: this.jito?.runsJitoAt?.(j) ?? this.runsJito(next ?? leader),
    };
  }

  /** The leader of `slot` in an epoch not yet held; undefined when the cluster cannot say yet. */
  private async leaderAfterBoundary(slot: number): Promise<string | undefined> {
    const epoch = epochAt(await this.schedule(), slot);
    try {
      await this.load(epoch);
    } catch {
      return undefined;
    }
    return this.leaderAt(slot);
  }

  /** First sight of `epoch`: the next one is read ahead, the old ones dropped, listeners told. */
  private entered(epoch: bigint): void {
    if (this.newest !== undefined && epoch <= this.newest) return;
    this.newest = epoch;
    for (const e of this.epochs.keys()) if (e < epoch - 1n) this.epochs.delete(e);
    void this.load(epoch + 1n).catch(() => undefined);
    this.onEpoch?.(epoch);
  }

  private schedule(): Promise<EpochSchedule> {
    this.epochSchedule ??= this.rpc.rpc
      .getEpochSchedule()
      .send()
      .catch((err: unknown) => {
        this.epochSchedule = undefined;
        throw err;
      });
    return this.epochSchedule;
  }

  /** Reads `epoch`'s schedule once; concurrent callers share the read, a failure is retried. */
  private load(epoch: bigint): Promise<EpochLeaders> {
    const held = this.epochs.get(epoch);
    if (held !== undefined) return Promise.resolve(held);
    let pending = this.loading.get(epoch);
    if (pending === undefined) {
      pending = this.read(epoch).finally(() => this.loading.delete(epoch));
      this.loading.set(epoch, pending);
    }
    return pending;
  }

  private async read(epoch: bigint): Promise<EpochLeaders> {
    const schedule = await this.schedule();
    const first = firstSlotOf(schedule, epoch);
    const length = Number(slotsIn(schedule, epoch));
    let answer: Record<string, readonly (bigint | number)[]> | null;
    try {
      answer = await this.rpc.rpc.getLeaderSchedule(first).send();
    } catch (err) {
      this.stats.readFailures++;
      throw err;
    }
    if (answer === null || typeof answer !== 'object') {
      this.stats.readFailures++;
      // Asked too far ahead: the cluster fixes an epoch's schedule one epoch before it starts.
      throw new LandfallError(
        'LF_SOLANA_RPC',
        `getLeaderSchedule(${first}) at ${this.rpc.url}: no schedule for epoch ${epoch} yet`,
      );
    }
    const identities = Object.keys(answer);
    const slots = new Uint32Array(length).fill(NONE);
    identities.forEach((identity, id) => {
      for (const index of answer[identity] ?? []) {
        const i = Number(index);
        if (i >= 0 && i < length) slots[i] = id;
      }
    });
    const leaders: EpochLeaders = { epoch, first: Number(first), slots, identities };
    this.epochs.set(epoch, leaders);
    this.stats.epochsRead++;
    return leaders;
  }
}
