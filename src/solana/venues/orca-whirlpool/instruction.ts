import {
  AccountRole,
  type Address,
  getBooleanEncoder,
  getStructEncoder,
  getU8Encoder,
  getU64Encoder,
  getU128Encoder,
  type Instruction,
} from '@solana/kit';
import { associatedTokenAccount } from '../../raydium-cp-swap.js';
import type { SwapInstructionInput } from '../venue.js';
import { oracleAddress, tickArrayAddress } from './accounts.js';
import { WHIRLPOOL_PROGRAM } from './layout.js';
import type { WhirlpoolState } from './state.js';
import { MAX_SQRT_PRICE_X64, MIN_SQRT_PRICE_X64 } from './tick-math.js';
import { swapStartTickIndexes } from './tick-sequence.js';

/**
 * `swap_v2` of the Whirlpool program (orca-so/whirlpools `instructions/v2/swap.rs`): Anchor's
 * sha256("global:swap_v2")[..8], then `amount: u64`, `other_amount_threshold: u64`,
 * `sqrt_price_limit: u128`, `amount_specified_is_input: bool`, `a_to_b: bool` and
 * `remaining_accounts_info: Option<RemainingAccountsInfo>` (None: one 0 byte: no transfer hook, no
 * supplemental tick arrays). Exact in, with the price limit at the program's bound for the
 * direction. Accounts in `SwapV2`'s order: token programs A and B (each mint's owner), the memo
 * program, the payer (signer), the pool, both mints, the payer's A account, vault A, the payer's
 * B account, vault B, three tick arrays (from the current tick in the swap's direction, as
 * sparse_swap.rs rebuilds them; near the price range's ends, where fewer exist, the last repeats:
 * the program de-duplicates), and the oracle PDA (read only when initialised, but always passed).
 */
export const SWAP_V2_DISCRIMINATOR = Uint8Array.of(43, 4, 237, 11, 26, 201, 30, 98);
export const MEMO_PROGRAM = 'MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr' as Address;

const data = getStructEncoder([
  ['amount', getU64Encoder()],
  ['otherAmountThreshold', getU64Encoder()],
  ['sqrtPriceLimit', getU128Encoder()],
  ['amountSpecifiedIsInput', getBooleanEncoder()],
  ['aToB', getBooleanEncoder()],
  ['remainingAccountsInfo', getU8Encoder()],
]);

/** The three tick arrays swap_v2 is given for a swap from the pool's current tick. */
export function swapTickArrays(pool: Address, state: WhirlpoolState, aToB: boolean): Address[] {
  const w = state.pool.whirlpool;
  const starts = swapStartTickIndexes(w.tickCurrentIndex, w.tickSpacing, aToB);
  const addresses = starts.map((s) => tickArrayAddress(pool, s));
  while (addresses.length < 3) addresses.push(addresses[addresses.length - 1] as Address);
  return addresses;
}

export async function swapV2Instruction(
  input: SwapInstructionInput<WhirlpoolState>,
): Promise<Instruction> {
  const { state, pool, payer } = input;
  const w = state.pool.whirlpool;
  const aToB = input.direction === 'aToB';
  const [programA, programB] = [state.mintA.program, state.mintB.program];
  const [arrayA, arrayB, arrayC] = swapTickArrays(pool, state, aToB) as [Address, Address, Address];
  const owner = payer.address;
  const writable = (address: Address) => ({ address, role: AccountRole.WRITABLE });
  const readonly = (address: Address) => ({ address, role: AccountRole.READONLY });
  const body = data.encode({
    amount: input.amountIn,
    otherAmountThreshold: input.minimumAmountOut,
    sqrtPriceLimit: aToB ? MIN_SQRT_PRICE_X64 : MAX_SQRT_PRICE_X64,
    amountSpecifiedIsInput: true,
    aToB,
    remainingAccountsInfo: 0,
  });
  const bytes = new Uint8Array(8 + body.length);
  bytes.set(SWAP_V2_DISCRIMINATOR);
  bytes.set(body, 8);
  return {
    programAddress: WHIRLPOOL_PROGRAM,
    accounts: [
      readonly(programA),
      readonly(programB),
      readonly(MEMO_PROGRAM),
      { address: owner, role: AccountRole.READONLY_SIGNER },
      writable(pool),
      readonly(w.tokenMintA),
      readonly(w.tokenMintB),
      writable(await associatedTokenAccount(owner, w.tokenMintA, programA)),
      writable(w.tokenVaultA),
      writable(await associatedTokenAccount(owner, w.tokenMintB, programB)),
      writable(w.tokenVaultB),
      writable(arrayA),
      writable(arrayB),
      writable(arrayC),
      writable(oracleAddress(pool)),
    ],
    data: bytes,
  };
}
