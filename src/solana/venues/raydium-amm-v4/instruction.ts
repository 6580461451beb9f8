import {
  AccountRole,
  type Address,
  getProgramDerivedAddress,
  getStructEncoder,
  getU8Encoder,
  getU64Encoder,
  type Instruction,
} from '@solana/kit';
import { LandfallError } from '../../../errors.js';
import { associatedTokenAccount } from '../../raydium-cp-swap.js';
import { TOKEN_PROGRAM } from '../../token-2022.js';
import type { SwapInstructionInput } from '../venue.js';
import { RAYDIUM_AMM_V4_PROGRAM } from './layout.js';
import type { AmmV4Pool } from './math.js';

/**
 * `SwapBaseInV2` of Raydium AMM v4 (raydium-io/raydium-amm `program/src/instruction.rs`): tag 16,
 * then `amount_in: u64` and `minimum_amount_out: u64`, little-endian, over eight accounts and no
 * OpenBook market: token program, AmmInfo, authority, coin vault, pc vault, user source, user
 * destination, user owner (signer).
 */
export const SWAP_BASE_IN_V2_TAG = 16;
/** `AmmError::ExceededSlippage` (error.rs): the custom error a failed minimum returns. */
export const EXCEEDED_SLIPPAGE_ERROR = 30;

const AUTHORITY_SEED = 'amm authority';
const data = getStructEncoder([
  ['tag', getU8Encoder()],
  ['amountIn', getU64Encoder()],
  ['minimumAmountOut', getU64Encoder()],
]);

let authority: Promise<{ address: Address; bump: number }> | undefined;

/**
 * The one authority of every AMM v4 pool's vaults. The program derives it from the pool's
 * `nonce` (`create_program_address(["amm authority", nonce])`) and its initialize instruction
 * only accepts the canonical bump, so the found PDA is it; a pool whose nonce is another bump is
 * not one the program created.
 */
export async function ammAuthority(nonce: bigint): Promise<Address> {
  authority ??= getProgramDerivedAddress({
    programAddress: RAYDIUM_AMM_V4_PROGRAM,
    seeds: [AUTHORITY_SEED],
  }).then(([address, bump]) => ({ address, bump }));
  const found = await authority;
  if (BigInt(found.bump) !== nonce) {
    throw new LandfallError(
      'LF_SOLANA_ACCOUNT_DECODE',
      `Raydium AMM v4 pool nonce ${nonce} is not the authority's bump ${found.bump}`,
    );
  }
  return found.address;
}

/** One `swap_base_in_v2`; the user accounts are the payer's associated token accounts. */
export async function swapBaseInV2Instruction(
  input: SwapInstructionInput<AmmV4Pool>,
): Promise<Instruction> {
  const info = input.state.info;
  const coinToPc = input.direction === 'aToB';
  const [inMint, outMint] = coinToPc
    ? [info.coinVaultMint, info.pcVaultMint]
    : [info.pcVaultMint, info.coinVaultMint];
  const owner = input.payer.address;
  return {
    programAddress: RAYDIUM_AMM_V4_PROGRAM,
    accounts: [
      { address: TOKEN_PROGRAM, role: AccountRole.READONLY },
      { address: input.pool, role: AccountRole.WRITABLE },
      { address: await ammAuthority(info.nonce), role: AccountRole.READONLY },
      { address: info.coinVault, role: AccountRole.WRITABLE },
      { address: info.pcVault, role: AccountRole.WRITABLE },
      {
        address: await associatedTokenAccount(owner, inMint, TOKEN_PROGRAM),
        role: AccountRole.WRITABLE,
      },
      {
        address: await associatedTokenAccount(owner, outMint, TOKEN_PROGRAM),
        role: AccountRole.WRITABLE,
      },
      { address: owner, role: AccountRole.READONLY_SIGNER },
    ],
    data: new Uint8Array(
      data.encode({
        tag: SWAP_BASE_IN_V2_TAG,
        amountIn: input.amountIn,
        minimumAmountOut: input.minimumAmountOut,
      }),
    ),
  };
}
