import { type Address, getAddressEncoder, type TransactionSigner } from '@solana/kit';
import { describe, expect, it } from 'vitest';
import { afterSwap, snapshotOf, swapBaseInput, swapBaseOutput } from '../raydium-cp-pool.js';
import { swapBaseInputInstruction } from '../raydium-cp-swap.js';
import { dislocatedPools, modelOf, type PoolFixture } from '../testing/pool-fixtures.js';
import { PendingStates } from './pending-states.js';
import { pendingSwapEvents } from './pending-swaps.js';
import {
  type CompiledInstruction,
  decodeSwaps,
  type StreamedTransaction,
  SWAP_BASE_OUTPUT_DISCRIMINATOR,
} from './swap-decode.js';

/**
 * Swap decoding from streamed transactions, and the exact pending state it makes: both CP-Swap
 * swap instructions, top-level and inner, on watched pools only, with their limits honoured.
 */
const enc = getAddressEncoder();
const TRADER = '9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin' as Address;

async function message(
  pool: PoolFixture,
  ixData: (base: Uint8Array) => Uint8Array,
  direction: 'aToB' | 'bToA' = 'aToB',
  options: { inner?: boolean; vault?: Address } = {},
): Promise<StreamedTransaction> {
  const ix = await swapBaseInputInstruction({
    payer: { address: TRADER } as TransactionSigner,
    pool: pool.address,
    state: pool.state,
    direction,
    amountIn: 1n,
    minimumAmountOut: 1n,
  });
  const keys: Address[] = [];
  const index = (a: Address) => (keys.includes(a) ? keys.indexOf(a) : keys.push(a) - 1);
  const accounts = (ix.accounts ?? []).map((a, i) =>
    index(i === 6 && options.vault !== undefined ? options.vault : a.address),
  );
  const compiled: CompiledInstruction = {
    programIdIndex: index(ix.programAddress),
    accounts: new Uint8Array(accounts),
    data: ixData(new Uint8Array(ix.data ?? [])),
  };
  const outer: CompiledInstruction = options.inner
    ? { programIdIndex: index(TRADER), accounts: new Uint8Array(), data: new Uint8Array([7]) }
    : compiled;
  return {
    accountKeys: keys.map((k) => new Uint8Array(enc.encode(k))),
    loadedWritable: [],
    loadedReadonly: [],
    instructions: [outer],
    ...(options.inner ? { inner: [{ index: 0, instructions: [compiled] }] } : {}),
  };
}

function args(discriminator: Uint8Array, first: bigint, second: bigint): Uint8Array {
  const data = new Uint8Array(24);
  data.set(discriminator.subarray(0, 8), 0);
  const view = new DataView(data.buffer);
  view.setBigUint64(8, first, true);
  view.setBigUint64(16, second, true);
  return data;
}

describe('swap decoding from the transaction stream', async () => {
  const [pool, other] = await dislocatedPools();
  const stateOf = (id: string) => (id === pool.address ? pool.state : undefined);

  it('reads swap_base_input: pool, direction from the input vault, amount and minimum', async () => {
    const tx = await message(pool, (d) => args(d, 5_000n, 4_000n), 'bToA');
    expect(decodeSwaps(tx, stateOf)).toEqual([
      {
        pool: pool.address,
        direction: 'bToA',
        mode: 'baseInput',
        amount: 5_000n,
        limit: 4_000n,
        inner: false,
      },
    ]);
  });

  it('reads swap_base_output (max_amount_in, amount_out), and a swap made through CPI', async () => {
    const tx = await message(
      pool,
      () => args(SWAP_BASE_OUTPUT_DISCRIMINATOR, 9_000n, 7_000n),
      'aToB',
      { inner: true },
    );
    expect(decodeSwaps(tx, stateOf)).toEqual([
      {
        pool: pool.address,
        direction: 'aToB',
        mode: 'baseOutput',
        amount: 7_000n,
        limit: 9_000n,
        inner: true,
      },
    ]);
    // A deshred transaction carries no inner instructions: the CPI swap is not seen.
    const { inner: _carried, ...deshred } = tx;
    expect(decodeSwaps(deshred, stateOf)).toEqual([]);
  });

  it('ignores pools not watched and an input vault that is not the pool’s', async () => {
    expect(decodeSwaps(await message(other, (d) => args(d, 1n, 1n)), stateOf)).toEqual([]);
    const forged = await message(pool, (d) => args(d, 1n, 1n), 'aToB', { vault: TRADER });
    expect(decodeSwaps(forged, stateOf)).toEqual([]);
  });

  it('prices each swap exactly on the state the previous left, and drops one its limit refuses', () => {
    const model = modelOf(pool);
    const swaps = [
      {
        pool: pool.address,
        direction: 'aToB',
        mode: 'baseInput',
        amount: 50_000_000_000n,
        limit: 1n,
        inner: false,
      },
      {
        pool: pool.address,
        direction: 'aToB',
        mode: 'baseOutput',
        amount: 1_000_000n,
        limit: 10n ** 15n,
        inner: false,
      },
      // Its minimum is more than the pool can pay: the program would refuse it.
      {
        pool: pool.address,
        direction: 'aToB',
        mode: 'baseInput',
        amount: 1_000n,
        limit: 10n ** 15n,
        inner: false,
      },
    ] as const;
    const { events, after } = pendingSwapEvents(swaps, () => model, {
      signature: 'sig',
      slot: 7,
      atMs: 1,
    });
    const q1 = swapBaseInput(model, 'aToB', 50_000_000_000n);
    if (!q1.ok) throw new Error(q1.refusal);
    const s1 = afterSwap(model, q1);
    const q2 = swapBaseOutput(s1, 'aToB', 1_000_000n);
    if (!q2.ok) throw new Error(q2.refusal);
    const s2 = afterSwap(s1, q2);
    expect(events.map((e) => [e.amountIn, e.poolAfter, e.slot, e.signature])).toEqual([
      [50_000_000_000n, snapshotOf(s1), 7, 'sig'],
      [q2.amountIn, snapshotOf(s2), 7, 'sig'],
    ]);
    expect(after.get(pool.address)).toEqual(s2);
  });

  it('answers a backrun with the pending state until the book moves past the slot it was built on', () => {
    const model = modelOf(pool);
    const moved = { ...model, vault0Amount: model.vault0Amount + 1n };
    let slot = 10;
    const book = { pool: () => model, viewSlot: () => slot };
    const pending = new PendingStates(book, 2);
    pending.record(
      'a',
      { mark: 0, slot: 10 },
      new Map([[pool.address, moved]]),
      new Map([[pool.address, 10]]),
    );
    expect(pending.after('a')?.pool(pool.address)).toBe(moved);
    slot = 11;
    expect(pending.after('a')?.pool(pool.address)).toBe(model);
    pending.record('b', { mark: 0, slot: 10 }, new Map(), new Map());
    pending.record('c', { mark: 0, slot: 10 }, new Map(), new Map());
    expect(pending.after('a')).toBeUndefined();
  });
});
