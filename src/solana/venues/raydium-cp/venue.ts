import type { Address } from '@solana/kit';
import {
  decodeAmmConfig,
  decodePoolState,
  RAYDIUM_CP_PROGRAM,
  tokenAccountAmount,
} from '../../raydium-cp-layout.js';
import {
  afterSwap,
  type RaydiumCpPool,
  type SwapQuote,
  snapshotOf,
  swapBaseInput,
  swapsEnabled,
  VENUE,
} from '../../raydium-cp-pool.js';
import { EXCEEDED_SLIPPAGE_ERROR, swapBaseInputInstruction } from '../../raydium-cp-swap.js';
import { decodeMint } from '../../token-2022.js';
import { requireAccount } from '../accounts.js';
import type { LiveVenue } from '../venue.js';

/** A CP-Swap quote in the venue's terms: `fee` is what the pool charges in the input token. */
export type CpSwapQuote = SwapQuote & { readonly fee: bigint };

/**
 * Raydium CP-Swap behind the venue interface, by calling the existing modules
 * (raydium-cp-layout/-pool/-swap.ts, which the live path uses directly): PoolState, its
 * AmmConfig, both vaults and both mints (a Token-2022 mint may charge a transfer fee).
 */
export const raydiumCp: LiveVenue<RaydiumCpPool, CpSwapQuote> = {
  name: VENUE,
  programAddress: RAYDIUM_CP_PROGRAM,
  watchedAccounts(pool: Address, poolData: Uint8Array) {
    const s = decodePoolState(poolData, `pool ${pool}`);
    return [pool, s.ammConfig, s.token0Vault, s.token1Vault, s.token0Mint, s.token1Mint];
  },
  decode(pool, read, context) {
    const where = `pool ${pool}`;
    const state = decodePoolState(requireAccount(read, pool, 'PoolState', pool), where);
    const get = (address: Address, role: string) => requireAccount(read, address, role, pool);
    return {
      address: pool,
      state,
      config: decodeAmmConfig(get(state.ammConfig, 'AmmConfig'), where),
      vault0Amount: tokenAccountAmount(get(state.token0Vault, 'token 0 vault'), where),
      vault1Amount: tokenAccountAmount(get(state.token1Vault, 'token 1 vault'), where),
      mints: [
        decodeMint(get(state.token0Mint, 'token 0 mint'), state.token0Program, where),
        decodeMint(get(state.token1Mint, 'token 1 mint'), state.token1Program, where),
      ],
      epoch: context.epoch,
    };
  },
  quote(state, direction, amountIn, context) {
    // swap_base_input.rs checks the swap status bit and the open time before anything else.
    if (!swapsEnabled(state, Number(context.unixTimestamp))) {
      return { ok: false, refusal: 'NotApproved' };
    }
    const q = swapBaseInput({ ...state, epoch: context.epoch }, direction, amountIn);
    if (!q.ok) return q;
    return { ...q, fee: q.tradeFee + (q.creatorFeeOnInput ? q.creatorFee : 0n) };
  },
  apply: (state, quote, context) => afterSwap({ ...state, epoch: context.epoch }, quote),
  swapInstruction: (input) => swapBaseInputInstruction({ ...input, state: input.state.state }),
  snapshot: (_pool, state) => snapshotOf(state),
  exceededSlippageError: EXCEEDED_SLIPPAGE_ERROR,
};
