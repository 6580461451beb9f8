import { type Address, getAddressEncoder } from '@solana/kit';
import { findProgramAddressSync } from '../pda.js';
import { WHIRLPOOL_PROGRAM, type Whirlpool } from './layout.js';
import { swapStartTickIndexes } from './tick-sequence.js';

/**
 * The PDAs a Whirlpool swap reads: its tick arrays (`["tick_array", whirlpool, start index as
 * decimal text]`, the seeds `derive_tick_array_pda` in sparse_swap.rs checks an uninitialised one
 * against) and its oracle (`["oracle", whirlpool]`, the `seeds` constraint of swap_v2).
 */

const encoder = getAddressEncoder();
const addressBytes = (a: Address): Uint8Array => new Uint8Array(encoder.encode(a));
const addressCache = new Map<string, Address>();

function cached(key: string, derive: () => Address): Address {
  let found = addressCache.get(key);
  if (found === undefined) {
    found = derive();
    // Pools are few and their arrays fewer; the cap only bounds a pathological caller.
    if (addressCache.size > 100_000) addressCache.clear();
    addressCache.set(key, found);
  }
  return found;
}

export function tickArrayAddress(whirlpool: Address, startTickIndex: number): Address {
  return cached(
    `t:${whirlpool}:${startTickIndex}`,
    () =>
      findProgramAddressSync(WHIRLPOOL_PROGRAM, [
        'tick_array',
        addressBytes(whirlpool),
        String(startTickIndex),
      ])[0],
  );
}

export function oracleAddress(whirlpool: Address): Address {
  return cached(
    `o:${whirlpool}`,
    () => findProgramAddressSync(WHIRLPOOL_PROGRAM, ['oracle', addressBytes(whirlpool)])[0],
  );
}

/** Start indexes of every array a swap either way from the current tick may walk, A→B's first. */
export function watchedStartTickIndexes(w: Whirlpool): number[] {
  const starts = [
    ...swapStartTickIndexes(w.tickCurrentIndex, w.tickSpacing, true),
    ...swapStartTickIndexes(w.tickCurrentIndex, w.tickSpacing, false),
  ];
  return [...new Set(starts)];
}
