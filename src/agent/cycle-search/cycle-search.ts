import type { SwapLeg } from '../../market/types.js';
import { CycleIndex } from './cycle-index.js';
import { MintGraph } from './mint-graph.js';
import { sizeCycle } from './size-cycle.js';
import type { BaseMint, Cycle, QuotedPool, SizedCycle } from './types.js';

export interface CycleSearchOptions {
  /** The mints cycles start and end in (those the wallet holds), each with its spend cap. */
  readonly bases: readonly BaseMint[];
  /** Evaluations each sizing's optimality certificate may spend (`maximise.ts`). */
  readonly budget?: number;
  /** See `SizeOptions.exactSearch`. */
  readonly exactSearch?: boolean;
}

/**
 * Cycle search over the whole mint graph: every pool of every venue is an edge, and every 2-
 * and 3-hop cycle through a base mint is indexed by the pools it passes through. A pool
 * update re-sizes exactly the cycles holding that pool, whichever hop it is.
 */
export class CycleSearch {
  private readonly graph = new MintGraph();
  private readonly index: CycleIndex;
  private readonly bases: ReadonlyMap<string, BaseMint>;

  constructor(private readonly options: CycleSearchOptions) {
    this.bases = new Map(options.bases.map((b) => [b.mint, b]));
    this.index = new CycleIndex(this.graph, new Set(this.bases.keys()));
  }

  get poolCount(): number {
    return this.graph.size;
  }

  get cycleCount(): number {
    return this.index.size;
  }

  /** Adds a pool or replaces its state; a pool whose mints changed is re-indexed. */
  upsert(pool: QuotedPool): void {
    const slot = this.graph.slot(pool.id);
    if (slot !== undefined && slot.pool.mintA === pool.mintA && slot.pool.mintB === pool.mintB) {
      slot.pool = pool;
      slot.rates = undefined;
      return;
    }
    if (slot !== undefined) this.remove(pool.id);
    this.index.addPool(this.graph.add(pool));
  }

  remove(poolId: string): void {
    const slot = this.graph.slot(poolId);
    if (slot === undefined) return;
    this.index.removePool(slot);
    this.graph.remove(poolId);
  }

  /**
   * Upserts `pool`, then sizes every cycle through it: those earning at least their base's
   * `minProfit`, grouped by base, larger profit first.
   */
  update(pool: QuotedPool): SizedCycle[] {
    this.upsert(pool);
    return this.evaluate(pool.id);
  }

  /** Sizes every cycle through the pool on the current states (see `update`). */
  evaluate(poolId: string): SizedCycle[] {
    const out: SizedCycle[] = [];
    for (const cycle of this.cyclesThrough(poolId)) {
      const sized = this.size(cycle);
      if (sized !== null) out.push(sized);
    }
    // Profits of different bases are in different units; within one base, larger first.
    return out.sort((a, b) =>
      a.cycle.base !== b.cycle.base
        ? a.cycle.base < b.cycle.base
          ? -1
          : 1
        : a.profit === b.profit
          ? 0
          : a.profit > b.profit
            ? -1
            : 1,
    );
  }

  size(cycle: Cycle): SizedCycle | null {
    const base = this.bases.get(cycle.base);
    if (base === undefined) return null;
    return sizeCycle(cycle, {
      maxIn: base.maxIn,
      minProfit: base.minProfit ?? 1n,
      ...(this.options.budget === undefined ? {} : { budget: this.options.budget }),
      ...(this.options.exactSearch === undefined ? {} : { exactSearch: this.options.exactSearch }),
    });
  }

  cyclesThrough(poolId: string): ReadonlySet<Cycle> {
    const slot = this.graph.slot(poolId);
    return slot === undefined ? new Set() : this.index.through(slot);
  }
}

/** Legs for a sized cycle: the last reverts unless the base comes back with `minProfit` on top. */
export function sizedLegs(sized: SizedCycle, minProfit = 1n): SwapLeg[] {
  const { hops } = sized.cycle;
  return hops.map((hop, i) => ({
    pool: hop.slot.pool.id,
    direction: hop.direction,
    amountIn: i === 0 ? sized.amountIn : 'previous',
    minAmountOut: i === hops.length - 1 ? sized.amountIn + minProfit : 0n,
  }));
}
