import type { SwapDirection } from '../../market/types.js';
import type { MintGraph } from './mint-graph.js';
import type { Cycle, CycleHop, PoolSlot } from './types.js';

/**
 * Every 2- and 3-hop cycle through `slot` that starts and ends in one of `bases`, on the
 * graph as it stands (which must already hold `slot`). A cycle uses distinct pools, and its
 * inner mints differ from its base and from each other; another base mint may be an inner
 * mint (WSOL → USDC → T → WSOL). Both orientations of a cycle count (they are different
 * trades), and a cycle through two bases is listed once per base it starts from, since its
 * profit is measured in that base.
 *
 * Each cycle holding `slot` has it at exactly one position with one orientation, and each
 * case below builds one (position, orientation) pair, so no cycle is listed twice.
 */
export function cyclesThrough(
  graph: MintGraph,
  slot: PoolSlot,
  bases: ReadonlySet<string>,
): Cycle[] {
  const { mintA, mintB } = slot.pool;
  if (mintA === mintB) return [];
  const out: Cycle[] = [];
  for (const [from, to] of [
    [mintA, mintB],
    [mintB, mintA],
  ] as const) {
    if (bases.has(from)) {
      // First hop: base → to, then back directly or through one more mint.
      for (const back of graph.poolsBetween(to, from)) {
        if (back !== slot) out.push(cycle(from, [slot, back]));
      }
      for (const middle of graph.poolsOf(to)) {
        const next = otherMint(middle, to);
        if (next === from || next === to) continue;
        for (const back of graph.poolsBetween(next, from)) {
          out.push(cycle(from, [slot, middle, back]));
        }
      }
    }
    if (bases.has(to)) {
      // Last hop: into the base. The 2-hop case with `slot` first was built above.
      for (const there of graph.poolsBetween(to, from)) {
        if (there !== slot) out.push(cycle(to, [there, slot]));
      }
      for (const middle of graph.poolsOf(from)) {
        const before = otherMint(middle, from);
        if (before === to || before === from) continue;
        for (const first of graph.poolsBetween(to, before)) {
          out.push(cycle(to, [first, middle, slot]));
        }
      }
    }
    // Middle hop: from → to between two pools of a third mint, the base.
    for (const base of bases) {
      if (base === from || base === to) continue;
      for (const first of graph.poolsBetween(base, from)) {
        for (const last of graph.poolsBetween(to, base)) {
          out.push(cycle(base, [first, slot, last]));
        }
      }
    }
  }
  return out;
}

function otherMint(slot: PoolSlot, mint: string): string {
  return slot.pool.mintA === mint ? slot.pool.mintB : slot.pool.mintA;
}

/** The cycle that spends `base` on the first pool and passes each output to the next. */
function cycle(base: string, pools: readonly PoolSlot[]): Cycle {
  let mint = base;
  const hops: CycleHop[] = [];
  const names: string[] = [];
  for (const slot of pools) {
    const direction: SwapDirection = slot.pool.mintA === mint ? 'aToB' : 'bToA';
    hops.push({ slot, direction });
    names.push(`${slot.pool.id}${direction === 'aToB' ? '>' : '<'}`);
    mint = otherMint(slot, mint);
  }
  return { key: `${base}:${names.join(',')}`, base, hops };
}
