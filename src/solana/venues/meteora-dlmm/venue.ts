import type { Address } from '@solana/kit';
import { decodeMint } from '../../token-2022.js';
import { requireAccount } from '../accounts.js';
import type { LiveVenue } from '../venue.js';
import { applySwap } from './apply.js';
import { binArrayIndexOf, binArraysForSwap, outsideInternalBitmap } from './bitmap.js';
import { swap2Instruction, tokenProgramOf } from './instruction.js';
import {
  type BinArray,
  DLMM_PROGRAM,
  decodeBinArray,
  decodeBitmapExtension,
  decodeLbPair,
  type LbPair,
} from './layout.js';
import { binArrayAddress, bitmapExtensionAddress } from './pda.js';
import { dlmmSnapshot, EXCEEDED_AMOUNT_SLIPPAGE_TOLERANCE } from './snapshot.js';
import { type DlmmPool, type DlmmSwap, quoteExactIn } from './swap.js';
import { virtualReserves } from './virtual-reserves.js';

/**
 * Meteora DLMM behind the venue interface: the LbPair, the bin arrays a swap from the active bin
 * reaches in either direction, both mints (a Token-2022 mint may charge a transfer fee) and, for a
 * pair whose active bin lies beyond its own bitmap, the bitmap extension. Traded through `swap2`.
 */

/**
 * Bin arrays with liquidity read each way from the active bin, the active one counted in both:
 * 3, as Meteora's own Rust example of a swap quote takes (more arrays cost compute units in the
 * transaction; a swap crossing 210 bins is beyond what a searcher's size reaches).
 */
export const BIN_ARRAYS_EACH_WAY = 3;

/**
 * The indexes of the bin arrays to read, nearest first, down then up, from the pair's own bitmap.
 * A pair whose active bin lies beyond that bitmap (bin array index outside −512…511: a price past
 * 1.0001^±35 840) would need the extension's bits to choose them, which `watchedAccounts` cannot
 * read: for such a pair none is watched and every quote refuses (`BinArrayNotFound`).
 */
function watchedBinArrays(pair: LbPair): number[] {
  if (needsExtension(pair)) return [];
  const down = binArraysForSwap(pair, undefined, pair.activeId, true, BIN_ARRAYS_EACH_WAY);
  const up = binArraysForSwap(pair, undefined, pair.activeId, false, BIN_ARRAYS_EACH_WAY);
  return [...new Set([...down, ...up])];
}

function needsExtension(pair: LbPair): boolean {
  return outsideInternalBitmap(binArrayIndexOf(pair.activeId));
}

export const meteoraDlmm: LiveVenue<DlmmPool, DlmmSwap> = {
  name: 'meteora-dlmm',
  programAddress: DLMM_PROGRAM,
  watchedAccounts(pool: Address, poolData: Uint8Array) {
    const pair = decodeLbPair(poolData, `pool ${pool}`);
    const ext = needsExtension(pair) ? [bitmapExtensionAddress(pool)] : [];
    return [
      pool,
      pair.tokenXMint,
      pair.tokenYMint,
      ...ext,
      ...watchedBinArrays(pair).map((i) => binArrayAddress(pool, i)),
    ];
  },
  decode(pool, read) {
    const where = `pool ${pool}`;
    const pair = decodeLbPair(requireAccount(read, pool, 'LbPair', pool), where);
    const get = (address: Address, role: string) => requireAccount(read, address, role, pool);
    const bitmapExtension = needsExtension(pair)
      ? decodeBitmapExtension(get(bitmapExtensionAddress(pool), 'bitmap extension'), where)
      : undefined;
    const binArrays = new Map<number, BinArray>();
    for (const index of watchedBinArrays(pair)) {
      const address = binArrayAddress(pool, index);
      binArrays.set(index, decodeBinArray(get(address, `bin array ${index}`), where));
    }
    return {
      address: pool,
      pair,
      binArrays,
      bitmapExtension,
      mintX: decodeMint(
        get(pair.tokenXMint, 'token X mint'),
        tokenProgramOf(pair.tokenMintXProgramFlag),
        where,
      ),
      mintY: decodeMint(
        get(pair.tokenYMint, 'token Y mint'),
        tokenProgramOf(pair.tokenMintYProgramFlag),
        where,
      ),
    };
  },
  quote: quoteExactIn,
  apply: (state, quote, context) => applySwap(state, quote, context),
  swapInstruction: swap2Instruction,
  virtualReserves,
  snapshot: dlmmSnapshot,
  exceededSlippageError: EXCEEDED_AMOUNT_SLIPPAGE_TOLERANCE,
};
