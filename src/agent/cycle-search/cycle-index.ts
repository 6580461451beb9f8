import { cyclesThrough } from './enumerate.js';
import type { MintGraph } from './mint-graph.js';
import type { Cycle, PoolSlot } from './types.js';

/**
 * Each pool's cycles, kept in step with the graph: adding a pool lists the cycles it closes
 * (every cycle holding it is new), removing one drops its cycles from every pool they pass
 * through. A pool update then re-evaluates exactly the cycles that read it.
 */
export class CycleIndex {
  private readonly byPool = new Map<PoolSlot, Set<Cycle>>();
  private cycles = 0;

  constructor(
    private readonly graph: MintGraph,
    private readonly bases: ReadonlySet<string>,
  ) {}

  get size(): number {
    return this.cycles;
  }

  /** Call after `slot` joined the graph. */
  addPool(slot: PoolSlot): void {
    if (!this.byPool.has(slot)) this.byPool.set(slot, new Set());
    for (const cycle of cyclesThrough(this.graph, slot, this.bases)) {
      for (const hop of cycle.hops) {
        const set = this.byPool.get(hop.slot);
        if (set === undefined) this.byPool.set(hop.slot, new Set([cycle]));
        else set.add(cycle);
      }
      this.cycles++;
    }
  }

  removePool(slot: PoolSlot): void {
    const mine = this.byPool.get(slot);
    if (mine === undefined) return;
    for (const cycle of mine) {
      for (const hop of cycle.hops) {
        if (hop.slot !== slot) this.byPool.get(hop.slot)?.delete(cycle);
      }
    }
    this.cycles -= mine.size;
    this.byPool.delete(slot);
  }

  through(slot: PoolSlot): ReadonlySet<Cycle> {
    return this.byPool.get(slot) ?? EMPTY;
  }
}

const EMPTY: ReadonlySet<Cycle> = new Set();
