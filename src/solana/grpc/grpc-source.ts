import { type Address, getAddressDecoder } from '@solana/kit';
import * as hdr from 'hdr-histogram-js';
import { LandfallError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Clock, MarketEvent, MarketEventHandler, MarketSource } from '../../market/types.js';
import type { LiveConfig } from '../config.js';
import { StageLatency } from '../latency.js';
import { LeaderSchedule } from '../leaders.js';
import { readPools } from '../read-pools.js';
import type { SolanaRpcClient } from '../solana-rpc.js';
import { SourceFeeds } from '../source-feeds.js';
import { poolVenues } from '../venues/live.js';
import { WatchedPools } from '../watched-pools.js';
import { DeshredFeed } from './deshred-feed.js';
import type {
  GeyserConnector,
  SubscribeRequest,
  SubscribeUpdate,
  SubscribeUpdateDeshred,
} from './geyser-client.js';
import { GeyserFeed } from './geyser-feed.js';
import { subscribeRequest } from './geyser-request.js';
import { SwapTriggers } from './swap-triggers.js';

/**
 * The live market through a Geyser gRPC stream (Yellowstone, Laserstream): the watched pools'
 * accounts, slots, and the transactions that touch the pools, at processed. The same pool book
 * as the WebSocket source (watched-pools.ts): each account update carries its slot, so an update
 * replayed after a reconnect, or repeated, never rolls the book back nor counts twice. A
 * transaction swapping on a watched pool becomes a `pendingSwap` event, priced with the venue's
 * exact maths and carrying the pool state it leaves, before that pool's account update arrives:
 * the backrun's trigger, and (having landed) `landedSwap` events naming its fee payer, which the
 * agents' competition signal reads rivals' cycles from. Pools of every live venue are read (CP-Swap,
 * AMM v4, DLMM: swap-decode.ts). Transactions are remembered by signature, so a replayed one
 * triggers nothing twice. Where the endpoint serves `SubscribeDeshred` (`live.grpc.deshred`, detected),
 * the same swaps come earlier, before execution, from their top-level instructions
 * (deshred-feed.ts); whichever copy triggers first, the other is a repeat.
 *
 * What the stream does not give is read over RPC, as the WebSocket source does: every pool's
 * accounts at start (a stream only sends changes), a full re-read every staleAfterMs/2 (a quiet
 * pool stays confirmed) and after a reconnect (the book keeps pools untradable from a drop until
 * a read reaches its slot), priority fees and the Jito tip floor by polling.
 */
export interface GrpcSourceOptions {
  readonly rpc: SolanaRpcClient;
  readonly connector: GeyserConnector;
  readonly tipFloorUrl: string;
  readonly config: LiveConfig;
  readonly clock: Clock;
  readonly log: Logger;
  /** Who leads each slot and whether it runs Jito (the stack's); default: one on `live.jitoLeaders`. */
  readonly leaders?: LeaderSchedule;
  /** Where the stream stages are timed (the stack's, shared with its pipeline). */
  readonly latency?: StageLatency;
}

const addresses = getAddressDecoder();

export class GrpcMarketSource implements MarketSource {
  readonly book: WatchedPools;
  readonly ended: Promise<void>;
  readonly feed: GeyserFeed;
  /** Swaps before execution, where the endpoint serves `SubscribeDeshred` (`deshred.state`). */
  readonly deshred: DeshredFeed;
  /** Streamed swaps on watched pools, and the states their backruns are priced on. */
  readonly triggers: SwapTriggers;
  readonly stats = {
    poolEvents: 0,
    slotEvents: 0,
    refreshes: 0,
    refreshFailures: 0,
    feedPolls: 0,
    feedFailures: 0,
  };
  slot = 0;
  readonly latency: StageLatency;
  /** Stream receive → event handed to the agent, µs. */
  private readonly toEvent = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
  private handler: MarketEventHandler | undefined;
  private readonly feeds: SourceFeeds;
  private finish!: { resolve: () => void; reject: (err: unknown) => void };
  private stopped = false;
  private started = false;
  private subscribedVersion = -1;

  constructor(private readonly options: GrpcSourceOptions) {
    const { config, log } = options;
    this.book = new WatchedPools(
      config.pools.map((p) => p.address as Address),
      config.timeouts.staleAfterMs,
      poolVenues(config.pools),
    );
    this.feeds = new SourceFeeds({
      ...options,
      leaders: options.leaders ?? new LeaderSchedule(options.rpc, config.jitoLeaders),
      pools: this.book.poolAddresses,
      slot: () => this.slot,
      deliver: (e) => this.deliver(e),
      stats: this.stats,
    });
    this.latency = options.latency ?? new StageLatency();
    this.triggers = new SwapTriggers(this.book, this.latency);
    this.ended = new Promise((resolve, reject) => {
      this.finish = { resolve, reject };
    });
    this.ended.catch(() => undefined);
    const t = config.timeouts;
    this.feed = new GeyserFeed({
      connector: options.connector,
      request: (fromSlot) => this.request(fromSlot),
      onUpdate: (u, receivedMs) => this.onUpdate(u, receivedMs),
      onDisconnect: (slot) => this.book.markGap(slot),
      onConnect: (replayFrom) => {
        if (replayFrom !== undefined) void this.refresh();
      },
      now: () => options.clock.now(),
      log,
      reconnectMinMs: t.reconnectMinMs,
      reconnectMaxMs: t.reconnectMaxMs,
      pingMs: Math.max(500, Math.floor(t.staleAfterMs / 2)),
      maxLagMs: config.grpc.maxLagMs,
    });
    this.deshred = new DeshredFeed({
      connector: options.connector,
      pools: this.book.poolAddresses,
      onTransaction: (u, receivedMs) => this.onDeshred(u, receivedMs),
      now: () => options.clock.now(),
      log,
      reconnectMinMs: t.reconnectMinMs,
      reconnectMaxMs: t.reconnectMaxMs,
      pingMs: Math.max(500, Math.floor(t.staleAfterMs / 2)),
    });
  }

  async start(handler: MarketEventHandler): Promise<void> {
    if (this.started)
      throw new LandfallError('LF_SOLANA_CONFIG', 'a live market source is started once');
    this.started = true;
    if (this.book.poolAddresses.length === 0) {
      throw new LandfallError(
        'LF_SOLANA_CONFIG',
        'live.pools is empty: name at least one pool to watch (its address, and its venue unless CP-Swap)',
      );
    }
    const { rpc, clock, config } = this.options;
    this.book.useEpochSchedule(await rpc.rpc.getEpochSchedule().send());
    const now = clock.now();
    // As the WebSocket source: the states name the other accounts, read next with them.
    const first = await this.read(this.book.poolAddresses, now);
    await this.read(this.book.poolAddresses, now, first);
    this.handler = handler;
    for (const id of this.book.poolAddresses) {
      const pool = this.book.snapshot(id);
      if (pool === undefined)
        throw new LandfallError(
          'LF_SOLANA_ACCOUNT_DECODE',
          `pool ${id}: its accounts could not all be read at one slot`,
        );
      this.deliver({ kind: 'pool', atMs: now, slot: this.book.viewSlot(id) ?? this.slot, pool });
    }
    // Replay from the slot the reads saw: nothing between the read and the stream is missed.
    this.feed.lastSlot = first;
    await this.feed.start();
    if (config.grpc.deshred) this.deshred.start();
    this.feeds.every(Math.max(100, Math.floor(config.timeouts.staleAfterMs / 2)), () =>
      this.refresh(),
    );
    this.feeds.start();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.feeds.stop();
    await Promise.all([this.feed.stop(), this.deshred.stop()]);
    this.finish.resolve();
  }

  /** Stream receive → market event, µs, over every event the stream made. */
  eventLatency(): { count: number; p50Us: number; p99Us: number } {
    const h = this.toEvent;
    if (h.totalCount === 0) return { count: 0, p50Us: 0, p99Us: 0 };
    return {
      count: h.totalCount,
      p50Us: h.getValueAtPercentile(50),
      p99Us: h.getValueAtPercentile(99),
    };
  }

  /** Re-reads every watched account; what it finds current confirms its pools as fresh. */
  async refresh(): Promise<void> {
    const began = this.options.clock.now();
    try {
      await this.read(this.book.poolAddresses, began);
      this.stats.refreshes++;
    } catch (err) {
      this.stats.refreshFailures++;
      this.options.log.warn(
        { err: (err as Error).message },
        'live pool refresh failed; pools go stale if this persists',
      );
    }
  }

  private async read(pools: readonly Address[], nowMs: number, minContextSlot?: number) {
    const { rpc, config } = this.options;
    return readPools({
      rpc,
      book: this.book,
      pools,
      commitment: config.commitment,
      nowMs,
      ...(minContextSlot === undefined ? {} : { minContextSlot }),
      onSlot: (slot) => {
        this.slot = Math.max(this.slot, slot);
      },
      onChanged: (changed) => this.publish(changed, nowMs, performance.now()),
    });
  }

  private request(fromSlot: number | undefined): SubscribeRequest {
    const accounts = this.book.accounts();
    this.subscribedVersion = this.book.accountsVersion;
    return subscribeRequest({
      accounts,
      pools: this.book.poolAddresses,
      commitment: this.options.config.commitment,
      fromSlot,
    });
  }

  private onUpdate(u: SubscribeUpdate, receivedMs: number): void {
    const mark = performance.now();
    if (u.account?.account !== undefined) {
      const info = u.account.account;
      const slot = Number(u.account.slot);
      this.slot = Math.max(this.slot, slot);
      const account = addresses.decode(info.pubkey);
      const change = this.book.notify(
        account,
        slot,
        { data: Buffer.from(info.data), owner: addresses.decode(info.owner) },
        receivedMs,
      );
      for (const err of change.errors) {
        this.options.log.error(
          { err: err.message, account, slot },
          'account update could not be decoded; ignored',
        );
      }
      this.publish(change.changed, receivedMs, mark);
      // A pool state naming new vaults, or tick/bin arrays: the stream must follow them too.
      if (this.book.accountsVersion !== this.subscribedVersion) this.feed.resubscribe();
    } else if (u.slot !== undefined) {
      this.onSlot(Number(u.slot.slot));
    } else if (u.transaction?.transaction !== undefined) {
      const slot = Number(u.transaction.slot);
      for (const e of this.triggers.eventsOf(u.transaction.transaction, slot, receivedMs, mark))
        this.deliver(e, mark);
    }
  }

  /** A swap before execution: its trigger, if its processed copy has not come first. */
  private onDeshred(u: SubscribeUpdateDeshred, receivedMs: number): void {
    const mark = performance.now();
    const tx = u.deshredTransaction;
    if (tx?.transaction === undefined) return;
    const slot = Number(tx.slot);
    for (const e of this.triggers.eventsOfDeshred(tx.transaction, slot, receivedMs, mark))
      this.deliver(e, mark);
  }

  private publish(pools: readonly Address[], nowMs: number, mark: number): void {
    for (const id of pools) {
      const pool = this.book.snapshot(id);
      const slot = this.book.viewSlot(id) ?? this.slot;
      if (pool !== undefined) this.deliver({ kind: 'pool', atMs: nowMs, slot, pool }, mark);
    }
  }

  private onSlot(slot: number): void {
    this.slot = Math.max(this.slot, slot);
    this.feeds.onSlot(slot);
  }

  /** Hands `event` to the agent; `mark` (performance.now() at receipt) times the stream path. */
  private deliver(event: MarketEvent, mark?: number): void {
    if (this.stopped || this.handler === undefined) return;
    if (event.kind === 'pool') this.stats.poolEvents++;
    // Timed up to the hand-over: what the agent does with it is its own stage.
    if (mark !== undefined) {
      const ms = performance.now() - mark;
      this.toEvent.recordValue(Math.max(1, Math.round(ms * 1000)));
      this.latency.record('streamEvent', ms);
    }
    try {
      const pending = this.handler(event);
      if (pending !== undefined) pending.catch((err: unknown) => this.fail(err));
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.feeds.stop();
    void this.feed.stop();
    void this.deshred.stop();
    this.finish.reject(err);
  }
}
