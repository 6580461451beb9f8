import { getAddressDecoder } from '@solana/kit';
import type { LandedSwapEvent } from '../../market/types.js';
import type { SwapFill } from './pending-swaps.js';
import type { DecodedSwap } from './swap-decode.js';

/**
 * The swaps of a landed (processed, not failed) transaction as `landedSwap` events, one per swap
 * on a watched pool, each naming the transaction's fee payer: a transaction with two or more of
 * them is a cycle, and one not ours is a rival's (src/agent/competition-signal.ts). Amounts are
 * the exact fill priced on the book where it was (`fills`); otherwise the instruction's own
 * bounds (exact-in: the input and the minimum out; exact-out: the maximum in and the output),
 * which the program guaranteed once it landed.
 */
const addresses = getAddressDecoder();

export function landedSwapEvents(
  swaps: readonly DecodedSwap[],
  fills: ReadonlyArray<SwapFill | undefined>,
  tx: {
    readonly signature: string;
    readonly slot: number;
    readonly atMs: number;
    /** The first account key of the message: the fee payer. */
    readonly feePayer: Uint8Array | undefined;
  },
): LandedSwapEvent[] {
  const signer = tx.feePayer === undefined ? undefined : addresses.decode(tx.feePayer);
  return swaps.map((swap, i) => {
    const fill = fills[i] ?? {
      amountIn: swap.mode === 'baseInput' ? swap.amount : swap.limit,
      amountOut: swap.mode === 'baseInput' ? swap.limit : swap.amount,
    };
    return {
      kind: 'landedSwap',
      atMs: tx.atMs,
      slot: tx.slot,
      signature: tx.signature,
      pool: swap.pool,
      direction: swap.direction,
      amountIn: fill.amountIn,
      amountOut: fill.amountOut,
      ...(signer === undefined ? {} : { signer }),
    };
  });
}

/** Token account index → mint, from a transaction's token balances before and after. */
export function tokenMintsOf(meta: {
  readonly preTokenBalances: ReadonlyArray<{
    readonly accountIndex: number;
    readonly mint: string;
  }>;
  readonly postTokenBalances: ReadonlyArray<{
    readonly accountIndex: number;
    readonly mint: string;
  }>;
}): ReadonlyMap<number, string> {
  const out = new Map<number, string>();
  for (const b of meta.preTokenBalances) out.set(b.accountIndex, b.mint);
  // An account created by the transaction has no balance before it.
  for (const b of meta.postTokenBalances) out.set(b.accountIndex, b.mint);
  return out;
}
