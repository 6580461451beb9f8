import { LandfallError } from '../errors.js';
import type { SolanaRpcClient } from './solana-rpc.js';

/**
 * Who leads each upcoming slot, from `getSlotLeaders(startSlot, limit)`, fetched ahead in
 * windows and kept until the slot passes. Whether a leader runs the Jito client comes from a
 * `JitoDirectory`: Jito's own validator list (`JitoValidators`, refreshed), or the configured
 * identity list (`live.jitoLeaders`); with neither every leader is assumed to.
 */
export interface JitoDirectory {
  runsJito(identity: string): boolean;
}
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
  private readonly jito: JitoDirectory | undefined;

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

/** One validator as Jito's validator API lists it (`GET <url>`: `{ validators: [...] }`). */
interface JitoValidatorRow {
  readonly vote_account: string;
  readonly running_jito: boolean;
}

export interface JitoValidatorsOptions {
  readonly rpc: SolanaRpcClient;
  /** Jito's validator list, e.g. `https://kobe.mainnet.jito.network/api/v1/validators`. */
  readonly url: string;
  readonly timeoutMs: number;
  /** How often the list is read again (validators join and leave between epochs). */
  readonly refreshMs: number;
  /** What to assume of a leader before the first list arrives, or when it cannot be read. */
  readonly fallback: JitoDirectory | undefined;
  readonly onError: (err: Error) => void;
}

/**
 * Which leaders run the Jito client, as Jito says: its validator list names vote accounts that
 * run Jito, and `getVoteAccounts` maps each to the node identity the leader schedule names.
 * Read at start and every `refreshMs`; until the first read succeeds (and if none ever does)
 * the fallback answers — the configured list, or every leader.
 */
export class JitoValidators implements JitoDirectory {
  private identities: ReadonlySet<string> | undefined;
  private timer: NodeJS.Timeout | undefined;
  readonly stats = { refreshes: 0, failures: 0, running: 0 };

  constructor(private readonly options: JitoValidatorsOptions) {}

  runsJito(identity: string): boolean {
    if (this.identities !== undefined) return this.identities.has(identity);
    return this.options.fallback === undefined || this.options.fallback.runsJito(identity);
  }

  /** Reads the list now and every `refreshMs` until `stop`. */
  start(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.refreshMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    try {
      const [rows, votes] = await Promise.all([
        this.fetchValidators(),
        this.options.rpc.rpc.getVoteAccounts().send(),
      ]);
      const jitoVotes = new Set(rows.filter((r) => r.running_jito).map((r) => r.vote_account));
      const identities = new Set<string>();
      for (const v of [...votes.current, ...votes.delinquent])
        if (jitoVotes.has(v.votePubkey)) identities.add(v.nodePubkey);
      this.identities = identities;
      this.stats.refreshes++;
      this.stats.running = identities.size;
    } catch (err) {
      this.stats.failures++;
      this.options.onError(err as Error);
    }
  }

  private async fetchValidators(): Promise<JitoValidatorRow[]> {
    const { url, timeoutMs } = this.options;
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok)
      throw new LandfallError('LF_SOLANA_RPC', `Jito validators ${url}: HTTP ${response.status}`);
    const body = (await response.json()) as { validators?: unknown };
    const rows = body.validators;
    if (
      !Array.isArray(rows) ||
      rows.some(
        (r) =>
          typeof (r as JitoValidatorRow).vote_account !== 'string' ||
          typeof (r as JitoValidatorRow).running_jito !== 'boolean',
      )
    ) {
      throw new LandfallError(
        'LF_SOLANA_RPC',
        `Jito validators ${url}: expected { validators: [{ vote_account, running_jito }] }; is live.jitoValidatorsUrl Jito's validator API?`,
      );
    }
    return rows as JitoValidatorRow[];
  }
}
