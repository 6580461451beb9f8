import {
  type Address,
  getBase58Decoder,
  getCompiledTransactionMessageDecoder,
  getTransactionDecoder,
} from '@solana/kit';

/**
 * Reads a wire transaction the way a validator's front door does, for the local test cluster:
 * signatures, accounts, the compute-budget instructions, the fee they imply and the compute a
 * run would take. Independent of Landfall's builder, so tests compare two computations.
 */
export const COMPUTE_BUDGET_PROGRAM = 'ComputeBudget111111111111111111111111111111';
export const SYSTEM_PROGRAM = '11111111111111111111111111111111';
/** CU a builtin instruction (compute budget, system) costs. */
export const BUILTIN_UNITS = 150;
/** CU the local cluster charges for one Raydium CP-Swap swap (mainnet swaps take ~30–60k). */
export const SWAP_UNITS = 42_000;

export interface DecodedInstruction {
  readonly program: Address;
  readonly accounts: Address[];
  readonly data: Uint8Array;
}

export interface DecodedTransaction {
  readonly signature: string;
  readonly signatures: number;
  readonly feePayer: Address;
  readonly instructions: DecodedInstruction[];
  readonly unitLimit: number | undefined;
  readonly microLamports: bigint;
  readonly blockhash: string;
}

const b58 = getBase58Decoder();

export function decodeWire(base64: string): DecodedTransaction {
  const tx = getTransactionDecoder().decode(Buffer.from(base64, 'base64'));
  const message = getCompiledTransactionMessageDecoder().decode(tx.messageBytes) as unknown as {
    staticAccounts: Address[];
    lifetimeToken: string;
    instructions: Array<{
      programAddressIndex: number;
      accountIndices?: number[];
      data?: Uint8Array;
    }>;
  };
  const keys = message.staticAccounts;
  const instructions = message.instructions.map((ix) => ({
    program: keys[ix.programAddressIndex] as Address,
    accounts: (ix.accountIndices ?? []).map((i) => keys[i] as Address),
    data: ix.data ?? new Uint8Array(),
  }));
  let unitLimit: number | undefined;
  let microLamports = 0n;
  for (const ix of instructions) {
    if (ix.program !== COMPUTE_BUDGET_PROGRAM) continue;
    const view = new DataView(ix.data.buffer, ix.data.byteOffset, ix.data.byteLength);
    if (ix.data[0] === 2) unitLimit = view.getUint32(1, true);
    if (ix.data[0] === 3) microLamports = view.getBigUint64(1, true);
  }
  const sigs = Object.values(tx.signatures) as Array<Uint8Array | null>;
  const first = sigs[0];
  return {
    signature: first === null || first === undefined ? '' : b58.decode(first),
    signatures: sigs.length,
    feePayer: keys[0] as Address,
    instructions,
    unitLimit,
    microLamports,
    blockhash: message.lifetimeToken,
  };
}

/** The runtime's fee: 5 000 per signature + ceil(limit × price / 10⁶); 200k CU per instruction by default. */
export function feeOf(tx: DecodedTransaction): bigint {
  const limit = BigInt(
    tx.unitLimit ??
      200_000 * tx.instructions.filter((i) => i.program !== COMPUTE_BUDGET_PROGRAM).length,
  );
  return 5_000n * BigInt(tx.signatures) + (limit * tx.microLamports + 999_999n) / 1_000_000n;
}

/** Compute the local cluster charges: builtins at 150 CU, a swap at SWAP_UNITS, others 10k. */
export function unitsOf(tx: DecodedTransaction, swapProgram: string): number {
  return tx.instructions.reduce((sum, ix) => {
    if (ix.program === COMPUTE_BUDGET_PROGRAM || ix.program === SYSTEM_PROGRAM)
      return sum + BUILTIN_UNITS;
    return sum + (ix.program === swapProgram ? SWAP_UNITS : 10_000);
  }, 0);
}
