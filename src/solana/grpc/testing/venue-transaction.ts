import { randomBytes } from 'node:crypto';
import { type Address, getAddressEncoder, getBase58Decoder, type Instruction } from '@solana/kit';
import { SubscribeUpdate } from '@triton-one/yellowstone-grpc';
import type { CompiledInstruction, StreamedTransaction } from '../swap-decode.js';

/**
 * Instructions built by a venue (its own swap builder) compiled into a streamed transaction as
 * the stream carries it: the fee payer's key first, each instruction at the top level or, with
 * `viaCpi`, inside an aggregator's instruction (the meta's inner instructions), and where given
 * the token balances' mints (a processed transaction's meta).
 */
const enc = getAddressEncoder();
const AGGREGATOR = 'JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4' as Address;

export function streamedOf(
  feePayer: Address,
  instructions: readonly Instruction[],
  options: {
    readonly viaCpi?: boolean;
    /** Token account → mint, as a processed transaction's token balances name them. */
    readonly mints?: ReadonlyMap<Address, Address>;
    /** No meta: a deshred transaction. */
    readonly deshred?: boolean;
  } = {},
): StreamedTransaction {
  const keys: Address[] = [feePayer];
  const index = (a: Address) => {
    let i = keys.indexOf(a);
    if (i < 0) i = keys.push(a) - 1;
    return i;
  };
  const compiled: CompiledInstruction[] = instructions.map((ix) => ({
    programIdIndex: index(ix.programAddress),
    accounts: new Uint8Array((ix.accounts ?? []).map((a) => index(a.address))),
    data: new Uint8Array(ix.data ?? []),
  }));
  const top = options.viaCpi
    ? [{ programIdIndex: index(AGGREGATOR), accounts: new Uint8Array(), data: new Uint8Array([1]) }]
    : compiled;
  const tokenMints = new Map<number, string>();
  for (const [account, mint] of options.mints ?? []) tokenMints.set(index(account), mint);
  return {
    accountKeys: keys.map((k) => new Uint8Array(enc.encode(k))),
    loadedWritable: [],
    loadedReadonly: [],
    instructions: top,
    ...(options.deshred
      ? {}
      : {
          inner: options.viaCpi ? [{ index: 0, instructions: compiled }] : [],
          tokenMints,
        }),
  };
}

/** `streamedOf`'s transaction as a processed Geyser transaction update, with a fresh signature. */
export function processedUpdate(
  tx: StreamedTransaction,
  slot: number,
): { update: SubscribeUpdate; signature: string } {
  const signature = randomBytes(64);
  const balances = [...(tx.tokenMints ?? [])].map(([accountIndex, mint]) => ({
    accountIndex,
    mint,
    owner: '',
    programId: '',
    uiTokenAmount: undefined,
  }));
  const update = SubscribeUpdate.fromPartial({
    filters: ['pools'],
    transaction: {
      slot: String(slot),
      transaction: {
        signature,
        isVote: false,
        index: '0',
        transaction: {
          signatures: [signature],
          message: {
            header: {
              numRequiredSignatures: 1,
              numReadonlySignedAccounts: 0,
              numReadonlyUnsignedAccounts: 0,
            },
            accountKeys: [...tx.accountKeys],
            recentBlockhash: new Uint8Array(32),
            instructions: [...tx.instructions],
            versioned: false,
            addressTableLookups: [],
          },
        },
        meta: {
          fee: '5000',
          innerInstructions: (tx.inner ?? []).map((g) => ({
            index: g.index,
            instructions: g.instructions.map((i) => ({ ...i, stackHeight: 2 })),
          })),
          innerInstructionsNone: false,
          preTokenBalances: balances,
          postTokenBalances: balances,
          loadedWritableAddresses: [],
          loadedReadonlyAddresses: [],
        },
      },
    },
  });
  return { update, signature: getBase58Decoder().decode(signature) };
}
