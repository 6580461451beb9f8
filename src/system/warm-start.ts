import { performance } from 'node:perf_hooks';
import type { Market, MarketEvent, MarketEventHandler } from '../market/types.js';
import { WakeableSleep } from '../ops/wakeable-sleep.js';
import { createSimMarket, type SimConfigInput, type SimMarket } from '../sim/index.js';

/** How far a warm start has got: simulated ms done, of the whole. */
export interface WarmProgress {
  readonly doneMs: number;
  readonly totalMs: number;
}

/** The warm start of a paper market, as `landfall up` follows it. */
export interface WarmStart {
  readonly minutes: number;
  progress(): WarmProgress;
  /**
   * Resolves when the market has caught up with the wall clock (or was stopped before);
   * rejects with the market's error when it failed before.
   */
  readonly caughtUp: Promise<void>;
}

export interface WarmSimMarket extends SimMarket {
  readonly warm: WarmStart;
}

/**
 * A paper market that begins `minutes` ago and runs at virtual pace until its clock reaches
 * the wall clock, then follows the wall clock at `sim.speed`: one continuous market, so the
 * policies keep what they learnt, the store holds an hour that ends now, and `landfall train`
 * has rows at once.
 *
 * The simulator runs at virtual pace throughout; the wall pace after the catch-up comes from
 * the handler's promise, which the simulator awaits before its next action ("virtual time
 * stands still while the engine thinks"): an event due later on the wall clock waits until
 * then. Actions that emit no event (outcomes, timers) run as soon as the event before them
 * has, so they may lead the wall clock by the gap to that event (a slot at most).
 */
export function createWarmSimMarket(config: SimConfigInput, o: { minutes: number }): WarmSimMarket {
  const totalMs = Math.round(o.minutes * 60_000);
  const startMs = Date.now() - totalMs;
  const inner = createSimMarket({ config: { ...config, startTimeMs: startMs }, pace: 'virtual' });
  const speed = inner.simulator.config.speed;
  const pacer = new WallPacer(speed);
  const source = {
    ended: inner.source.ended,
    start: (handler: MarketEventHandler) =>
      inner.source.start((event: MarketEvent) => {
        const due = pacer.pace(event.atMs);
        return due === undefined ? handler(event) : due.then(() => handler(event));
      }),
    stop: async () => {
      pacer.stop();
      await inner.source.stop();
    },
  };
  // A market that ends before catching up ends the warm start too: stopped, it resolves;
  // failed, it rejects with the market's error.
  inner.source.ended.then(
    () => pacer.stop(),
    (err: unknown) => pacer.stop(err),
  );
  return {
    ...inner,
    source,
    warm: {
      minutes: o.minutes,
      progress: () => ({
        doneMs: Math.min(totalMs, Math.max(0, inner.clock.now() - startMs)),
        totalMs,
      }),
      caughtUp: pacer.caughtUp,
    },
    describe: () => [
      `  market simulator seed ${inner.simulator.config.seed}, warm start: the last ${o.minutes} simulated minutes at virtual pace, then wall pace ×${speed} (paper: no network)`,
    ],
    stop: () => source.stop(),
  };
}

/**
 * Holds each event until the wall clock reaches it, once the market has caught up: at the
 * first event at or after `Date.now()`, that instant anchors virtual time to `performance.now()`
 * (monotonic), and virtual time runs `speed` times as fast as wall time from there.
 */
class WallPacer {
  readonly caughtUp: Promise<void>;
  private anchor: { wall: number; virtual: number } | undefined;
  private stopped = false;
  private markCaughtUp!: () => void;
  private markFailed!: (err: unknown) => void;
  private readonly timer = new WakeableSleep();

  constructor(private readonly speed: number) {
    this.caughtUp = new Promise((resolve, reject) => {
      this.markCaughtUp = resolve;
      this.markFailed = reject;
    });
    // Handled here; whoever awaits `caughtUp` still sees the rejection.
    this.caughtUp.catch(() => undefined);
  }

  /** Undefined when `atMs` is due now; else resolves when it is (or the market stops). */
  pace(atMs: number): undefined | Promise<void> {
    if (this.stopped) return undefined;
    if (this.anchor === undefined) {
      if (atMs < Date.now()) return undefined;
      // Anchored at the wall clock's now, not at this event's time: the event may be due later.
      this.anchor = { wall: performance.now(), virtual: Date.now() };
      this.markCaughtUp();
    }
    const anchor = this.anchor as { wall: number; virtual: number };
    const waitMs = anchor.wall + (atMs - anchor.virtual) / this.speed - performance.now();
    // Below a millisecond a timer costs more than it keeps in step.
    if (waitMs < 1) return undefined;
    return this.timer.sleep(waitMs);
  }

  /** Releases a waiting event and paces no more (the market is stopping, or failed). */
  stop(failure?: unknown): void {
    this.stopped = true;
    if (failure === undefined) this.markCaughtUp();
    else this.markFailed(failure);
    this.timer.wake();
  }
}

/** True when `market` is warming up (paper mode with a warm start). */
export function warmStartOf(market: Market | undefined): WarmStart | undefined {
  return market !== undefined && 'warm' in market ? (market as WarmSimMarket).warm : undefined;
}

/**
 * Resolves once the sink has nothing waiting for an insert and has inserted nothing new over
 * three polls 50 ms apart (messages still on the bus reach it within that), or after
 * `timeoutMs`: what the warm start produced is in the store, so history reads see it.
 */
export async function whenStored(
  sink: { stats(): { pendingRows: number; rowsInserted: number } },
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let quiet = 0;
  let inserted = -1;
  while (quiet < 3 && performance.now() < deadline) {
    const s = sink.stats();
    quiet = s.pendingRows === 0 && s.rowsInserted === inserted ? quiet + 1 : 0;
    inserted = s.rowsInserted;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
