import * as hdr from 'hdr-histogram-js';
import type { Logger } from '../../log.js';
import { WakeableSleep } from '../../ops/wakeable-sleep.js';
import type {
  GeyserConnector,
  GeyserStream,
  SubscribeRequest,
  SubscribeUpdate,
} from './geyser-client.js';

/**
 * One Geyser `Subscribe` stream kept open: it reconnects with backoff after a drop and asks the
 * server to replay from the newest slot it had seen (`from_slot`), so an update lost in the drop
 * comes again. Updates of that slot seen before the drop come again too: the consumer must treat
 * a repeat as a no-op (the account book does by slot and bytes, the swap path by signature).
 *
 * The stream is read one update at a time and the consumer runs synchronously, so a slow
 * consumer holds the stream back (HTTP/2 flow control reaches the server) instead of queueing
 * without bound here. How far behind it is, is measured on every update from the server's
 * `created_at` stamp, kept as a histogram and reported: a lag over `maxLagMs` is counted and
 * logged, never silent. A server that gives up on a slow reader drops the stream; the replay
 * then recovers what it had not sent.
 */
export interface GeyserFeedOptions {
  readonly connector: GeyserConnector;
  /** The filters to subscribe with; `fromSlot` set after a drop. */
  readonly request: (fromSlot: number | undefined) => SubscribeRequest;
  /** Called for every update, in stream order; a throw is taken as a drop (reconnect, replay). */
  readonly onUpdate: (update: SubscribeUpdate, receivedMs: number) => void;
  /** The stream dropped after reaching `slot`. */
  readonly onDisconnect?: (slot: number) => void;
  /** A stream (re)opened; `replayFrom` is the slot a reconnect asked for, undefined on the first. */
  readonly onConnect?: (replayFrom: number | undefined) => void;
  readonly now: () => number;
  readonly log: Logger;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  /** Client pings keep idle load balancers from closing the stream. */
  readonly pingMs: number;
  readonly maxLagMs: number;
}

export interface GeyserFeedStats {
  connects: number;
  drops: number;
  /** Reconnects that asked for a replay. */
  replays: number;
  updates: number;
  pings: number;
  pongs: number;
  /** Updates that reached the consumer more than `maxLagMs` after the server stamped them. */
  lagging: number;
}

/** The empty request every filter set starts from (each map must be present on the wire). */
export function emptyRequest(): SubscribeRequest {
  return {
    accounts: {},
    slots: {},
    transactions: {},
    transactionsStatus: {},
    blocks: {},
    blocksMeta: {},
    entry: {},
    accountsDataSlice: [],
  };
}

/** The slot an update is about, when it names one. */
export function slotOf(u: SubscribeUpdate): number | undefined {
  const s = u.account?.slot ?? u.slot?.slot ?? u.transaction?.slot;
  return s === undefined ? undefined : Number(s);
}

export class GeyserFeed {
  readonly stats: GeyserFeedStats = {
    connects: 0,
    drops: 0,
    replays: 0,
    updates: 0,
    pings: 0,
    pongs: 0,
    lagging: 0,
  };
  /** The newest slot any update named: where a replay starts. */
  lastSlot = 0;
  private readonly lag = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
  private stream: GeyserStream | undefined;
  private stopped = false;
  /** Settles on stop: a read waiting on the native stream gives up at once. */
  private readonly halted: Promise<IteratorReturnResult<undefined>>;
  private halt!: () => void;
  private running: Promise<void> | undefined;
  private readonly backoff = new WakeableSleep();
  private lastLagWarnMs = 0;

  constructor(private readonly options: GeyserFeedOptions) {
    this.halted = new Promise((resolve) => {
      this.halt = () => resolve({ done: true, value: undefined });
    });
  }

  /** Opens the stream; resolves once the first one is open (rejects if it cannot be). */
  async start(): Promise<void> {
    // From the slot the caller's reads reached, when set: nothing between them and the stream.
    const first = await this.open(this.lastSlot > 0 ? this.lastSlot : undefined, false);
    this.running = this.loop(first);
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.halt();
    this.stream?.close();
    this.backoff.wake();
    return this.running ?? Promise.resolve();
  }

  /** Sends new filters on the open stream (a pool's accounts changed). */
  resubscribe(): void {
    this.stream?.write(this.options.request(undefined));
  }

  /** Stream created_at → consumer, µs: p50, p99, max. */
  lagSummary(): { count: number; p50Us: number; p99Us: number; maxUs: number } {
    const h = this.lag;
    return {
      count: h.totalCount,
      p50Us: h.totalCount === 0 ? 0 : h.getValueAtPercentile(50),
      p99Us: h.totalCount === 0 ? 0 : h.getValueAtPercentile(99),
      maxUs: h.totalCount === 0 ? 0 : h.maxValue,
    };
  }

  private async open(fromSlot: number | undefined, reconnect: boolean): Promise<GeyserStream> {
    const stream = await this.options.connector.subscribe();
    this.stream = stream;
    this.stats.connects++;
    if (reconnect && fromSlot !== undefined) this.stats.replays++;
    stream.write(this.options.request(fromSlot));
    this.options.onConnect?.(reconnect ? fromSlot : undefined);
    return stream;
  }

  private async loop(first: GeyserStream): Promise<void> {
    const o = this.options;
    let stream: GeyserStream | undefined = first;
    let delay = o.reconnectMinMs;
    while (!this.stopped) {
      try {
        stream ??= await this.open(this.lastSlot > 0 ? this.lastSlot : undefined, true);
        await this.read(stream);
        if (!this.stopped) throw new Error('the server ended the stream');
      } catch (err) {
        if (this.stopped) break;
        this.stats.drops++;
        o.log.warn(
          { err: (err as Error).message, slot: this.lastSlot, retryMs: delay },
          'geyser stream dropped; reconnecting with a replay from the last slot seen',
        );
        o.onDisconnect?.(this.lastSlot);
      } finally {
        stream?.close();
        stream = undefined;
        this.stream = undefined;
      }
      if (this.stopped) break;
      await this.backoff.sleep(delay);
      delay = Math.min(delay * 2, o.reconnectMaxMs);
    }
  }

  private async read(stream: GeyserStream): Promise<void> {
    const o = this.options;
    let pingId = 0;
    const pinger = setInterval(() => {
      this.stats.pings++;
      stream.write({ ...emptyRequest(), ping: { id: ++pingId } });
    }, o.pingMs);
    const updates = stream[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await Promise.race([updates.next(), this.halted]);
        if (next.done === true || this.stopped) return;
        const u = next.value;
        const now = o.now();
        this.stats.updates++;
        if (u.createdAt !== undefined) this.measureLag(now - u.createdAt.getTime(), now);
        if (u.pong !== undefined) this.stats.pongs++;
        if (u.ping !== undefined || u.pong !== undefined) continue;
        const slot = slotOf(u);
        if (slot !== undefined && slot > this.lastSlot) this.lastSlot = slot;
        o.onUpdate(u, now);
      }
    } finally {
      clearInterval(pinger);
    }
  }

  private measureLag(ms: number, now: number): void {
    this.lag.recordValue(Math.max(1, Math.round(ms * 1000)));
    if (ms <= this.options.maxLagMs) return;
    this.stats.lagging++;
    if (now - this.lastLagWarnMs < 1_000) return;
    this.lastLagWarnMs = now;
    this.options.log.warn(
      { lagMs: ms, maxLagMs: this.options.maxLagMs, lagging: this.stats.lagging },
      'geyser consumer is behind the stream; pool views are older than the chain',
    );
  }
}
