import { randomBytes } from 'node:crypto';
import {
  type Address,
  getAddressEncoder,
  getBase58Decoder,
  type Instruction,
  type TransactionSigner,
} from '@solana/kit';
import { SubscribeUpdate, type SubscribeUpdateDeshred } from '@triton-one/yellowstone-grpc';
import type { SwapDirection } from '../../../market/types.js';
import { RAYDIUM_CP_PROGRAM } from '../../raydium-cp-layout.js';
import { swapBaseInputInstruction } from '../../raydium-cp-swap.js';
import type { PoolFixture } from '../../testing/pool-fixtures.js';

/**
 * Someone else's CP-Swap swap as a Geyser transaction update: the real `swap_base_input`
 * instruction (raydium-cp-swap.ts) compiled into a legacy message, either at the top level or
 * as an inner instruction of another program (an aggregator's CPI), with a fresh signature.
 */
export interface StreamedSwap {
  readonly update: SubscribeUpdate;
  readonly signature: string;
}

const enc = getAddressEncoder();
const AGGREGATOR = 'JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4' as Address;

export async function swapUpdate(o: {
  readonly pool: PoolFixture;
  readonly direction: SwapDirection;
  readonly amountIn: bigint;
  readonly minimumAmountOut?: bigint;
  readonly slot: number;
  /** Made by another program through CPI: the swap is only in the meta's inner instructions. */
  readonly viaCpi?: boolean;
}): Promise<StreamedSwap> {
  const trader = randomAddress();
  const ix = await swapBaseInputInstruction({
    payer: { address: trader } as TransactionSigner,
    pool: o.pool.address,
    state: o.pool.state,
    direction: o.direction,
    amountIn: o.amountIn,
    minimumAmountOut: o.minimumAmountOut ?? 1n,
  });
  const keys: Address[] = [trader];
  const index = (a: Address) => {
    let i = keys.indexOf(a);
    if (i < 0) i = keys.push(a) - 1;
    return i;
  };
  const compiled = compile(ix, index);
  const outer = o.viaCpi
    ? { programIdIndex: index(AGGREGATOR), accounts: compiled.accounts, data: new Uint8Array([1]) }
    : compiled;
  const signature = randomBytes(64);
  const update = SubscribeUpdate.fromPartial({
    filters: ['pools'],
    transaction: {
      slot: String(o.slot),
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
            accountKeys: keys.map((k) => new Uint8Array(enc.encode(k))),
            recentBlockhash: new Uint8Array(32),
            instructions: [outer],
            versioned: false,
            addressTableLookups: [],
          },
        },
        meta: {
          fee: '5000',
          innerInstructions: o.viaCpi
            ? [{ index: 0, instructions: [{ ...compiled, stackHeight: 2 }] }]
            : [],
          innerInstructionsNone: false,
          loadedWritableAddresses: [],
          loadedReadonlyAddresses: [],
        },
      },
    },
  });
  return { update, signature: getBase58Decoder().decode(signature) };
}

/**
 * The same transaction as `SubscribeDeshred` sends it, before execution: the signed message and
 * the lookup tables' addresses resolved, and nothing of the meta (no inner instructions).
 */
export function deshredOf(swap: StreamedSwap): Omit<SubscribeUpdateDeshred, 'createdAt'> {
  const t = swap.update.transaction;
  const info = t?.transaction;
  if (t === undefined || info === undefined) throw new Error('deshredOf: not a transaction update');
  return {
    filters: ['pools'],
    deshredTransaction: {
      slot: t.slot,
      transaction: {
        signature: info.signature,
        isVote: false,
        transaction: info.transaction,
        loadedWritableAddresses: info.meta?.loadedWritableAddresses ?? [],
        loadedReadonlyAddresses: info.meta?.loadedReadonlyAddresses ?? [],
        completedDataSetStartingShredIndex: 0,
        completedDataSetEndingShredIndexExclusive: 1,
      },
    },
  };
}

function compile(ix: Instruction, index: (a: Address) => number) {
  return {
    programIdIndex: index(RAYDIUM_CP_PROGRAM),
    accounts: new Uint8Array((ix.accounts ?? []).map((a) => index(a.address))),
    data: new Uint8Array(ix.data ?? []),
  };
}

function randomAddress(): Address {
  return getBase58Decoder().decode(randomBytes(32)) as Address;
}
