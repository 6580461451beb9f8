import { binArrayIndexOf } from './bitmap.js';
import { BINS_PER_ARRAY } from './layout.js';
import type { DlmmPool } from './swap.js';

const U64_MAX = (1n << 64n) - 1n;

/**
 * The constant-product reserves with the pair's price and, at it, the depth of the bins either side
 * of the active one: √k from each neighbour's amount over the price span it covers. A floating-point
 * estimate for sizing and for the simulator's snapshot reserves; every amount a swap pays comes
 * from the exact maths (swap.ts).
 */
export function virtualReserves(pool: DlmmPool): readonly [bigint, bigint] {
  const { activeId, binStep } = pool.pair;
  const s = 1 + binStep / 10_000;
  const at = (id: number) =>
    pool.binArrays.get(binArrayIndexOf(id))?.bins[id - binArrayIndexOf(id) * BINS_PER_ARRAY];
  const p = s ** activeId;
  const roots: number[] = [];
  const below = at(activeId - 1);
  if (below && below.amountY > 0n) {
    const q = s ** (activeId - 1);
    roots.push(Number(below.amountY) / (Math.sqrt(q) - Math.sqrt(q / s)));
  }
  const above = at(activeId + 1);
  if (above && above.amountX > 0n) {
    const q = s ** (activeId + 1);
    roots.push(Number(above.amountX) / (1 / Math.sqrt(q) - 1 / Math.sqrt(q * s)));
  }
  if (roots.length === 0) return [0n, 0n];
  const sqrtK = roots.reduce((a, b) => a + b, 0) / roots.length;
  return [units(sqrtK / Math.sqrt(p)), units(sqrtK * Math.sqrt(p))];
}

function units(v: number): bigint {
  if (!Number.isFinite(v) || v <= 0) return 0n;
  const u = BigInt(Math.floor(v));
  return u > U64_MAX ? U64_MAX : u;
}
