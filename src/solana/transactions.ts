import {
  type Address,
  type AddressesByLookupTableAddress,
  appendTransactionMessageInstructions,
  type Base64EncodedWireTransaction,
  type Blockhash,
  compressTransactionMessageUsingAddressLookupTables,
  createTransactionMessage,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  getTransactionSize,
  type Instruction,
  isSignerRole,
  lamports,
  pipe,
  type Signature,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  type TransactionSigner,
} from '@solana/kit';
import {
  getSetComputeUnitLimitInstruction,
  getSetComputeUnitPriceInstruction,
} from '@solana-program/compute-budget';
import { getTransferSolInstruction } from '@solana-program/system';
import { LandfallError } from '../errors.js';

/**
 * Landfall's transactions: versioned (v0), signed by the payer, compute budget first. A
 * submission is one transaction — compute budget, one `swap_base_input` per leg and, on the Jito
 * route, the tip transfer as the last instruction — so the tip is paid only when every leg ran.
 * One that does not fit a packet is compiled against the wallet's lookup table. Fees follow the
 * runtime's rule: 5 000 lamports per signature plus ceil(unit limit × unit price / 10⁶).
 */

export const LAMPORTS_PER_SIGNATURE = 5_000n;
/** The runtime's per-transaction maximum: the limit a sizing simulation runs under. */
export const MAX_COMPUTE_UNITS = 1_400_000;
/** A transaction must fit one packet: 1280 − 48 bytes of IPv6 and fragment headers. */
export const MAX_TRANSACTION_BYTES = 1_232;

export interface Lifetime {
  readonly blockhash: Blockhash;
  readonly lastValidBlockHeight: bigint;
}

export interface SignedTransaction {
  readonly signature: Signature;
  readonly base64: Base64EncodedWireTransaction;
  /** The signed transaction object (for litesvm and tests). */
  readonly transaction: Awaited<ReturnType<typeof signTransactionMessageWithSigners>>;
  readonly computeUnitLimit: number;
  readonly microLamportsPerUnit: bigint;
  /** Signatures the runtime charges for: every signer of the compiled message. */
  readonly signatures: number;
  /** Wire size, bytes. */
  readonly bytes: number;
  /** The lookup table it was compiled against, or null when every account is static. */
  readonly lookupTable: Address | null;
  readonly feeLamports: bigint;
}

export function transactionFee(
  signatures: number,
  unitLimit: number,
  microLamports: bigint,
): bigint {
  const priority = (BigInt(unitLimit) * microLamports + 999_999n) / 1_000_000n;
  return LAMPORTS_PER_SIGNATURE * BigInt(signatures) + priority;
}

/** Distinct signers of a transaction paid by `payer` carrying `instructions`. */
export function signerCount(payer: Address, instructions: readonly Instruction[]): number {
  const signers = new Set<string>([payer]);
  for (const ix of instructions)
    for (const a of ix.accounts ?? []) if (isSignerRole(a.role)) signers.add(a.address);
  return signers.size;
}

/**
 * Compute budget first, as the runtime reads it, then `instructions`; signed by `payer`. Over
 * the packet limit it is compiled again against `lookupTables` (every non-signer account they
 * hold becomes a 1-byte index); still over, or with no table to use, it throws
 * LF_MARKET_CONDITION: the market trade is fine, this transaction cannot carry it.
 */
export async function signV0(
  payer: TransactionSigner,
  lifetime: Lifetime,
  unitLimit: number,
  microLamports: bigint,
  instructions: readonly Instruction[],
  lookupTables?: AddressesByLookupTableAddress,
): Promise<SignedTransaction> {
  const budget = [
    getSetComputeUnitLimitInstruction({ units: unitLimit }),
    ...(microLamports > 0n ? [getSetComputeUnitPriceInstruction({ microLamports })] : []),
  ];
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(payer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(lifetime, m),
    (m) => appendTransactionMessageInstructions([...budget, ...instructions], m),
  );
  let transaction = await signTransactionMessageWithSigners(message);
  let size = getTransactionSize(transaction);
  const staticSize = size;
  let table: Address | null = null;
  const tables = lookupTables === undefined ? [] : Object.keys(lookupTables);
  if (size > MAX_TRANSACTION_BYTES && lookupTables !== undefined && tables.length > 0) {
    transaction = await signTransactionMessageWithSigners(
      compressTransactionMessageUsingAddressLookupTables(message, lookupTables),
    );
    size = getTransactionSize(transaction);
    table = tables[0] as Address;
  }
  if (size > MAX_TRANSACTION_BYTES) {
    const how =
      table === null
        ? 'and no lookup table is loaded (run the wallet setup and set live.lookupTable)'
        : `even through lookup table ${table} (${staticSize} bytes without it)`;
    throw new LandfallError(
      'LF_MARKET_CONDITION',
      `transaction of ${instructions.length} instructions is ${size} bytes, over the ${MAX_TRANSACTION_BYTES}-byte packet limit ${how}: use fewer legs`,
    );
  }
  const signatures = Object.keys(transaction.signatures).length;
  return {
    signature: getSignatureFromTransaction(transaction),
    base64: getBase64EncodedWireTransaction(transaction),
    transaction,
    computeUnitLimit: unitLimit,
    microLamportsPerUnit: microLamports,
    signatures,
    bytes: size,
    lookupTable: table,
    feeLamports: transactionFee(signatures, unitLimit, microLamports),
  };
}

/** A bundle's tip: `tipLamports` from the payer to a Jito tip account, a plain SOL transfer. */
export function tipInstruction(
  payer: TransactionSigner,
  tipAccount: Address,
  tipLamports: bigint,
): Instruction {
  return getTransferSolInstruction({
    source: payer,
    destination: tipAccount,
    amount: lamports(tipLamports),
  });
}

/** CU limit from a simulation: consumed × (1 + margin), rounded up, within the runtime's bounds. */
export function sizedUnitLimit(unitsConsumed: number, margin: number): number {
  return Math.min(MAX_COMPUTE_UNITS, Math.max(1, Math.ceil(unitsConsumed * (1 + margin))));
}
