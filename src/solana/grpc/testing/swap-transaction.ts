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
  return swapsUpdate({ swaps: [o], slot: o.slot, ...(o.viaCpi ? { viaCpi: true } : {}) });
}

/**
 * Several CP-Swap swaps in one transaction (a searcher's cycle), signed and paid by `feePayer`
 * (a fresh key by default); `failed`: the transaction landed but failed (its meta has an error).
 */
export async function swapsUpdate(o: {
  readonly swaps: ReadonlyArray<{
    readonly pool: PoolFixture;
    readonly direction: SwapDirection;
    readonly amountIn: bigint;
    readonly minimumAmountOut?: bigint;
  }>;
  readonly slot: number;
  readonly feePayer?: Address;
  readonly viaCpi?: boolean;
  readonly failed?: boolean;
}): Promise<StreamedSwap> {
  const trader = o.feePayer ?? randomAddress();
  const keys: Address[] = [trader];
  const index = (a: Address) => {
    let i = keys.indexOf(a);
    if (i < 0) i = keys.push(a) - 1;
    return i;
  };
  const compiled = [];
  for (const swap of o.swaps) {
    const ix = await swapBaseInputInstruction({
      payer: { address: trader } as TransactionSigner,
      pool: swap.pool.address,
      state: swap.pool.state,
      direction: swap.direction,
      amountIn: swap.amountIn,
      minimumAmountOut: swap.minimumAmountOut ?? 1n,
    });
    compiled.push(compile(ix, index));
  }
  const outer = o.viaCpi
    ? [{ programIdIndex: index(AGGREGATOR), accounts: new Uint8Array(), data: new Uint8Array([1]) }]
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
            instructions: outer,
            versioned: false,
            addressTableLookups: [],
          },
        },
        meta: {
          // InstructionError(0, Custom(6005)), bincode: any bytes mark the failure.
          ...(o.failed
            ? { err: { err: new Uint8Array([8, 0, 0, 0, 0, 25, 0, 0, 0, 117, 23, 0, 0]) } }
            : {}),
          fee: '5000',
          innerInstructions: o.viaCpi
            ? [{ index: 0, instructions: compiled.map((c) => ({ ...c, stackHeight: 2 })) }]
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
