import type { PoolSlot, QuotedPool } from './types.js';

/**
 * Mints as vertices, pools of every venue as edges (each pool one undirected edge, two
 * directed swap edges). Looked up by mint and by pair, which is all cycle enumeration needs.
 */
export class MintGraph {
  private readonly slots = new Map<string, PoolSlot>();
  private readonly byMint = new Map<string, Set<PoolSlot>>();
  private readonly byPair = new Map<string, Set<PoolSlot>>();

  get size(): number {
    return this.slots.size;
  }

  slot(id: string): PoolSlot | undefined {
    return this.slots.get(id);
  }

  /** Adds a pool whose id is not in the graph yet. */
  add(pool: QuotedPool): PoolSlot {
    const slot: PoolSlot = { pool };
    this.slots.set(pool.id, slot);
    addTo(this.byMint, pool.mintA, slot);
    if (pool.mintB !== pool.mintA) addTo(this.byMint, pool.mintB, slot);
    addTo(this.byPair, pairKey(pool.mintA, pool.mintB), slot);
    return slot;
  }

  remove(id: string): PoolSlot | undefined {
    const slot = this.slots.get(id);
    if (slot === undefined) return undefined;
    const { mintA, mintB } = slot.pool;
    this.slots.delete(id);
    removeFrom(this.byMint, mintA, slot);
    removeFrom(this.byMint, mintB, slot);
    removeFrom(this.byPair, pairKey(mintA, mintB), slot);
    return slot;
  }

  poolsOf(mint: string): ReadonlySet<PoolSlot> {
    return this.byMint.get(mint) ?? EMPTY;
  }

  poolsBetween(mint1: string, mint2: string): ReadonlySet<PoolSlot> {
    return this.byPair.get(pairKey(mint1, mint2)) ?? EMPTY;
  }
}

const EMPTY: ReadonlySet<PoolSlot> = new Set();

function pairKey(a: string, b: string): string {
  return a < b ? `${a} ${b}` : `${b} ${a}`;
}

function addTo(map: Map<string, Set<PoolSlot>>, key: string, slot: PoolSlot): void {
  const set = map.get(key);
  if (set === undefined) map.set(key, new Set([slot]));
  else set.add(slot);
}

function removeFrom(map: Map<string, Set<PoolSlot>>, key: string, slot: PoolSlot): void {
  const set = map.get(key);
  if (set === undefined) return;
  set.delete(slot);
  if (set.size === 0) map.delete(key);
}
