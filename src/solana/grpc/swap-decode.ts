import { type Address, getAddressDecoder } from '@solana/kit';
import type { SwapDirection } from '../../market/types.js';
import type { LivePool } from '../live-pool.js';
import { anchorDiscriminator, type PoolState, RAYDIUM_CP_PROGRAM } from '../raydium-cp-layout.js';
import { TOKEN_PROGRAM } from '../token-2022.js';
import { swapDirection } from './swap-direction.js';
import { type InstructionSwap, type SwapMode, VENUE_SWAP_DECODERS } from './venue-swap-decode.js';

/**
 * Swaps on watched pools found in a streamed transaction, of every live venue.
 *
 * CP-Swap: both swap instructions take the accounts of the program's `Swap` context (payer,
 * authority, amm config, pool state, input and output token accounts, input vault, output vault,
 * …) and two u64 arguments: `swap_base_input(amount_in, minimum_amount_out)` and
 * `swap_base_output(max_amount_in, amount_out)`. The direction is read from which of the pool's
 * vaults is the input vault.
 *
 * Raydium AMM v4, Meteora DLMM and Orca Whirlpools (venue-swap-decode.ts): a Whirlpool swap
 * says its direction; AMM v4 and DLMM read it from the mint of the payer's source account
 * (swap-direction.ts), known from a processed transaction's token balances, or before execution
 * where the payer trades from its associated token accounts; a swap whose direction cannot be
 * told is skipped and counted (`skipped`). A pool of a venue is read only once that venue is in
 * the live registry (the book watches none of its pools before).
 *
 * Top-level instructions are always searched; a swap made by another program through CPI (an
 * aggregator route) is found only in the inner instructions a processed transaction's meta
 * carries. A deshred transaction has no meta: its CPI swaps are not seen.
 */
export type { SwapMode };

export interface DecodedSwap {
  readonly pool: Address;
  readonly direction: SwapDirection;
  readonly mode: SwapMode;
  /** `amount_in` (baseInput) or `amount_out` (baseOutput). */
  readonly amount: bigint;
  /** `minimum_amount_out` (baseInput) or `max_amount_in` (baseOutput). */
  readonly limit: bigint;
  /** Found among the inner instructions (a CPI), not at the top level. */
  readonly inner: boolean;
  /** Why it is not priced (the maths here cannot fill it exactly); absent: it is. */
  readonly unpriced?: string;
}

/** What a transaction stream carries, in the wire's shapes (bytes, not addresses). */
export interface StreamedTransaction {
  readonly accountKeys: readonly Uint8Array[];
  /** Addresses loaded through lookup tables, writable then read-only (v0 messages). */
  readonly loadedWritable: readonly Uint8Array[];
  readonly loadedReadonly: readonly Uint8Array[];
  readonly instructions: readonly CompiledInstruction[];
  /** The mint of each token account the meta's token balances name, by account index. */
  readonly tokenMints?: ReadonlyMap<number, string>;
  /** Absent for a deshred transaction. */
  readonly inner?: readonly {
    /** The top-level instruction they ran inside. */
    readonly index: number;
    readonly instructions: readonly CompiledInstruction[];
  }[];
}

export interface CompiledInstruction {
  readonly programIdIndex: number;
  readonly accounts: Uint8Array;
  readonly data: Uint8Array;
}

export interface DecodeOptions {
  /** A watched pool of another venue than CP-Swap (undefined for any other account). */
  readonly livePool?: (pool: string) => LivePool | undefined;
  /** A swap on a watched pool that is not read, and why. */
  readonly skipped?: (reason: string) => void;
}

export const SWAP_BASE_OUTPUT_DISCRIMINATOR = anchorDiscriminator('global', 'swap_base_output');
const SWAP_BASE_INPUT = anchorDiscriminator('global', 'swap_base_input');
const POOL_INDEX = 3;
const INPUT_VAULT_INDEX = 6;
const addressDecoder = getAddressDecoder();

/**
 * Every swap on a watched pool, in execution order. `stateOf` returns the state of a watched
 * CP-Swap pool (undefined for any other account); a swap whose input vault is neither of the
 * pool's is not one the program would accept, and is skipped. A pool of another venue is
 * `options.livePool`'s, read only where that venue's own program is the one called.
 */
export function decodeSwaps(
  tx: StreamedTransaction,
  stateOf: (pool: string) => PoolState | undefined,
  options: DecodeOptions = {},
): DecodedSwap[] {
  const keys = [...tx.accountKeys, ...tx.loadedWritable, ...tx.loadedReadonly];
  const addresses = new Map<number, Address>();
  const at = (i: number | undefined): Address | undefined => {
    const key = i === undefined ? undefined : keys[i];
    if (key === undefined || i === undefined) return undefined;
    let a = addresses.get(i);
    if (a === undefined) {
      a = addressDecoder.decode(key);
      addresses.set(i, a);
    }
    return a;
  };
  let mints: Map<string, string> | undefined;
  const mintOf = (account: Address): string | undefined => {
    if (tx.tokenMints === undefined) return undefined;
    if (mints === undefined) {
      mints = new Map();
      for (const [i, mint] of tx.tokenMints) {
        const a = at(i);
        if (a !== undefined) mints.set(a, mint);
      }
    }
    return mints.get(account);
  };
  const out: DecodedSwap[] = [];

  const scanCp = (ix: CompiledInstruction, inner: boolean) => {
    if (ix.data.length < 24) return;
    const mode = modeOf(ix.data);
    if (mode === undefined) return;
    const pool = at(ix.accounts[POOL_INDEX]);
    const state = pool === undefined ? undefined : stateOf(pool);
    if (pool === undefined || state === undefined) return;
    const inVault = at(ix.accounts[INPUT_VAULT_INDEX]);
    const direction: SwapDirection | undefined =
      inVault === state.token0Vault ? 'aToB' : inVault === state.token1Vault ? 'bToA' : undefined;
    if (direction === undefined) return;
    const view = new DataView(ix.data.buffer, ix.data.byteOffset, ix.data.byteLength);
    const first = view.getBigUint64(8, true);
    const second = view.getBigUint64(16, true);
    out.push(
      mode === 'baseInput'
        ? { pool, direction, mode, amount: first, limit: second, inner }
        : { pool, direction, mode, amount: second, limit: first, inner },
    );
  };

  const scanVenue = (program: Address, ix: CompiledInstruction, inner: boolean) => {
    const swap = VENUE_SWAP_DECODERS.get(program)?.(ix.data, ix.accounts.length);
    if (swap === undefined || options.livePool === undefined) return;
    const pool = at(ix.accounts[swap.pool]);
    const live = pool === undefined ? undefined : options.livePool(pool);
    if (pool === undefined || live === undefined || live.venue.programAddress !== program) return;
    const account = (position: number) => at(ix.accounts[position]);
    const direction = swap.direction ?? directionOf(swap, live, account, mintOf);
    if (direction === undefined) {
      options.skipped?.(`${live.venue.name}: direction unknown before execution`);
      return;
    }
    const { mode, amount, limit, unpriced } = swap;
    out.push({
      pool,
      direction,
      mode,
      amount,
      limit,
      inner,
      ...(unpriced === undefined ? {} : { unpriced }),
    });
  };

  const scan = (ix: CompiledInstruction, inner: boolean) => {
    const program = at(ix.programIdIndex);
    if (program === RAYDIUM_CP_PROGRAM) scanCp(ix, inner);
    else if (program !== undefined && VENUE_SWAP_DECODERS.has(program))
      scanVenue(program, ix, inner);
  };
  tx.instructions.forEach((ix, i) => {
    scan(ix, false);
    // Inner instructions run inside their top-level instruction, before the next one.
    for (const group of tx.inner?.filter((g) => g.index === i) ?? [])
      for (const innerIx of group.instructions) scan(innerIx, true);
  });
  return out;
}

/** The direction of a swap whose program reads it from the payer's source account's mint. */
function directionOf(
  swap: InstructionSwap,
  live: LivePool,
  account: (position: number) => Address | undefined,
  mintOf: (account: Address) => string | undefined,
): SwapDirection | undefined {
  const source = account(swap.source);
  const destination = account(swap.destination);
  const owner = account(swap.owner);
  const programA = swap.programs === undefined ? TOKEN_PROGRAM : account(swap.programs[0]);
  const programB = swap.programs === undefined ? TOKEN_PROGRAM : account(swap.programs[1]);
  if (!source || !destination || !owner || !programA || !programB) return undefined;
  return swapDirection(
    { source, destination, owner, mintOf },
    { mintA: live.mintA, mintB: live.mintB, programA, programB },
  );
}

function modeOf(data: Uint8Array): SwapMode | undefined {
  if (startsWith(data, SWAP_BASE_INPUT)) return 'baseInput';
  if (startsWith(data, SWAP_BASE_OUTPUT_DISCRIMINATOR)) return 'baseOutput';
  return undefined;
}

function startsWith(data: Uint8Array, prefix: Uint8Array): boolean {
  for (let i = 0; i < prefix.length; i++) if (data[i] !== prefix[i]) return false;
  return true;
}
