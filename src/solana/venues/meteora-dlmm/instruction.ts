import {
  AccountRole,
  type Address,
  getStructEncoder,
  getU64Encoder,
  type Instruction,
} from '@solana/kit';
import { associatedTokenAccount } from '../../raydium-cp-swap.js';
import { TOKEN_2022_PROGRAM, TOKEN_PROGRAM } from '../../token-2022.js';
import type { SwapInstructionInput } from '../venue.js';
import { binArraysForSwap } from './bitmap.js';
import { DLMM_PROGRAM, type LbPair, TokenProgramFlag } from './layout.js';
import { binArrayAddress, bitmapExtensionAddress, EVENT_AUTHORITY } from './pda.js';
import { type DlmmPool, quoteExactIn } from './swap.js';

/**
 * lb_clmm's `swap2` (IDL `idls/dlmm.json`), the instruction Meteora's SDK builds for a swap
 * (`DLMM.swap` calls `program.methods.swap2`): unlike `swap` it takes each mint's own token
 * program (Token-2022 pairs), the memo program, and a `RemainingAccountsInfo` naming the
 * transfer-hook accounts. Data: discriminator, `amount_in: u64`, `min_amount_out: u64`, then the
 * info as Borsh — a vec of two slices (TransferHookX, TransferHookY), each of length 0 here, as no
 * mint Landfall trades has a hook. Accounts in the IDL's order; an absent optional account (the
 * bitmap extension, the host fee account) is the program's own address, as Anchor reads it; then
 * the bin arrays the swap crosses, in the order it crosses them, writable.
 */

export const SWAP2_DISCRIMINATOR = [65, 75, 63, 76, 235, 91, 91, 136] as const;
export const MEMO_PROGRAM = 'MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr' as Address;
/** `AccountsType` variants of the two slices `DLMM.swap` always sends. */
const TRANSFER_HOOK_X = 0;
const TRANSFER_HOOK_Y = 1;
/** Bin arrays passed when the swap cannot be quoted here (the program will refuse it anyway). */
const FALLBACK_ARRAYS = 3;

const data = getStructEncoder([
  ['amountIn', getU64Encoder()],
  ['minAmountOut', getU64Encoder()],
]);

export function tokenProgramOf(flag: number): Address {
  return flag === TokenProgramFlag.TokenProgram2022 ? TOKEN_2022_PROGRAM : TOKEN_PROGRAM;
}

/** The bin arrays `swap` crosses for this input, nearest first. */
export function swapBinArrays(pool: DlmmPool, swapForY: boolean, amountIn: bigint): number[] {
  const q = quoteExactIn(pool, swapForY ? 'aToB' : 'bToA', amountIn, {
    unixTimestamp: pool.pair.vParameters.lastUpdateTimestamp,
    epoch: 0n,
    slot: (1n << 63n) - 1n,
  });
  if (q.ok) return [...q.binArrays];
  return binArraysForSwap(
    pool.pair,
    pool.bitmapExtension,
    pool.pair.activeId,
    swapForY,
    FALLBACK_ARRAYS,
  );
}

export function swap2Data(amountIn: bigint, minAmountOut: bigint): Uint8Array {
  const out = new Uint8Array(32);
  out.set(SWAP2_DISCRIMINATOR, 0);
  out.set(data.encode({ amountIn, minAmountOut }), 8);
  // RemainingAccountsInfo { slices: vec![TransferHookX 0, TransferHookY 0] }: u32 length, then
  // (variant u8, length u8) pairs.
  out.set([2, 0, 0, 0, TRANSFER_HOOK_X, 0, TRANSFER_HOOK_Y, 0], 24);
  return out;
}

export async function swap2Instruction(
  input: SwapInstructionInput<DlmmPool>,
): Promise<Instruction> {
  const pair: LbPair = input.state.pair;
  const swapForY = input.direction === 'aToB';
  const xProgram = tokenProgramOf(pair.tokenMintXProgramFlag);
  const yProgram = tokenProgramOf(pair.tokenMintYProgramFlag);
  const owner = input.payer.address;
  const [inMint, inProgram, outMint, outProgram] = swapForY
    ? [pair.tokenXMint, xProgram, pair.tokenYMint, yProgram]
    : [pair.tokenYMint, yProgram, pair.tokenXMint, xProgram];
  const arrays = swapBinArrays(input.state, swapForY, input.amountIn);
  const absent = { address: DLMM_PROGRAM, role: AccountRole.READONLY };
  return {
    programAddress: DLMM_PROGRAM,
    accounts: [
      { address: input.pool, role: AccountRole.WRITABLE },
      input.state.bitmapExtension === undefined
        ? absent
        : { address: bitmapExtensionAddress(input.pool), role: AccountRole.WRITABLE },
      { address: pair.reserveX, role: AccountRole.WRITABLE },
      { address: pair.reserveY, role: AccountRole.WRITABLE },
      {
        address: await associatedTokenAccount(owner, inMint, inProgram),
        role: AccountRole.WRITABLE,
      },
      {
        address: await associatedTokenAccount(owner, outMint, outProgram),
        role: AccountRole.WRITABLE,
      },
      { address: pair.tokenXMint, role: AccountRole.READONLY },
      { address: pair.tokenYMint, role: AccountRole.READONLY },
      { address: pair.oracle, role: AccountRole.WRITABLE },
      absent,
      { address: owner, role: AccountRole.READONLY_SIGNER },
      { address: xProgram, role: AccountRole.READONLY },
      { address: yProgram, role: AccountRole.READONLY },
      { address: MEMO_PROGRAM, role: AccountRole.READONLY },
      { address: EVENT_AUTHORITY, role: AccountRole.READONLY },
      { address: DLMM_PROGRAM, role: AccountRole.READONLY },
      ...arrays.map((i) => ({
        address: binArrayAddress(input.pool, i),
        role: AccountRole.WRITABLE,
      })),
    ],
    data: swap2Data(input.amountIn, input.minimumAmountOut),
  };
}
