import { type Address, getAddressEncoder } from '@solana/kit';
import type { SwapDirection } from '../../market/types.js';
import { ASSOCIATED_TOKEN_PROGRAM } from '../raydium-cp-swap.js';
import { findProgramAddressSync } from '../venues/pda.js';

/**
 * Which way a swap goes when its program reads it from the payer's token accounts (AMM v4 and
 * DLMM compare the source account's mint with the pool's), not from a vault the instruction
 * names. A processed transaction's meta gives every token account's mint (its token balances);
 * a deshred transaction has no meta, so there the source or destination must be the payer's
 * associated token account for one of the pool's mints. Anything else (a temporary wrapped-SOL
 * account, a program-owned account) is unknown before execution: the processed copy decides it.
 */
export interface SwapAccounts {
  /** The token account the program debits, and the one it credits. */
  readonly source: Address;
  readonly destination: Address;
  /** Who signs for the source: the owner of its associated token accounts. */
  readonly owner: Address;
  /** Mint of a token account, where the transaction's meta names it. */
  readonly mintOf: (account: Address) => string | undefined;
}

export interface PoolSides {
  /** The pool's token A and B mints (`aToB` spends A) and each mint's token program. */
  readonly mintA: Address;
  readonly mintB: Address;
  readonly programA: Address;
  readonly programB: Address;
}

export function swapDirection(accounts: SwapAccounts, pool: PoolSides): SwapDirection | undefined {
  const sourceMint = accounts.mintOf(accounts.source);
  if (sourceMint === pool.mintA) return 'aToB';
  if (sourceMint === pool.mintB) return 'bToA';
  if (sourceMint !== undefined) return undefined;
  const destinationMint = accounts.mintOf(accounts.destination);
  if (destinationMint === pool.mintB) return 'aToB';
  if (destinationMint === pool.mintA) return 'bToA';
  const a = associatedTokenAccountSync(accounts.owner, pool.programA, pool.mintA);
  const b = associatedTokenAccountSync(accounts.owner, pool.programB, pool.mintB);
  if (accounts.source === a || accounts.destination === b) return 'aToB';
  if (accounts.source === b || accounts.destination === a) return 'bToA';
  return undefined;
}

const encoder = getAddressEncoder();
const bytes = (a: Address) => new Uint8Array(encoder.encode(a));
/** A derivation costs tens of µs; the same traders and mints come back. */
const cache = new Map<string, Address>();
const CACHE_LIMIT = 8_192;

/**
 * The owner's associated token account, derived synchronously (the stream's decoding is), with
 * the associated token program's seeds (owner, token program, mint).
 */
export function associatedTokenAccountSync(
  owner: Address,
  tokenProgram: Address,
  mint: Address,
): Address {
  const key = `${owner}/${tokenProgram}/${mint}`;
  const held = cache.get(key);
  if (held !== undefined) return held;
  const [address] = findProgramAddressSync(ASSOCIATED_TOKEN_PROGRAM, [
    bytes(owner),
    bytes(tokenProgram),
    bytes(mint),
  ]);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, address);
  return address;
}
