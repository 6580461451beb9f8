import type { BinArrayBitmapExtension, LbPair } from './layout.js';
import { BINS_PER_ARRAY } from './layout.js';

/**
 * Which bin arrays hold liquidity: one bit per array in the pair's own 1024-bit bitmap (indexes
 * −512…511) and, beyond that, in the bitmap extension (12 × 512 bits each side). Searches follow
 * the program's `next_bin_array_index_with_liquidity` (MeteoraAg/dlmm-sdk
 * `commons/src/extensions/lb_pair.rs`, `bin_array_bitmap.rs`; `findNextBinArrayIndexWithLiquidity`
 * in the TS SDK): from the array holding the start bin, inclusive, downwards when selling X for Y.
 */

export const BITMAP_SIZE = 512;
const EXTENSION_SIZE = 12;
const EXTENSION_MIN = -BITMAP_SIZE * (EXTENSION_SIZE + 1);
const EXTENSION_MAX = BITMAP_SIZE * (EXTENSION_SIZE + 1) - 1;

/** `bin_id_to_bin_array_index`: floor(bin_id / 70). */
export function binArrayIndexOf(binId: number): number {
  return Math.floor(binId / BINS_PER_ARRAY);
}

export function binArrayBounds(index: number): readonly [number, number] {
  const lower = index * BINS_PER_ARRAY;
  return [lower, lower + BINS_PER_ARRAY - 1];
}

export function outsideInternalBitmap(index: number): boolean {
  return index < -BITMAP_SIZE || index > BITMAP_SIZE - 1;
}

function internalBit(pair: LbPair, index: number): boolean {
  const offset = index + BITMAP_SIZE;
  const word = pair.binArrayBitmap[offset >> 6] ?? 0n;
  return ((word >> BigInt(offset & 63)) & 1n) === 1n;
}

function extensionBit(ext: BinArrayBitmapExtension, index: number): boolean {
  const magnitude = index > 0 ? index : -(index + 1);
  const words =
    index > 0
      ? ext.positiveBinArrayBitmap[Math.floor(magnitude / BITMAP_SIZE) - 1]
      : ext.negativeBinArrayBitmap[Math.floor(magnitude / BITMAP_SIZE) - 1];
  const bit = magnitude % BITMAP_SIZE;
  const word = words?.[bit >> 6] ?? 0n;
  return ((word >> BigInt(bit & 63)) & 1n) === 1n;
}

/** First set index from `from` to `to` inclusive (either way), or null. */
function scan(from: number, to: number, isSet: (i: number) => boolean): number | null {
  const step = from <= to ? 1 : -1;
  for (let i = from; step > 0 ? i <= to : i >= to; i += step) if (isSet(i)) return i;
  return null;
}

export type BinArraySearch =
  | { readonly found: number }
  /** No array with liquidity that way. */
  | { readonly found: null; readonly needsExtension: false }
  /** The search leaves the internal bitmap and the pair's extension was not supplied. */
  | { readonly found: null; readonly needsExtension: true };

const none = { found: null, needsExtension: false } as const;

/** The nearest bin array with liquidity from the one holding `binId`, that array included. */
export function nextBinArrayWithLiquidity(
  pair: LbPair,
  ext: BinArrayBitmapExtension | undefined,
  binId: number,
  swapForY: boolean,
): BinArraySearch {
  let start = binArrayIndexOf(binId);
  for (;;) {
    if (outsideInternalBitmap(start)) {
      if (ext === undefined) return { found: null, needsExtension: true };
      const isSet = (i: number) => extensionBit(ext, i);
      if (start < 0) {
        if (swapForY) {
          const i = scan(start, EXTENSION_MIN, isSet);
          return i === null ? none : { found: i };
        }
        const i = scan(start, -BITMAP_SIZE - 1, isSet);
        if (i !== null) return { found: i };
        start = -BITMAP_SIZE;
      } else {
        if (!swapForY) {
          const i = scan(start, EXTENSION_MAX, isSet);
          return i === null ? none : { found: i };
        }
        const i = scan(start, BITMAP_SIZE, isSet);
        if (i !== null) return { found: i };
        start = BITMAP_SIZE - 1;
      }
    } else {
      const isSet = (i: number) => internalBit(pair, i);
      const i = swapForY ? scan(start, -BITMAP_SIZE, isSet) : scan(start, BITMAP_SIZE - 1, isSet);
      if (i !== null) return { found: i };
      start = swapForY ? -BITMAP_SIZE - 1 : BITMAP_SIZE;
    }
  }
}

/**
 * Up to `count` bin arrays with liquidity a swap would visit from `binId`, nearest first: what
 * `get_bin_array_pubkeys_for_swap` picks, stopping where the bitmaps supplied end.
 */
export function binArraysForSwap(
  pair: LbPair,
  ext: BinArrayBitmapExtension | undefined,
  binId: number,
  swapForY: boolean,
  count: number,
): number[] {
  const found: number[] = [];
  let at = binId;
  while (found.length < count) {
    const next = nextBinArrayWithLiquidity(pair, ext, at, swapForY);
    if (next.found === null) break;
    found.push(next.found);
    const [lower, upper] = binArrayBounds(next.found);
    at = swapForY ? lower - 1 : upper + 1;
  }
  return found;
}
