import type { Address } from '@solana/kit';
import { LandfallError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Clock, MarketEvent, MarketEventHandler, MarketSource } from '../market/types.js';
import type { LiveConfig } from './config.js';
import { fetchFeeLevels, fetchTipFloor } from './feeds.js';
import { LeaderSchedule } from './leaders.js';
import { PubSub } from './pubsub.js';
import type { SolanaRpcClient } from './solana-rpc.js';
import { WatchedPools } from './watched-pools.js';

/**
 * The live market: Raydium CP-Swap pools and their vaults through `accountSubscribe`, slots
 * through `slotSubscribe` with leaders from `getSlotLeaders`, priority fees and the Jito tip
 * floor by polling. Every account is also re-read over RPC every staleAfterMs/2, so a quiet
 * pool stays confirmed and a pool whose updates stop (socket gone, RPC failing) goes stale; a
 * dropped socket marks every pool untradable until the re-read after reconnecting.
 */
export interface LiveSourceOptions {
  readonly rpc: SolanaRpcClient;
  readonly wsUrl: string;
  readonly tipFloorUrl: string;
  readonly config: LiveConfig;
  readonly clock: Clock;
  readonly log: Logger;
}

interface RpcAccount {
  readonly data: [string, string];
}

const CHUNK = 100;

export class LiveMarketSource implements MarketSource {
  readonly book: WatchedPools;
  readonly ended: Promise<void>;
  readonly stats = {
    poolEvents: 0,
    slotEvents: 0,
    refreshes: 0,
    refreshFailures: 0,
    feedPolls: 0,
    feedFailures: 0,
  };
  slot = 0;
  private readonly pubsub: PubSub;
  private readonly leaders: LeaderSchedule;
  private handler: MarketEventHandler | undefined;
  private timers: NodeJS.Timeout[] = [];
  private slotChain: Promise<void> = Promise.resolve();
  private finish!: { resolve: () => void; reject: (err: unknown) => void };
  private stopped = false;
  private started = false;
  private lastSlotEvent = 0;

  constructor(private readonly options: LiveSourceOptions) {
    const { config, log } = options;
    this.book = new WatchedPools(
      config.pools.map((p) => p.address as Address),
      config.timeouts.staleAfterMs,
    );
    this.leaders = new LeaderSchedule(options.rpc, config.jitoLeaders);
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
      onDisconnect: () => this.book.markGap(),
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
        'live.pools is empty: name at least one Raydium CP-Swap pool to watch',
      );
    }
    const now = this.options.clock.now();
    // Pool states first: they name the config and vault accounts read next. No handler yet, so
    // the reads deliver nothing: each pool is sent once, complete, below.
    await this.read(this.book.poolAddresses, now);
    await this.read(
      this.book.accounts().filter((a) => !this.book.poolAddresses.includes(a)),
      now,
    );
    this.book.confirmAll(now);
    this.handler = handler;
    for (const id of this.book.poolAddresses) {
      const pool = this.book.snapshot(id);
      if (pool === undefined)
        throw new LandfallError(
          'LF_SOLANA_ACCOUNT_DECODE',
          `pool ${id}: its accounts could not all be read`,
        );
      this.deliver({ kind: 'pool', atMs: now, slot: this.slot, pool });
    }
    const commitment = this.options.config.commitment;
    for (const account of this.book.accounts()) {
      this.pubsub.subscribe(
        `accountSubscribe ${account}`,
        (client, abortSignal) =>
          client
            .accountNotifications(account, { encoding: 'base64', commitment })
            .subscribe({ abortSignal }),
        (n) => this.onAccount(account, n.value, Number(n.context.slot)),
      );
    }
    this.pubsub.subscribe(
      'slotSubscribe',
      (client, abortSignal) => client.slotNotifications().subscribe({ abortSignal }),
      (n) => this.onSlot(Number(n.slot)),
    );
    await this.pubsub.start();
    const c = this.options.config;
    this.every(Math.max(100, Math.floor(c.timeouts.staleAfterMs / 2)), () => this.refresh());
    this.every(c.tipFloorPollMs, () => this.pollTipFloor(), true);
    this.every(c.priorityFeePollMs, () => this.pollFees(), true);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.pubsub.stop();
    this.finish.resolve();
  }

  /** Re-reads every watched account; success confirms every pool as fresh. */
  async refresh(): Promise<void> {
    const began = this.options.clock.now();
    try {
      await this.read(this.book.accounts(), began);
      this.book.confirmAll(began);
      this.stats.refreshes++;
    } catch (err) {
      this.stats.refreshFailures++;
      this.options.log.warn(
        { err: (err as Error).message },
        'live pool refresh failed; pools go stale if this persists',
      );
    }
  }

  private async read(accounts: readonly Address[], nowMs: number): Promise<void> {
    for (let i = 0; i < accounts.length; i += CHUNK) {
      const chunk = accounts.slice(i, i + CHUNK);
      const res = await this.options.rpc.rpc
        .getMultipleAccounts(chunk, {
          encoding: 'base64',
          commitment: this.options.config.commitment,
        })
        .send();
      this.slot = Math.max(this.slot, Number(res.context.slot));
      chunk.forEach((account, j) => {
        const value = res.value[j];
        if (value === null || value === undefined) {
          throw new LandfallError(
            'LF_SOLANA_ACCOUNT_DECODE',
            `account ${account} does not exist (getMultipleAccounts returned null)`,
          );
        }
        this.applyAccount(account, value, nowMs);
      });
    }
  }

  private onAccount(account: string, value: RpcAccount | null, slot: number): void {
    this.slot = Math.max(this.slot, slot);
    if (value === null) return;
    try {
      this.applyAccount(account, value, this.options.clock.now());
    } catch (err) {
      this.options.log.error(
        { err: (err as Error).message, account },
        'account notification could not be decoded; ignored',
      );
    }
  }

  private applyAccount(account: string, value: RpcAccount, nowMs: number): void {
    const data = Buffer.from(value.data[0], 'base64');
    for (const id of this.book.apply(account, data, nowMs)) {
      const pool = this.book.snapshot(id);
      if (pool !== undefined) this.deliver({ kind: 'pool', atMs: nowMs, slot: this.slot, pool });
    }
  }

  private onSlot(slot: number): void {
    this.slotChain = this.slotChain.then(async () => {
      try {
        const info = await this.leaders.at(slot);
        // Slot events only move forward; account notifications may have seen this slot first.
        if (slot <= this.lastSlotEvent) return;
        this.lastSlotEvent = slot;
        this.slot = Math.max(this.slot, slot);
        this.stats.slotEvents++;
        this.deliver({ kind: 'slot', atMs: this.options.clock.now(), slot, ...info });
      } catch (err) {
        this.options.log.warn(
          { err: (err as Error).message, slot },
          'leader lookup failed; slot event skipped',
        );
      }
    });
  }

  private async pollTipFloor(): Promise<void> {
    const { tipFloorUrl, config, clock } = this.options;
    await this.poll('tip floor', () =>
      fetchTipFloor(tipFloorUrl, config.timeouts.requestMs, clock.now()),
    );
  }

  private async pollFees(): Promise<void> {
    const { rpc, clock } = this.options;
    await this.poll('priority fee', () =>
      fetchFeeLevels(rpc, this.book.poolAddresses, this.slot, clock.now()),
    );
  }

  private async poll(what: string, read: () => Promise<MarketEvent>): Promise<void> {
    try {
      this.deliver(await read());
    } catch (err) {
      this.stats.feedFailures++;
      this.options.log.warn(
        { err: (err as Error).message },
        `${what} poll failed; the next poll retries`,
      );
    } finally {
      this.stats.feedPolls++;
    }
  }

  private every(ms: number, fn: () => Promise<void>, now = false): void {
    if (now) void fn();
    this.timers.push(setInterval(() => void fn(), ms));
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
    for (const t of this.timers) clearInterval(t);
    this.pubsub.stop();
    this.finish.reject(err);
  }
}
