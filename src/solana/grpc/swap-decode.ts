import { type Address, getAddressDecoder } from '@solana/kit';
import type { SwapDirection } from '../../market/types.js';
import { anchorDiscriminator, type PoolState, RAYDIUM_CP_PROGRAM } from '../raydium-cp-layout.js';

/**
 * CP-Swap swaps found in a streamed transaction. Both swap instructions take the accounts of the
 * program's `Swap` context (payer, authority, amm config, pool state, input and output token
 * accounts, input vault, output vault, …) and two u64 arguments: `swap_base_input(amount_in,
 * minimum_amount_out)` and `swap_base_output(max_amount_in, amount_out)`. The direction is read
 * from which of the pool's vaults is the input vault.
 *
 * Top-level instructions are always searched; a swap made by another program through CPI (an
 * aggregator route) is found only in the inner instructions a processed transaction's meta
 * carries. A deshred transaction has no meta: its CPI swaps are not seen.
 */
export type SwapMode = 'baseInput' | 'baseOutput';

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
}

/** What a transaction stream carries, in the wire's shapes (bytes, not addresses). */
export interface StreamedTransaction {
  readonly accountKeys: readonly Uint8Array[];
  /** Addresses loaded through lookup tables, writable then read-only (v0 messages). */
  readonly loadedWritable: readonly Uint8Array[];
  readonly loadedReadonly: readonly Uint8Array[];
  readonly instructions: readonly CompiledInstruction[];
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

export const SWAP_BASE_OUTPUT_DISCRIMINATOR = anchorDiscriminator('global', 'swap_base_output');
const SWAP_BASE_INPUT = anchorDiscriminator('global', 'swap_base_input');
const POOL_INDEX = 3;
const INPUT_VAULT_INDEX = 6;
const addressDecoder = getAddressDecoder();

/**
 * Every swap on a watched pool, in execution order. `stateOf` returns the state of a watched
 * pool (undefined for any other account); a swap whose input vault is neither of the pool's is
 * not one the program would accept, and is skipped.
 */
export function decodeSwaps(
  tx: StreamedTransaction,
  stateOf: (pool: string) => PoolState | undefined,
): DecodedSwap[] {
  const keys = [...tx.accountKeys, ...tx.loadedWritable, ...tx.loadedReadonly];
  const addresses = new Map<number, Address>();
  const at = (i: number): Address | undefined => {
    const key = keys[i];
    if (key === undefined) return undefined;
    let a = addresses.get(i);
    if (a === undefined) {
      a = addressDecoder.decode(key);
      addresses.set(i, a);
    }
    return a;
  };
  let programIndex = -1;
  for (let i = 0; i < keys.length && programIndex < 0; i++)
    if (at(i) === RAYDIUM_CP_PROGRAM) programIndex = i;
  if (programIndex < 0) return [];
  const out: DecodedSwap[] = [];
  const scan = (ix: CompiledInstruction, inner: boolean) => {
    if (ix.programIdIndex !== programIndex || ix.data.length < 24) return;
    const mode = modeOf(ix.data);
    if (mode === undefined) return;
    const poolIdx = ix.accounts[POOL_INDEX];
    const vaultIdx = ix.accounts[INPUT_VAULT_INDEX];
    if (poolIdx === undefined || vaultIdx === undefined) return;
    const pool = at(poolIdx);
    const state = pool === undefined ? undefined : stateOf(pool);
    if (pool === undefined || state === undefined) return;
    const inVault = at(vaultIdx);
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
  tx.instructions.forEach((ix, i) => {
    scan(ix, false);
    // Inner instructions run inside their top-level instruction, before the next one.
    for (const group of tx.inner?.filter((g) => g.index === i) ?? [])
      for (const innerIx of group.instructions) scan(innerIx, true);
  });
  return out;
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
