import type { Address } from '@solana/kit';
import type { SwapDirection } from '../../market/types.js';
import { DLMM_PROGRAM } from '../venues/meteora-dlmm/layout.js';
import { WHIRLPOOL_PROGRAM } from '../venues/orca-whirlpool/layout.js';
import { RAYDIUM_AMM_V4_PROGRAM } from '../venues/raydium-amm-v4/layout.js';

/**
 * The swap instructions of the venues other than CP-Swap, as their programs parse them: what the instruction asks (`mode`, `amount`, `limit`) and where
 * in its accounts the pool, the payer's source and destination, the owner and the token
 * programs stand. Undefined for any other instruction of the program.
 */
export type SwapMode = 'baseInput' | 'baseOutput';

export interface InstructionSwap {
  readonly mode: SwapMode;
  /** `amount_in` (baseInput) or `amount_out` (baseOutput). */
  readonly amount: bigint;
  /** `minimum_amount_out` (baseInput; 0 where the instruction has none) or `max_amount_in`. */
  readonly limit: bigint;
  /** Positions in the instruction's accounts. */
  readonly pool: number;
  readonly source: number;
  readonly destination: number;
  readonly owner: number;
  /** Positions of token A's and token B's programs; absent: SPL Token for both. */
  readonly programs?: readonly [number, number];
  /** Where the instruction itself says which way it swaps (Whirlpool's `a_to_b`). */
  readonly direction?: SwapDirection;
  /** Why the maths here cannot fill it exactly, where they cannot: read, but not priced. */
  readonly unpriced?: string;
}

export type InstructionDecoder = (
  data: Uint8Array,
  accounts: number,
) => InstructionSwap | undefined;

const u64 = (data: Uint8Array, at: number) =>
  new DataView(data.buffer, data.byteOffset, data.byteLength).getBigUint64(at, true);

/**
 * Raydium AMM v4 (raydium-io/raydium-amm `program/src/instruction.rs`): a one-byte tag, then two
 * u64. `SwapBaseIn` 9 and `SwapBaseOut` 11 take 17 accounts, or 18 with the unused target orders
 * after the open orders, the payer's three last; `SwapBaseInV2` 16 and `SwapBaseOutV2` 17 take
 * eight (token program, AmmInfo, authority, coin vault, pc vault, source, destination, owner).
 * The pool is always second.
 */
export const AMM_V4_SWAP_TAGS = { baseIn: 9, baseOut: 11, baseInV2: 16, baseOutV2: 17 } as const;

export const ammV4Swap: InstructionDecoder = (data, accounts) => {
  const tag = data[0];
  if (data.length < 17) return undefined;
  const v2 = tag === AMM_V4_SWAP_TAGS.baseInV2 || tag === AMM_V4_SWAP_TAGS.baseOutV2;
  const v1 = tag === AMM_V4_SWAP_TAGS.baseIn || tag === AMM_V4_SWAP_TAGS.baseOut;
  if (v2 ? accounts < 8 : !v1 || (accounts !== 17 && accounts !== 18)) return undefined;
  const last = v2 ? 7 : accounts - 1;
  const at = { pool: 1, source: last - 2, destination: last - 1, owner: last };
  const first = u64(data, 1);
  const second = u64(data, 9);
  return tag === AMM_V4_SWAP_TAGS.baseIn || tag === AMM_V4_SWAP_TAGS.baseInV2
    ? { mode: 'baseInput', amount: first, limit: second, ...at }
    : { mode: 'baseOutput', amount: second, limit: first, ...at };
};

/**
 * Meteora DLMM (MeteoraAg/dlmm-sdk `idls/dlmm.json`): Anchor discriminators; every swap starts
 * with the accounts lb_pair, bitmap extension, reserve X, reserve Y, user_token_in,
 * user_token_out, X mint, Y mint, oracle, host fee, user, X token program, Y token program.
 * `swap`/`swap2` (amount_in, min_amount_out), `swap_exact_out`/`swap_exact_out2` (max_in_amount,
 * out_amount), `swap_with_price_impact`/`…2` (amount_in, then a price-impact bound instead of a
 * minimum: read as exact-in with no minimum, which is what it is once it lands).
 */
const DLMM_SWAPS: ReadonlyArray<readonly [readonly number[], 'in' | 'out' | 'impact']> = [
  [[248, 198, 158, 145, 225, 117, 135, 200], 'in'],
  [[65, 75, 63, 76, 235, 91, 91, 136], 'in'],
  [[250, 73, 101, 33, 38, 207, 75, 184], 'out'],
  [[43, 215, 247, 132, 137, 60, 243, 81], 'out'],
  [[56, 173, 230, 208, 173, 228, 156, 205], 'impact'],
  [[74, 98, 192, 214, 177, 51, 75, 51], 'impact'],
];

export const dlmmSwap: InstructionDecoder = (data, accounts) => {
  if (data.length < 16 || accounts < 13) return undefined;
  const kind = DLMM_SWAPS.find(([d]) => d.every((b, i) => data[i] === b))?.[1];
  if (kind === undefined || (kind !== 'impact' && data.length < 24)) return undefined;
  const at = { pool: 0, source: 4, destination: 5, owner: 10, programs: [11, 12] as const };
  if (kind === 'impact') return { mode: 'baseInput', amount: u64(data, 8), limit: 0n, ...at };
  const first = u64(data, 8);
  const second = u64(data, 16);
  return kind === 'in'
    ? { mode: 'baseInput', amount: first, limit: second, ...at }
    : { mode: 'baseOutput', amount: second, limit: first, ...at };
};

/**
 * Orca Whirlpools (`@orca-so/whirlpools-client`'s generated `swap` and `swap_v2`): amount,
 * other_amount_threshold (u64), sqrt_price_limit (u128), amount_specified_is_input, a_to_b
 * (bool). `swap`: token program, authority, whirlpool, owner A, vault A, owner B, vault B, three
 * tick arrays, oracle; `swap_v2`: token programs A and B, memo, authority, whirlpool, mints A and
 * B, owner A, vault A, owner B, vault B, three tick arrays, oracle. A price limit other than none
 * (0) or the bound itself may stop the swap short: read, but not priced.
 */
const WHIRLPOOL_SWAP = [248, 198, 158, 145, 225, 117, 135, 200];
const WHIRLPOOL_SWAP_V2 = [43, 4, 237, 11, 26, 201, 30, 98];
const MIN_SQRT_PRICE = 4_295_048_016n;
const MAX_SQRT_PRICE = 79_226_673_515_401_279_992_447_579_055n;

export const whirlpoolSwap: InstructionDecoder = (data, accounts) => {
  if (data.length < 42) return undefined;
  const v2 = WHIRLPOOL_SWAP_V2.every((b, i) => data[i] === b);
  if (!v2 && !WHIRLPOOL_SWAP.every((b, i) => data[i] === b)) return undefined;
  if (accounts < (v2 ? 15 : 11)) return undefined;
  const amount = u64(data, 8);
  const threshold = u64(data, 16);
  const limit = u64(data, 24) | (u64(data, 32) << 64n);
  const exactIn = data[40] === 1;
  const aToB = data[41] === 1;
  const [authority, ownerA, ownerB] = v2 ? [3, 7, 9] : [1, 3, 5];
  const bound = aToB ? MIN_SQRT_PRICE : MAX_SQRT_PRICE;
  return {
    mode: exactIn ? 'baseInput' : 'baseOutput',
    amount,
    limit: threshold,
    pool: v2 ? 4 : 2,
    source: aToB ? ownerA : ownerB,
    destination: aToB ? ownerB : ownerA,
    owner: authority,
    direction: aToB ? 'aToB' : 'bToA',
    ...(limit === 0n || limit === bound ? {} : { unpriced: 'orca-whirlpool: a price limit' }),
  };
};

/** The decoder of each program whose swaps are read this way. */
export const VENUE_SWAP_DECODERS: ReadonlyMap<Address, InstructionDecoder> = new Map([
  [RAYDIUM_AMM_V4_PROGRAM, ammV4Swap],
  [DLMM_PROGRAM, dlmmSwap],
  [WHIRLPOOL_PROGRAM, whirlpoolSwap],
]);
