import { afterEach, describe, expect, it } from 'vitest';
import type { MarketEvent, PendingSwapEvent, PoolEvent } from '../../market/types.js';
import {
  decodePoolState,
  encodePoolState,
  RAYDIUM_CP_PROGRAM,
  tokenAccountAmount,
} from '../raydium-cp-layout.js';
import { afterSwap, snapshotOf, swapBaseInput } from '../raydium-cp-pool.js';
import { modelOf, type PoolFixture, vaultWithBalance } from '../testing/pool-fixtures.js';
import { until } from '../testing/testbed.js';
import { type GrpcBed, grpcTestbed } from './testing/grpc-bed.js';
import { swapUpdate } from './testing/swap-transaction.js';

/**
 * The gRPC market source against a loopback Geyser server speaking the published protocol
 * through the real client: account updates out of order and repeated, a dropped stream replayed
 * from the last slot seen, a consumer too slow for the server, and swaps on watched pools turned
 * into pending-swap events before the pool's accounts move.
 */
let bed: GrpcBed | undefined;
afterEach(async () => {
  await bed?.close();
  bed = undefined;
});

async function collecting(
  onEvent: (e: MarketEvent) => void = () => undefined,
  extra: Record<string, unknown> = {},
): Promise<{ b: GrpcBed; events: MarketEvent[] }> {
  bed = await grpcTestbed({ extra });
  const events: MarketEvent[] = [];
  await bed.stack.source.start((e) => {
    events.push(e);
    onEvent(e);
  });
  const b = bed;
  await until(() => filters(b) !== undefined, 'the subscription');
  return { b, events };
}

/** The first request that names filters (the client opens the stream with an empty one). */
const filters = (b: GrpcBed) => b.geyser.requests.find((r) => Object.keys(r.accounts).length > 0);

const poolEvents = (events: MarketEvent[], id: string) =>
  events.filter((e): e is PoolEvent => e.kind === 'pool' && e.pool.id === id);

/** The accounts a swap writes, at the next slot: state (a fee counter), both vaults. */
async function swapAccounts(b: GrpcBed, p: PoolFixture, in0: bigint, out1: bigint) {
  const held = (a: string) => b.cluster.accounts.get(a) as Uint8Array;
  const state = decodePoolState(held(p.address), 'test');
  const balance = (v: string) => tokenAccountAmount(held(v), 'test');
  const [v0, d0] = await vaultWithBalance(p, 0, balance(state.token0Vault) + in0);
  const [v1, d1] = await vaultWithBalance(p, 1, balance(state.token1Vault) - out1);
  const s = encodePoolState({ ...state, protocolFeesToken0: state.protocolFeesToken0 + 1n });
  return { state: [p.address, s] as const, vault0: [v0, d0] as const, vault1: [v1, d1] as const };
}

describe('gRPC market source', () => {
  it('subscribes to every watched account, slots and the pools’ transactions, at processed', async () => {
    const { b, events } = await collecting();
    expect(events.slice(0, 2).map((e) => e.kind)).toEqual(['pool', 'pool']);
    const request = filters(b);
    // 2 pools + 2 configs + 4 vaults + 2 mints (WSOL and USDC, shared).
    expect(request?.accounts.watched?.account).toHaveLength(10);
    expect(request?.transactions.pools?.accountInclude.sort()).toEqual(
      b.pools.map((p) => p.address).sort(),
    );
    expect(Object.keys(request?.slots ?? {})).toHaveLength(1);
    expect(request?.commitment).toBe(0);
    // From the slot the start-up reads saw: nothing between the read and the stream is lost.
    expect(Number(request?.fromSlot)).toBe(b.cluster.slot);
  });

  it('builds a pool from its accounts out of order across accounts, and ignores repeats and older updates', async () => {
    const { b, events } = await collecting();
    const p = b.pools[0];
    const before = poolEvents(events, p.address).length;
    b.advance();
    const { state, vault0, vault1 } = await swapAccounts(b, p, 5_000_000_000n, 700_000_000n);
    const slot = b.cluster.slot;
    const owner0 = b.cluster.owners.get(vault0[0]) as string;
    const owner1 = b.cluster.owners.get(vault1[0]) as string;
    b.cluster.setAccount(...state);
    b.cluster.setAccount(...vault0);
    b.cluster.setAccount(...vault1);
    // Vault 1, then the state, then vault 0: the pool is whole only once all three are at `slot`.
    b.geyser.account(vault1[0], owner1, vault1[1], slot);
    b.geyser.account(state[0], RAYDIUM_CP_PROGRAM, state[1], slot);
    await until(() => b.stack.source.feed.stats.updates >= 3, 'two updates read');
    expect(poolEvents(events, p.address)).toHaveLength(before);
    b.geyser.account(vault0[0], owner0, vault0[1], slot);
    await until(() => poolEvents(events, p.address).length > before, 'the pool event');
    const last = poolEvents(events, p.address).at(-1);
    expect(last?.slot).toBe(slot);
    // The state's protocol fee counter rose by one: one unit less to trade.
    expect(last?.pool.reserveA).toBe(25_000_000_000_000n + 5_000_000_000n - 1n);
    // The same update again, and an older one with other bytes: neither moves the pool.
    const [, older] = await vaultWithBalance(p, 0, 1n);
    b.geyser.account(vault0[0], owner0, vault0[1], slot);
    b.geyser.account(vault0[0], owner0, older, slot - 1);
    // The slot update after them, read in stream order: the repeats were read before it.
    b.advance();
    await until(() => b.stack.source.feed.lastSlot === b.cluster.slot, 'the repeats read');
    expect(poolEvents(events, p.address)).toHaveLength(before + 1);
    expect(b.stack.source.book.snapshot(p.address)?.reserveA).toBe(last?.pool.reserveA);
  });

  it('replays from the last slot seen after a drop: nothing lost, nothing applied twice', async () => {
    const { b, events } = await collecting();
    const p = b.pools[1];
    b.advance();
    await until(() => b.stack.source.feed.lastSlot === b.cluster.slot, 'the slot update');
    const lastBefore = b.stack.source.feed.lastSlot;
    const before = poolEvents(events, p.address).length;
    // The server refuses new streams until the swap below is in its history: the feed must
    // reconnect after it, so the swap can only come by the replay.
    b.geyser.refusing = true;
    b.geyser.dropStreams();
    await until(() => b.stack.source.feed.stats.drops >= 1, 'the drop noticed');
    // While the stream is down the pool trades: the server keeps it for the replay. The RPC
    // node's reads stay behind it (and so are ignored), so only the replay can bring it.
    b.cluster.lagReads();
    b.advance();
    const first = await swapAccounts(b, p, 1_000_000_000n, 140_000_000n);
    for (const [a, d] of [first.state, first.vault0, first.vault1]) b.setAccount(a, d);
    b.geyser.refusing = false;
    await until(() => b.stack.source.feed.stats.replays === 1, 'the replay');
    // The feed counts the replay as it writes the request: wait for the server to have it.
    await until(
      () => b.geyser.requests.filter((r) => r.fromSlot !== undefined).length >= 2,
      'the replay request',
    );
    const replay = b.geyser.requests.filter((r) => r.fromSlot !== undefined).at(-1);
    expect(Number(replay?.fromSlot)).toBe(lastBefore);
    await until(() => poolEvents(events, p.address).length > before, 'the missed swap');
    expect(b.stack.source.book.snapshot(p.address)?.reserveA).toBe(
      2_000_000_000_000n + 1_000_000_000n - 1n,
    );
    // The RPC node catches up: the reads after the next drop see what the stream said.
    b.cluster.catchUp();
    // A second drop replays the swap again: the book has it, so no second event.
    const count = poolEvents(events, p.address).length;
    b.geyser.dropStreams();
    await until(() => b.stack.source.feed.stats.replays === 2, 'the second replay');
    b.advance();
    await until(() => b.stack.source.feed.lastSlot === b.cluster.slot, 'the stream live again');
    expect(poolEvents(events, p.address)).toHaveLength(count);
    // The drop marked the pools untradable until a read reached the slot; the reconnect read.
    await until(
      () => b.stack.source.book.untradable(p.address, Date.now()) === null,
      'the pool tradable again',
    );
  });

  it('measures a slow consumer, is dropped by the server when too far behind, and recovers by replay', async () => {
    let busy = true;
    const { b, events } = await collecting(
      (e) => {
        // A consumer that holds the stream back on every pool event.
        if (e.kind !== 'pool' || !busy) return;
        const until = performance.now() + 3;
        while (performance.now() < until) {}
      },
      { grpc: { maxLagMs: 5 } },
    );
    const p = b.pools[0];
    b.geyser.maxQueued = 8;
    // The RPC node's reads stay where they are (behind the book, so ignored): what the drop
    // loses can only come back by the replay.
    b.cluster.lagReads();
    // Each update a whole swap (state and vaults at one slot), each a pool event, sent until
    // the server gives up on the reader (however much the transport buffers).
    let expected = 0n;
    for (let i = 1; i <= 5_000 && b.geyser.laggedDrops === 0; i++) {
      b.advance();
      const s = await swapAccounts(b, p, 1_000_000n, 100_000n);
      for (const [a, d] of [s.state, s.vault0, s.vault1]) b.setAccount(a, d);
      expected = tokenAccountAmount(s.vault0[1], 'test');
      if (i % 100 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    expect(b.geyser.laggedDrops, 'the server giving up on the slow reader').toBeGreaterThan(0);
    busy = false;
    await until(
      () => b.stack.source.book.pool(p.address)?.vault0Amount === expected,
      'the last swap, after the replay',
    );
    expect(b.stack.source.feed.stats.lagging).toBeGreaterThan(0);
    expect(b.lines.some((l) => l.includes('geyser consumer is behind the stream'))).toBe(true);
    expect(b.stack.source.feed.stats.replays).toBeGreaterThan(0);
    // Every slot's pool event at most once, in slot order.
    const slots = poolEvents(events, p.address).map((e) => e.slot);
    expect(new Set(slots).size).toBe(slots.length);
    expect([...slots].sort((x, y) => x - y)).toEqual(slots);
  });

  it('turns a swap on a watched pool into a pending swap priced exactly, before its accounts move, once', async () => {
    const { b, events } = await collecting();
    const p = b.pools[0];
    const amountIn = 200_000_000_000n;
    const direction = p.state.token0Mint === b.pools[0].state.token0Mint ? 'aToB' : 'bToA';
    const swap = await swapUpdate({ pool: p, direction, amountIn, slot: b.cluster.slot + 1 });
    b.geyser.send(swap.update, b.cluster.slot + 1);
    const pending = await until(
      () => events.find((e): e is PendingSwapEvent => e.kind === 'pendingSwap'),
      'the pending swap',
    );
    const q = swapBaseInput(modelOf(p), direction, amountIn);
    if (!q.ok) throw new Error(q.refusal);
    expect(pending).toMatchObject({
      signature: swap.signature,
      slot: b.cluster.slot + 1,
      pool: p.address,
      direction,
      amountIn,
      poolAfter: snapshotOf(afterSwap(modelOf(p), q)),
    });
    // The pool's own accounts have not moved: its last pool event is still the start-up state.
    expect(poolEvents(events, p.address).at(-1)?.pool.reserveA).toBe(25_000_000_000_000n);
    // The same transaction again (a replay): no second trigger.
    b.geyser.send(swap.update, b.cluster.slot + 1);
    await until(
      () => b.stack.source.triggers.stats.repeatedTransactions === 1,
      'the repeat skipped',
    );
    // Through an aggregator's CPI: found in the inner instructions.
    const cpi = await swapUpdate({
      pool: p,
      direction,
      amountIn,
      slot: b.cluster.slot + 1,
      viaCpi: true,
    });
    b.geyser.send(cpi.update, b.cluster.slot + 1);
    await until(
      () => events.some((e) => e.kind === 'pendingSwap' && e.signature === cpi.signature),
      'the CPI swap',
    );
    expect(events.filter((e) => e.kind === 'pendingSwap')).toHaveLength(2);
  });
});
