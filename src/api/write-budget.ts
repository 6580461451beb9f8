import type { AuditLedger } from '../audit/ledger.js';
import type { Principal } from '../auth/verify.js';
import type { Config } from '../config/schema.js';
import { LandfallError } from '../errors.js';
import type { Store } from '../store/types.js';
import { SharedWindowStore } from './rate-store.js';
import type { SloView } from './slo-gate.js';

type Limit = Config['api']['writeRateLimit'];

/** A run of refusals of one key within one window: audited once when it starts, once with its count. */
interface Episode {
  readonly windowStartMs: number;
  refused: number;
  readonly subject: string;
  readonly role: string;
  readonly action: string;
  readonly timer: NodeJS.Timeout;
}

/**
 * The rate-limit group of every write route (routes/options.ts); the plugin appends it to the
 * key it counts under, so the gateway's commands must too to share the count.
 */
export const WRITE_GROUP = 'writes';

/** Keys with an open episode at most, so a swarm of tokens cannot grow this without bound. */
const MAX_EPISODES = 10_000;

/**
 * The per-token write budget (api.writeRateLimit), one for REST and WebSocket commands
 * together: the REST rate-limit plugin counts in `store`, the gateway calls `take`. A refusal
 * is audited once per episode (its first refusal in a window), and once more at the window's
 * end with how many were refused, so a flood of refused writes writes two rows, not one each.
 */
export class WriteBudget {
  readonly store = new SharedWindowStore();
  readonly #episodes = new Map<string, Episode>();

  constructor(
    readonly limit: Limit,
    private readonly ledger: AuditLedger,
    private readonly onAuditError: (err: unknown) => void = () => undefined,
  ) {}

  /** The key a caller's writes are counted under: the token's id, else its subject. */
  static keyOf(p: Principal): string {
    return `token:${p.tokenId ?? `sub:${p.subject}`}`;
  }

  /** Counts one write by `p`; throws LF_API_RATE_LIMITED (429) when over budget, audited as above. */
  take(p: Principal, action: string, requestId: string): void {
    const key = `${WriteBudget.keyOf(p)}${WRITE_GROUP}`;
    let counted = { current: 0, ttl: 0 };
    this.store.incr(
      key,
      (_err, result) => {
        if (result) counted = result;
      },
      this.limit.windowMs,
    );
    if (counted.current <= this.limit.max) return;
    const error = this.error(Math.ceil(counted.ttl / 1000));
    this.refused(p, action, requestId, error.message);
    throw error;
  }

  error(retryAfterS: number): LandfallError {
    return new LandfallError(
      'LF_API_RATE_LIMITED',
      `rate limit: at most ${this.limit.max} writes per ${this.limit.windowMs / 1000} s for this token, REST and WebSocket together (api.writeRateLimit); retry in ${retryAfterS} s`,
    );
  }

  /** Notes one refused write of `p` (the REST plugin refuses on its own; the gateway via take). */
  refused(p: Principal, action: string, requestId: string, message: string): void {
    const key = `${WriteBudget.keyOf(p)}${WRITE_GROUP}`;
    const windowStartMs = this.store.windowStartOf(key) ?? Date.now();
    const open = this.#episodes.get(key);
    if (open !== undefined && open.windowStartMs === windowStartMs) {
      open.refused++;
      return;
    }
    if (open !== undefined) void this.#close(key, open);
    if (this.#episodes.size >= MAX_EPISODES) {
      const oldest = this.#episodes.entries().next().value;
      if (oldest !== undefined) void this.#close(oldest[0], oldest[1]);
    }
    const endsInMs = Math.max(0, windowStartMs + this.limit.windowMs - Date.now());
    const episode: Episode = {
      windowStartMs,
      refused: 1,
      subject: p.subject,
      role: p.role,
      action,
      timer: setTimeout(() => void this.#close(key, episode), endsInMs).unref(),
    };
    this.#episodes.set(key, episode);
    void this.#audit(
      episode,
      requestId,
      `${message}; further refusals in this window are counted, not audited one by one`,
    );
  }

  /** Writes the counts of the open episodes (on shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.#episodes].map(([key, episode]) => this.#close(key, episode)));
  }

  #close(key: string, episode: Episode): Promise<void> {
    clearTimeout(episode.timer);
    if (this.#episodes.get(key) === episode) this.#episodes.delete(key);
    if (episode.refused <= 1) return Promise.resolve();
    return this.#audit(
      episode,
      '',
      `rate limit episode: ${episode.refused} writes refused in the window from ${new Date(episode.windowStartMs).toISOString()} (api.writeRateLimit)`,
    );
  }

  #audit(episode: Episode, requestId: string, detail: string): Promise<void> {
    return this.ledger
      .record({
        subject: episode.subject,
        role: episode.role,
        action: episode.action,
        params: { rateLimited: episode.refused },
        result: 'rejected',
        requestId,
        detail,
      })
      .then(
        () => undefined,
        (err: unknown) => this.onAuditError(err),
      );
  }
}

const byServer = new WeakMap<object, ControlPlane>();

/** What the API shares with a gateway attached to its server (same process, same budget). */
export interface ControlPlane {
  readonly budget: WriteBudget;
  /** Whether the module's SLO is violated now, as the API's view of slo-proto says. */
  readonly slo?: SloView;
  /** The API's ledger (which, embedded, stores each row before it is answered). */
  readonly ledger: AuditLedger;
  /** Embedded mode: where command rows are stored before they are answered. */
  readonly durableStore?: Store;
  /** api.bodyMaxDepth, for command messages as for REST bodies. */
  readonly maxDepth: number;
}

export function shareControlPlane(server: object, plane: ControlPlane): void {
  byServer.set(server, plane);
}

/** The API's control plane on `server`, when an API app built it. */
export function controlPlaneOf(server: object): ControlPlane | undefined {
  return byServer.get(server);
}
