import type { MarketEvent, PoolSnapshot } from '../market/types.js';
import type { Collector, MarketView } from './types.js';

/**
 * The one collector the engine needs: it folds every market event into a `MarketView` (pool
 * reserves, leader, congestion, going fees and tips). Strategies read pool state from here, so
 * there is exactly one copy of it, updated before any strategy sees the event.
 */
export class MarketCollector implements Collector, MarketView {
  nowMs = 0;
  slot = 0;
  leaderRunsJito = true;
  leaderSlotsLeft = 0;
  nextLeaderRunsJito = true;
  slotStartMs = 0;
  congestion = 0;
  priorityFeeP50 = 0;
  priorityFeeP95 = 0;
  tipFloorP50 = 0;
  private readonly pools = new Map<string, PoolSnapshot>();
  private readonly byMint = new Map<string, PoolSnapshot[]>();

  get view(): MarketView {
    return this;
  }

  onEvent(event: MarketEvent): void {
    this.nowMs = event.atMs;
    switch (event.kind) {
      case 'slot':
        this.slot = event.slot;
        this.leaderRunsJito = event.leaderRunsJito;
        this.leaderSlotsLeft = event.leaderSlotsLeft;
        this.nextLeaderRunsJito = event.nextLeaderRunsJito;
        this.slotStartMs = event.atMs;
        return;
      case 'pool':
        this.setPool(event.pool);
        return;
      case 'fees':
        this.congestion = event.congestion;
        this.priorityFeeP50 = event.priorityFeeMicroLamports.p50;
        this.priorityFeeP95 = event.priorityFeeMicroLamports.p95;
        return;
      case 'tipFloor':
        this.tipFloorP50 = event.landedTipLamports.p50;
        return;
      default:
        return;
    }
  }

  pool(id: string): PoolSnapshot | undefined {
    return this.pools.get(id);
  }

  poolsWith(mint: string): readonly PoolSnapshot[] {
    return this.byMint.get(mint) ?? [];
  }

  private setPool(pool: PoolSnapshot): void {
    const known = this.pools.has(pool.id);
    this.pools.set(pool.id, pool);
    for (const mint of [pool.mintA, pool.mintB]) {
      const list = this.byMint.get(mint);
      if (list === undefined) {
        this.byMint.set(mint, [pool]);
        continue;
      }
      // Keep the lists in first-seen order; replace the stale snapshot in place.
      const at = known ? list.findIndex((p) => p.id === pool.id) : -1;
      if (at >= 0) list[at] = pool;
      else list.push(pool);
    }
  }
}
