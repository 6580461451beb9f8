import type { Address } from '@solana/kit';
import type { Logger } from '../log.js';
import type { Clock, MarketEvent } from '../market/types.js';
import type { LiveConfig } from './config.js';
import { fetchFeeLevels, fetchTipFloor } from './feeds.js';
import type { LeaderSchedule } from './leaders.js';
import type { SolanaRpcClient } from './solana-rpc.js';

/**
 * What every live market source publishes besides its pools, whatever carries the accounts
 * (WebSocket PubSub or a Geyser stream): slot events in order with their leaders, and the
 * polled feeds (the Jito tip floor, priority fees), on timers cleared by `stop`.
 */
export interface SourceFeedsOptions {
  readonly rpc: SolanaRpcClient;
  readonly tipFloorUrl: string;
  readonly config: LiveConfig;
  readonly clock: Clock;
  readonly log: Logger;
  readonly leaders: LeaderSchedule;
  readonly pools: readonly Address[];
  /** The newest slot the source knows: fee levels are asked for it. */
  readonly slot: () => number;
  readonly deliver: (event: MarketEvent) => void;
  readonly stats: { slotEvents: number; feedPolls: number; feedFailures: number };
}

export class SourceFeeds {
  private readonly timers: NodeJS.Timeout[] = [];
  private slotChain: Promise<void> = Promise.resolve();
  private lastSlotEvent = 0;

  constructor(private readonly o: SourceFeedsOptions) {}

  /**
   * Starts the tip-floor and fee polls (each at once, then on its interval), and reads the
   * current epoch's leader schedule (and the next one's) ahead of the first slot event.
   */
  start(): void {
    const c = this.o.config;
    this.o.leaders
      .start()
      .catch((err: unknown) =>
        this.o.log.warn(
          { err: (err as Error).message },
          'leader schedule not read at start; the first slot event reads it',
        ),
      );
    this.every(c.tipFloorPollMs, () => this.pollTipFloor(), true);
    this.every(c.priorityFeePollMs, () => this.pollFees(), true);
  }

  /** Runs `fn` every `ms` until `stop` (and once at once when `now`). */
  every(ms: number, fn: () => Promise<void>, now = false): void {
    if (now) void fn();
    this.timers.push(setInterval(() => void fn(), ms));
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
  }

  /**
   * A slot seen: its event goes out after its leader is known, in order, and only forward
   * (account updates may have seen this slot first). `accepted` runs when it goes out.
   */
  onSlot(slot: number, accepted?: (slot: number) => void): void {
    this.slotChain = this.slotChain.then(async () => {
      try {
        const info = await this.o.leaders.at(slot);
        if (slot <= this.lastSlotEvent) return;
        this.lastSlotEvent = slot;
        accepted?.(slot);
        this.o.stats.slotEvents++;
        this.o.deliver({ kind: 'slot', atMs: this.o.clock.now(), slot, ...info });
      } catch (err) {
        this.o.log.warn(
          { err: (err as Error).message, slot },
          'leader lookup failed; slot event skipped',
        );
      }
    });
  }

  private async pollTipFloor(): Promise<void> {
    const { tipFloorUrl, config, clock } = this.o;
    await this.poll('tip floor', () =>
      fetchTipFloor(tipFloorUrl, config.timeouts.requestMs, clock.now()),
    );
  }

  private async pollFees(): Promise<void> {
    const { rpc, clock, pools } = this.o;
    await this.poll('priority fee', () => fetchFeeLevels(rpc, pools, this.o.slot(), clock.now()));
  }

  private async poll(what: string, read: () => Promise<MarketEvent>): Promise<void> {
    try {
      this.o.deliver(await read());
    } catch (err) {
      this.o.stats.feedFailures++;
      this.o.log.warn(
        { err: (err as Error).message },
        `${what} poll failed; the next poll retries`,
      );
    } finally {
      this.o.stats.feedPolls++;
    }
  }
}
