import type { Candidate, MarketView, Strategy } from './types.js';

/**
 * Per-slot re-sending. A pool is held for the slot a submission on it was sent in, so an
 * opportunity goes out at most once a slot; an opportunity found on a pool's state and sent is
 * kept open and re-checked at every new slot on that pool's current state, through the
 * strategy that found it. Still found (same strategy, same pools in the same order) and not held:
 * it is due again. Gone, not submitted, or landed: it is closed, and only a later pool update
 * can raise it again.
 *
 * A backrun is not kept open: it reacts to one pending swap, which a later slot no longer has.
 * Nor is a direct transaction: it stays valid across slots, so its pools are held until its
 * outcome (`hold(…, true)` / `release`).
 */
export class SlotHolds {
  private readonly sentIn = new Map<string, number>();
  /** Pools with direct transactions in flight, and how many. */
  private readonly inFlight = new Map<string, number>();
  private readonly open = new Map<string, { strategy: Strategy; pool: string }>();

  /** Whether any of `pools` was sent on in `slot`, or waits on a direct transaction. */
  held(pools: readonly string[], slot: number): boolean {
    return pools.some((p) => this.sentIn.get(p) === slot || this.inFlight.has(p));
  }

  /** Holds `pools` for `slot`, or, `untilReleased`, until `release` (a direct transaction). */
  hold(pools: readonly string[], slot: number, untilReleased = false): void {
    for (const p of pools) {
      this.sentIn.set(p, slot);
      if (untilReleased) this.inFlight.set(p, (this.inFlight.get(p) ?? 0) + 1);
    }
  }

  release(pools: readonly string[]): void {
    for (const p of pools) {
      const n = (this.inFlight.get(p) ?? 0) - 1;
      if (n > 0) this.inFlight.set(p, n);
      else this.inFlight.delete(p);
    }
  }

  /** Keeps `candidate`, found by `strategy` on an update of `pool`, open for re-checking. */
  watch(candidate: Candidate, strategy: Strategy, pool: string): void {
    this.open.set(keyOf(candidate), { strategy, pool });
  }

  close(candidate: Pick<Candidate, 'strategy' | 'pools'>): void {
    this.open.delete(keyOf(candidate));
  }

  get size(): number {
    return this.open.size;
  }

  /** Open opportunities still found on `view` and not yet sent in its slot; forgets the rest. */
  stillOpen(view: MarketView): Candidate[] {
    const due: Candidate[] = [];
    for (const [key, o] of this.open) {
      const pool = view.pool(o.pool);
      const found =
        pool === undefined
          ? undefined
          : o.strategy
              .onEvent({ kind: 'pool', atMs: view.nowMs, slot: view.slot, pool }, view)
              .find((c) => keyOf(c) === key);
      if (found === undefined) this.open.delete(key);
      else if (!this.held(found.pools, view.slot)) due.push(found);
    }
    return due;
  }
}

function keyOf(c: Pick<Candidate, 'strategy' | 'pools'>): string {
  return `${c.strategy}:${c.pools.join(',')}`;
}
