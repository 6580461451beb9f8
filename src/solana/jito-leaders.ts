import type { JitoDirectory } from './leaders.js';
import {
  type ConnectedLeaders,
  decodeConnectedLeaders,
  GET_CONNECTED_LEADERS,
  grpcUnary,
} from './searcher-grpc.js';

/**
 * Which leaders run Jito, as the block engine itself says: `GetConnectedLeaders` names every
 * validator connected to it (identity → its leader slots this epoch), and a bundle only lands
 * with a connected leader. Read at start, every `refreshMs`, and again when the leader schedule
 * enters a new epoch (the slot lists are per epoch). A leader is taken to run Jito when the last
 * answer named it; a slot the answer lists is one a connected leader leads (`runsJitoAt`).
 *
 * Until an answer arrives, and whenever the block engine cannot tell (unreachable, the method
 * unimplemented, refused), the fallback answers — Jito's validator list, or the configured
 * `live.jitoLeaders`, or every leader. A failed refresh after a good answer keeps that answer
 * for `staleAfterMs`, then hands over to the fallback: validators connect and disconnect.
 */
export interface JitoLeadersOptions {
  /** The block engine's gRPC origin (`live.blockEngineGrpcUrl`, default `live.blockEngineUrl`). */
  readonly url: string;
  readonly timeoutMs: number;
  readonly refreshMs: number;
  /** How long a good answer stands while refreshes fail. */
  readonly staleAfterMs: number;
  readonly fallback: JitoDirectory | undefined;
  readonly now: () => number;
  readonly onError: (err: Error) => void;
}

export class BlockEngineLeaders implements JitoDirectory {
  private connected: { identities: ReadonlySet<string>; slots: ReadonlySet<number> } | undefined;
  private readAtMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  readonly stats = { refreshes: 0, failures: 0, connected: 0 };

  constructor(private readonly options: JitoLeadersOptions) {}

  /** Whether the block engine's last answer is the one speaking (not the fallback). */
  get told(): boolean {
    return (
      this.connected !== undefined &&
      this.options.now() - this.readAtMs <= this.options.staleAfterMs
    );
  }

  runsJito(identity: string): boolean {
    if (this.told) return this.connected?.identities.has(identity) === true;
    const f = this.options.fallback;
    return f === undefined || f.runsJito(identity);
  }

  /**
   * True when the last answer lists `slot` among a connected leader's; otherwise undefined and
   * the leader's identity decides: the lists cover the current epoch only, so a slot of the next
   * one is not listed even when its leader is connected.
   */
  runsJitoAt(slot: number): boolean | undefined {
    return this.told && this.connected?.slots.has(slot) === true ? true : undefined;
  }

  start(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Reads the connected leaders now (a read already under way is shared). */
  refresh(): Promise<void> {
    this.inFlight ??= this.read().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async read(): Promise<void> {
    const { url, timeoutMs } = this.options;
    let leaders: ConnectedLeaders;
    try {
      // ConnectedLeadersRequest has no fields: its encoding is empty.
      leaders = decodeConnectedLeaders(
        await grpcUnary(url, GET_CONNECTED_LEADERS, new Uint8Array(0), timeoutMs),
      );
    } catch (err) {
      this.stats.failures++;
      this.options.onError(err as Error);
      return;
    }
    const slots = new Set<number>();
    for (const list of leaders.values()) for (const s of list) slots.add(s);
    this.connected = { identities: new Set(leaders.keys()), slots };
    this.readAtMs = this.options.now();
    this.stats.refreshes++;
    this.stats.connected = leaders.size;
  }
}
