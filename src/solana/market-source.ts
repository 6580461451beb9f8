import type { Address } from '@solana/kit';
import { LandfallError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Clock, MarketEvent, MarketEventHandler, MarketSource } from '../market/types.js';
import type { LiveConfig } from './config.js';
import { RpcError } from './json-rpc.js';
import { LeaderSchedule } from './leaders.js';
import { PubSub } from './pubsub.js';
import { readPools } from './read-pools.js';
import type { SolanaRpcClient } from './solana-rpc.js';
import { SourceFeeds } from './source-feeds.js';
import { poolVenues } from './venues/live.js';
import { ABSENT, type AccountData, WatchedPools } from './watched-pools.js';

/**
 * The live market: Raydium CP-Swap pools, their vaults, configs and mints through
 * `accountSubscribe`, slots through `slotSubscribe` with leaders from the per-epoch schedule
 * (leaders.ts), priority fees and the Jito tip floor by polling. Every account update carries its context slot into the
 * pool book (watched-pools.ts), which sends one pool event per consistent change and never lets
 * an older update, a re-read included, roll a newer one back. A pool whose state and vaults are
 * left at different slots is re-read on its own after `settleMs`, with `minContextSlot` so the
 * answer is at least as new as what tore it. Every account is also re-read every staleAfterMs/2,
 * so a quiet pool stays confirmed and a pool whose updates stop (socket gone, RPC failing) goes
 * stale; a dropped socket marks every pool untradable until a re-read reaches the slot it
 * dropped at.
 */
export interface LiveSourceOptions {
  readonly rpc: SolanaRpcClient;
  readonly wsUrl: string;
  readonly tipFloorUrl: string;
  readonly config: LiveConfig;
  readonly clock: Clock;
  readonly log: Logger;
  /** How long a torn pool waits for the rest of its slot before it is re-read (default 100). */
  readonly settleMs?: number;
  /** Who leads each slot and whether it runs Jito (the stack's); default: one on `live.jitoLeaders`. */
  readonly leaders?: LeaderSchedule;
}

interface RpcAccount {
  readonly data: readonly [string, string];
  readonly owner: string;
}

/** JSON-RPC error: the node has not reached the request's `minContextSlot`. */
const MIN_CONTEXT_SLOT_NOT_REACHED = -32016;

export class LiveMarketSource implements MarketSource {
  readonly book: WatchedPools;
  readonly ended: Promise<void>;
  readonly stats = {
    poolEvents: 0,
    slotEvents: 0,
    refreshes: 0,
    refreshFailures: 0,
    /** Re-reads of torn pools, and those that failed (the node behind, or an error). */
    settleReads: 0,
    settleFailures: 0,
    feedPolls: 0,
    feedFailures: 0,
  };
  slot = 0;
  private readonly pubsub: PubSub;
  private handler: MarketEventHandler | undefined;
  private readonly feeds: SourceFeeds;
  private finish!: { resolve: () => void; reject: (err: unknown) => void };
  private stopped = false;
  private started = false;
  private readonly settleMs: number;
  private settleDelayMs: number;
  private settleTimer: NodeJS.Timeout | undefined;
  private settling = false;
  private readonly followed = new Set<string>();
  private followedVersion = -1;

  constructor(private readonly options: LiveSourceOptions) {
    const { config, log } = options;
    this.settleMs = options.settleMs ?? 100;
    this.settleDelayMs = this.settleMs;
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
    this.ended = new Promise((resolve, reject) => {
      this.finish = { resolve, reject };
    });
    this.ended.catch(() => undefined);
    this.pubsub = new PubSub({
      url: options.wsUrl,
      reconnectMinMs: config.timeouts.reconnectMinMs,
      reconnectMaxMs: config.timeouts.reconnectMaxMs,
      pingMs: Math.max(500, Math.floor(config.timeouts.staleAfterMs / 2)),
      log,
      onDisconnect: () => this.book.markGap(this.slot),
      onReconnect: () => void this.refresh(),
    });
  }

  get pubsubStats() {
    return this.pubsub.stats;
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
    // Fixed at genesis: which epoch a slot is in, for the Token-2022 fees that change by epoch.
    this.book.useEpochSchedule(await this.options.rpc.rpc.getEpochSchedule().send());
    const now = this.options.clock.now();
    // Pool states first: they name the other accounts, read next with every state again, no
    // older than the first read. No handler yet, so the reads deliver nothing: each pool is sent
    // once, complete, below.
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
    this.followAccounts();
    this.pubsub.subscribe(
      'slotSubscribe',
      (client, abortSignal) => client.slotNotifications().subscribe({ abortSignal }),
      // Slot events only move forward; account notifications may have seen this slot first.
      (n) =>
        this.feeds.onSlot(Number(n.slot), (slot) => {
          this.slot = Math.max(this.slot, slot);
        }),
    );
    await this.pubsub.start();
    const c = this.options.config;
    this.feeds.every(Math.max(100, Math.floor(c.timeouts.staleAfterMs / 2)), () => this.refresh());
    this.feeds.start();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.feeds.stop();
    clearTimeout(this.settleTimer);
    this.pubsub.stop();
    this.finish.resolve();
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

  /**
   * Reads the accounts of `pools`, each pool's in one request (one bank: its state and vaults at
   * one slot), and delivers the pools that changed. Returns the newest context slot read.
   */
  private read(pools: readonly Address[], nowMs: number, minContextSlot?: number): Promise<number> {
    return readPools({
      rpc: this.options.rpc,
      book: this.book,
      pools,
      commitment: this.options.config.commitment,
      nowMs,
      ...(minContextSlot === undefined ? {} : { minContextSlot }),
      onSlot: (slot) => {
        this.slot = Math.max(this.slot, slot);
      },
      onChanged: (changed) => this.publish(changed, nowMs),
      onUnsettled: () => this.settleSoon(),
    });
  }

  /**
   * Subscribes to every watched account not yet followed: at start, and whenever a pool names
   * new ones (new vaults, the tick or bin arrays a moving price reaches). An account a pool no
   * longer reads keeps its subscription; the book ignores it.
   */
  private followAccounts(): void {
    if (this.followedVersion === this.book.accountsVersion) return;
    this.followedVersion = this.book.accountsVersion;
    const commitment = this.options.config.commitment;
    for (const account of this.book.accounts()) {
      if (this.followed.has(account)) continue;
      this.followed.add(account);
      this.pubsub.subscribe(
        `accountSubscribe ${account}`,
        (client, abortSignal) =>
          client
            .accountNotifications(account, { encoding: 'base64', commitment })
            .subscribe({ abortSignal }),
        (n) => this.onAccount(account, n.value as RpcAccount | null, Number(n.context.slot)),
      );
    }
  }

  private onAccount(account: string, value: RpcAccount | null, slot: number): void {
    this.slot = Math.max(this.slot, slot);
    // A closed account: held as absent where its pool's venue may do without it, else ignored.
    if (value === null && !this.book.mayBeAbsent(account)) return;
    const now = this.options.clock.now();
    const data = value === null ? ABSENT : accountData(value);
    const change = this.book.notify(account, slot, data, now);
    for (const err of change.errors) {
      this.options.log.error(
        { err: err.message, account, slot },
        'account notification could not be decoded; ignored',
      );
    }
    this.publish(change.changed, now);
    if (change.unsettled) this.settleSoon();
  }

  private publish(pools: readonly Address[], nowMs: number): void {
    if (this.handler !== undefined) this.followAccounts();
    for (const id of pools) {
      const pool = this.book.snapshot(id);
      const slot = this.book.viewSlot(id) ?? this.slot;
      if (pool !== undefined) this.deliver({ kind: 'pool', atMs: nowMs, slot, pool });
    }
  }

  /** Re-reads torn pools once the rest of their slot has had `settleMs` to arrive. */
  private settleSoon(delayMs = this.settleDelayMs): void {
    if (this.settling || this.settleTimer !== undefined || this.stopped) return;
    this.settleTimer = setTimeout(() => {
      this.settleTimer = undefined;
      void this.settle();
    }, delayMs);
  }

  private async settle(): Promise<void> {
    const now = this.options.clock.now();
    const unsettled = this.book.unsettled();
    if (unsettled.length === 0 || this.stopped) return;
    // A swap's notifications arrive together: only a pool torn for settleMs needs a read.
    const due = unsettled.filter((u) => now - u.sinceMs >= this.settleMs);
    if (due.length === 0) {
      const youngest = Math.min(...unsettled.map((u) => this.settleMs - (now - u.sinceMs)));
      this.settleSoon(Math.max(1, youngest));
      return;
    }
    this.settling = true;
    const minSlot = Math.max(...due.map((u) => u.minSlot));
    try {
      await this.read(
        due.map((u) => u.pool),
        now,
        minSlot,
      );
      this.stats.settleReads++;
      this.settleDelayMs = this.settleMs;
    } catch (err) {
      this.stats.settleFailures++;
      // A node behind the socket's answers -32016 until it catches up: back off, up to the
      // refresh period (the pool stays untradable meanwhile, and says why).
      this.settleDelayMs = Math.min(
        this.settleDelayMs * 2,
        Math.max(this.settleMs, this.options.config.timeouts.staleAfterMs / 2),
      );
      const behind = err instanceof RpcError && err.rpcCode === MIN_CONTEXT_SLOT_NOT_REACHED;
      this.options.log.warn(
        { err: (err as Error).message, minSlot, retryMs: this.settleDelayMs },
        behind
          ? 'torn pool re-read: the RPC node is behind the notifications; retrying'
          : 'torn pool re-read failed; retrying',
      );
    } finally {
      this.settling = false;
    }
    if (this.book.unsettled().length > 0) this.settleSoon();
  }

  private deliver(event: MarketEvent): void {
    if (this.stopped || this.handler === undefined) return;
    if (event.kind === 'pool') this.stats.poolEvents++;
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
    clearTimeout(this.settleTimer);
    this.pubsub.stop();
    this.finish.reject(err);
  }
}

function accountData(value: RpcAccount): AccountData {
  return { data: Buffer.from(value.data[0], 'base64'), owner: value.owner };
}
