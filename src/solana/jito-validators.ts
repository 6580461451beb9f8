import { LandfallError } from '../errors.js';
import type { JitoDirectory } from './leaders.js';
import type { SolanaRpcClient } from './solana-rpc.js';

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
