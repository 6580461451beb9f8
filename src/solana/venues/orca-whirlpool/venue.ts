import type { Address } from '@solana/kit';
import { LandfallError } from '../../../errors.js';
import { decodeMint, MINT_SIZE, TOKEN_2022_PROGRAM, TOKEN_PROGRAM } from '../../token-2022.js';
import { requireAccount } from '../accounts.js';
import type { AccountReader, LiveVenue, VenueSnapshot } from '../venue.js';
import { oracleAddress, tickArrayAddress, watchedStartTickIndexes } from './accounts.js';
import { swapV2Instruction } from './instruction.js';
import {
  decodeOracle,
  decodeTickArray,
  decodeWhirlpool,
  type TickArray,
  WHIRLPOOL_PROGRAM,
} from './layout.js';
import {
  applyWhirlpool,
  quoteWhirlpool,
  type WhirlpoolQuote,
  type WhirlpoolState,
} from './state.js';
import { isAdaptiveFeePool } from './swap.js';

/**
 * Orca Whirlpools (concentrated liquidity) behind the venue interface: the Whirlpool account, the
 * tick arrays a swap either way from the current tick walks (up to six), the Oracle of an
 * adaptive-fee pool, and both mints; traded through `swap_v2`. A PDA with no account must be read
 * as empty bytes (not left unread): the program reads such an array as all-zero ticks, and an
 * adaptive-tier pool without an oracle at its static fee.
 *
 * An account reader returns bytes without the owner, so a mint's token program is told from its
 * size: Token-2022 mints with any extension are longer than SPL Token's 82 bytes. A Token-2022
 * mint with no extension at all also has 82 bytes and is taken for SPL Token; the swap then names
 * the wrong token program and fails its `address` constraint, spending nothing but the fee.
 */

function mintOf(read: AccountReader, address: Address, role: string, pool: Address) {
  const data = requireAccount(read, address, role, pool);
  const owner = data.length === MINT_SIZE ? TOKEN_PROGRAM : TOKEN_2022_PROGRAM;
  return decodeMint(data, owner, `${role} of pool ${pool}`);
}

function tickArrayOf(read: AccountReader, pool: Address, start: number): TickArray | null {
  const address = tickArrayAddress(pool, start);
  const data = requireAccount(read, address, `tick array ${start}`, pool);
  if (data.length === 0) return null;
  const where = `tick array ${start} (${address}) of pool ${pool}`;
  const t = decodeTickArray(data, where);
  // load_tick_array refuses another pool's array; the PDA makes another start index impossible.
  if (t.whirlpool !== pool || t.startTickIndex !== start) {
    throw new LandfallError(
      'LF_SOLANA_ACCOUNT_DECODE',
      `${where}: holds pool ${t.whirlpool} start ${t.startTickIndex}`,
    );
  }
  return t;
}

/** `ErrorCode::AmountOutBelowMinimum` (errors.rs): Anchor's 6000 + its index. */
export const AMOUNT_OUT_BELOW_MINIMUM_ERROR = 6036;

/**
 * Mints in the pool's order, the virtual reserves of the liquidity in range at the current price
 * (L / √P and L · √P; both 0 where nothing is in range) and the static fee rounded up to whole
 * basis points. Informational: every amount that decides money comes from `quote`.
 */
export function whirlpoolSnapshot(pool: Address, state: WhirlpoolState): VenueSnapshot {
  const w = state.pool.whirlpool;
  return {
    id: pool,
    venue: 'orca-whirlpool',
    mintA: w.tokenMintA,
    mintB: w.tokenMintB,
    reserveA: (w.liquidity << 64n) / w.sqrtPrice,
    reserveB: (w.liquidity * w.sqrtPrice) >> 64n,
    feeBps: Math.ceil(w.feeRate / 100),
  };
}

export const orcaWhirlpool: LiveVenue<WhirlpoolState, WhirlpoolQuote> = {
  name: 'orca-whirlpool',
  programAddress: WHIRLPOOL_PROGRAM,
  watchedAccounts(pool: Address, poolData: Uint8Array) {
    const w = decodeWhirlpool(poolData, `pool ${pool}`);
    const arrays = watchedStartTickIndexes(w).map((s) => tickArrayAddress(pool, s));
    const oracle = isAdaptiveFeePool(w) ? [oracleAddress(pool)] : [];
    return [pool, ...arrays, ...oracle, w.tokenMintA, w.tokenMintB];
  },
  decode(pool, read) {
    const whirlpool = decodeWhirlpool(
      requireAccount(read, pool, 'Whirlpool', pool),
      `pool ${pool}`,
    );
    const tickArrays = new Map(
      watchedStartTickIndexes(whirlpool).map((s) => [s, tickArrayOf(read, pool, s)] as const),
    );
    let oracle = null;
    if (isAdaptiveFeePool(whirlpool)) {
      const address = oracleAddress(pool);
      const data = requireAccount(read, address, 'Oracle', pool);
      // An adaptive-tier pool whose oracle was never created swaps at its static rate, as the
      // program's OracleAccessor treats an uninitialised oracle.
      if (data.length > 0) oracle = decodeOracle(data, `oracle ${address} of pool ${pool}`);
    }
    return {
      pool: { address: pool, whirlpool, tickArrays, oracle },
      mintA: mintOf(read, whirlpool.tokenMintA, 'token A mint', pool),
      mintB: mintOf(read, whirlpool.tokenMintB, 'token B mint', pool),
    };
  },
  quote: (state, direction, amountIn, context) =>
    quoteWhirlpool(state, direction, amountIn, context.unixTimestamp, context.epoch),
  apply: (state, quote) => applyWhirlpool(state, quote),
  swapInstruction: swapV2Instruction,
  snapshot: whirlpoolSnapshot,
  exceededSlippageError: AMOUNT_OUT_BELOW_MINIMUM_ERROR,
};
