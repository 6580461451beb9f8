import { performance } from 'node:perf_hooks';
import { isLandfallError } from '../errors.js';
import type { Logger } from '../log.js';
import { type BlockEngine, MAX_STATUS_IDS } from './block-engine.js';

/**
 * One poller for every bundle in flight: each round asks `getInflightBundleStatuses` about all
 * of them, `MAX_STATUS_IDS` ids a call, the longest-unasked first. HTTP 429 backs this poller
 * off (doubling from `pollMs` up to `maxBackoffMs`, reset by the next answer) and ends the round;
 * it never moves a deadline: each bundle's deadline is its own timer, so a bundle still unknown
 * at its deadline is `expired` then, however long the poller is waiting.
 */
export type BundleFate =
  | { readonly status: 'Landed'; readonly landedSlot: number | null }
  | { readonly status: 'Failed' }
  | { readonly status: 'expired' };

export interface BundleStatusOptions {
  readonly pollMs: number;
  readonly maxBackoffMs: number;
  readonly log: Logger;
}

interface Waiter {
  readonly resolve: (fate: BundleFate) => void;
  readonly onSeen: () => void;
  readonly timer: NodeJS.Timeout;
  seen: boolean;
}

interface Tracked {
  readonly waiters: Set<Waiter>;
  askedAt: number;
}

export class BundleStatusPoller {
  readonly stats = { calls: 0, rateLimited: 0, maxIdsPerCall: 0 };
  private readonly tracked = new Map<string, Tracked>();
  private backoffMs = 0;
  private running = false;

  constructor(
    private readonly blockEngine: BlockEngine,
    private readonly options: BundleStatusOptions,
  ) {}

  /**
   * Settles with the bundle's fate: Landed or Failed as the block engine reports it, or
   * `expired` at `deadline` (performance.now() time). `onSeen` runs once, at its first
   * Pending, Failed or Landed.
   */
  track(
    bundleId: string,
    deadline: number,
    onSeen: () => void = () => undefined,
  ): Promise<BundleFate> {
    return new Promise((resolve) => {
      let entry = this.tracked.get(bundleId);
      if (entry === undefined) {
        entry = { waiters: new Set(), askedAt: 0 };
        this.tracked.set(bundleId, entry);
      }
      const waiters = entry.waiters;
      const waiter: Waiter = {
        resolve,
        onSeen,
        seen: false,
        timer: setTimeout(
          () => this.settle(bundleId, waiters, waiter, { status: 'expired' }),
          Math.max(0, deadline - performance.now()),
        ),
      };
      waiters.add(waiter);
      if (!this.running) void this.loop();
    });
  }

  get inFlight(): number {
    return this.tracked.size;
  }

  private settle(id: string, waiters: Set<Waiter>, waiter: Waiter, fate: BundleFate): void {
    clearTimeout(waiter.timer);
    waiters.delete(waiter);
    if (waiters.size === 0 && this.tracked.get(id)?.waiters === waiters) this.tracked.delete(id);
    waiter.resolve(fate);
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.tracked.size > 0) {
        await sleep(this.backoffMs > 0 ? this.backoffMs : this.options.pollMs);
        await this.round();
      }
    } finally {
      this.running = false;
    }
  }

  /** One pass over the bundles in flight, longest-unasked first, until done or rate limited. */
  private async round(): Promise<void> {
    const ids = [...this.tracked].sort((a, b) => a[1].askedAt - b[1].askedAt).map(([id]) => id);
    for (let i = 0; i < ids.length; i += MAX_STATUS_IDS) {
      const batch = ids.slice(i, i + MAX_STATUS_IDS);
      const asked = performance.now();
      for (const id of batch) {
        const t = this.tracked.get(id);
        if (t !== undefined) t.askedAt = asked;
      }
      this.stats.calls++;
      this.stats.maxIdsPerCall = Math.max(this.stats.maxIdsPerCall, batch.length);
      let answers: Awaited<ReturnType<BlockEngine['inflightStatuses']>>;
      try {
        answers = await this.blockEngine.inflightStatuses(batch);
      } catch (err) {
        if (isLandfallError(err, 'LF_SOLANA_RATE_LIMITED')) {
          this.stats.rateLimited++;
          const { pollMs, maxBackoffMs } = this.options;
          this.backoffMs = Math.min(maxBackoffMs, Math.max(pollMs, this.backoffMs) * 2);
          return;
        }
        this.options.log.warn(
          { bundles: batch.length, err: (err as Error).message },
          'bundle status poll failed; the next round retries',
        );
        continue;
      }
      this.backoffMs = 0;
      for (const id of batch) this.apply(id, answers.get(id));
    }
  }

  private apply(
    id: string,
    answer: { status: string; landedSlot: number | null } | undefined,
  ): void {
    const entry = this.tracked.get(id);
    // Not yet known (or no longer: older than the 5-minute look-back) reads as Invalid.
    if (entry === undefined || answer === undefined || answer.status === 'Invalid') return;
    for (const w of [...entry.waiters]) {
      if (!w.seen) {
        w.seen = true;
        w.onSeen();
      }
      if (answer.status === 'Landed')
        this.settle(id, entry.waiters, w, { status: 'Landed', landedSlot: answer.landedSlot });
      else if (answer.status === 'Failed') this.settle(id, entry.waiters, w, { status: 'Failed' });
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
