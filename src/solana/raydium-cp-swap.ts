import {
  AccountRole,
  type Address,
  getAddressEncoder,
  getProgramDerivedAddress,
  getStructEncoder,
  getU64Encoder,
  type Instruction,
  type TransactionSigner,
} from '@solana/kit';
import type { SwapDirection } from '../market/types.js';
import { anchorDiscriminator, type PoolState, RAYDIUM_CP_PROGRAM } from './raydium-cp-layout.js';

/**
 * The CP-Swap `swap_base_input` instruction (programs/cp-swap/src/instructions/swap_base_input.rs):
 * discriminator sha256("global:swap_base_input")[0..8], then `amount_in: u64` and
 * `minimum_amount_out: u64`, over the accounts of its `Swap` context in declaration order.
 */
export const SWAP_BASE_INPUT_DISCRIMINATOR = anchorDiscriminator('global', 'swap_base_input');
export const ASSOCIATED_TOKEN_PROGRAM = 'ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL' as Address;
/** The program's custom error `ExceededSlippage` (error.rs, 6000 + its position). */
export const EXCEEDED_SLIPPAGE_ERROR = 6005;

const AUTH_SEED = 'vault_and_lp_mint_auth_seed';
const args = getStructEncoder([
  ['amountIn', getU64Encoder()],
  ['minimumAmountOut', getU64Encoder()],
]);
const addressEncoder = getAddressEncoder();

let authority: Promise<Address> | undefined;

/** The PDA that owns every pool's vaults: seeds ["vault_and_lp_mint_auth_seed"]. */
export function poolAuthority(): Promise<Address> {
  authority ??= getProgramDerivedAddress({
    programAddress: RAYDIUM_CP_PROGRAM,
    seeds: [AUTH_SEED],
  }).then(([pda]) => pda);
  return authority;
}

/** Derived once per (owner, program, mint): a derivation costs hundreds of µs on the hot path. */
const atas = new Map<string, Promise<Address>>();

/** The owner's associated token account for `mint` under `tokenProgram`. */
export function associatedTokenAccount(
  owner: Address,
  mint: Address,
  tokenProgram: Address,
): Promise<Address> {
  const key = `${owner}/${tokenProgram}/${mint}`;
  let ata = atas.get(key);
  if (ata === undefined) {
    ata = getProgramDerivedAddress({
      programAddress: ASSOCIATED_TOKEN_PROGRAM,
      seeds: [
        addressEncoder.encode(owner),
        addressEncoder.encode(tokenProgram),
        addressEncoder.encode(mint),
      ],
    }).then(([pda]) => pda);
    atas.set(key, ata);
  }
  return ata;
}

export interface SwapInstructionInput {
  readonly payer: TransactionSigner;
  readonly pool: Address;
  readonly state: PoolState;
  readonly direction: SwapDirection;
  readonly amountIn: bigint;
  readonly minimumAmountOut: bigint;
}

/** One `swap_base_input`; token accounts are the payer's associated accounts of each mint. */
export async function swapBaseInputInstruction(input: SwapInstructionInput): Promise<Instruction> {
  const s = input.state;
  const aToB = input.direction === 'aToB';
  const [inMint, outMint] = aToB ? [s.token0Mint, s.token1Mint] : [s.token1Mint, s.token0Mint];
  const [inVault, outVault] = aToB
    ? [s.token0Vault, s.token1Vault]
    : [s.token1Vault, s.token0Vault];
  const [inProgram, outProgram] = aToB
    ? [s.token0Program, s.token1Program]
    : [s.token1Program, s.token0Program];
  const owner = input.payer.address;
  const data = new Uint8Array(24);
  data.set(SWAP_BASE_INPUT_DISCRIMINATOR, 0);
  data.set(args.encode({ amountIn: input.amountIn, minimumAmountOut: input.minimumAmountOut }), 8);
  return {
    programAddress: RAYDIUM_CP_PROGRAM,
    accounts: [
      { address: owner, role: AccountRole.READONLY_SIGNER },
      { address: await poolAuthority(), role: AccountRole.READONLY },
      { address: s.ammConfig, role: AccountRole.READONLY },
      { address: input.pool, role: AccountRole.WRITABLE },
      {
        address: await associatedTokenAccount(owner, inMint, inProgram),
        role: AccountRole.WRITABLE,
      },
      {
        address: await associatedTokenAccount(owner, outMint, outProgram),
        role: AccountRole.WRITABLE,
      },
      { address: inVault, role: AccountRole.WRITABLE },
      { address: outVault, role: AccountRole.WRITABLE },
      { address: inProgram, role: AccountRole.READONLY },
      { address: outProgram, role: AccountRole.READONLY },
      { address: inMint, role: AccountRole.READONLY },
      { address: outMint, role: AccountRole.READONLY },
      { address: s.observationKey, role: AccountRole.WRITABLE },
    ],
    data,
  };
}
