import { afterEach, describe, expect, it } from 'vitest';
import { isLandfallError } from '../errors.js';
import type {
  MarketEvent,
  PoolEvent,
  PoolSnapshot,
  SlotEvent,
  TipFloorEvent,
} from '../market/types.js';
import { decodePoolState, encodePoolState, tokenAccountAmount } from './raydium-cp-layout.js';
import { type PoolFixture, vaultWithBalance } from './testing/pool-fixtures.js';
import { type Testbed, testbed, until } from './testing/testbed.js';

/**
 * The live market source against the local RPC/PubSub cluster: initial state, account and slot
 * notifications, the feeds, and what a dropped socket, a refused subscription, a JSON-RPC error
 * and silence do to it.
 */
let bed: Testbed | undefined;
afterEach(async () => {
  await bed?.close();
  bed = undefined;
});

async function collecting(
  extra: Record<string, unknown> = {},
): Promise<{ b: Testbed; events: MarketEvent[] }> {
  bed = await testbed({ extra });
  const events: MarketEvent[] = [];
  await bed.stack.source.start((e) => void events.push(e));
  return { b: bed, events };
}

/** 2 pools + 2 configs + 4 vaults + 2 mints (WSOL and USDC, shared), and the slot stream. */
const SUBSCRIPTIONS = 11;

const pools = (events: MarketEvent[]) => events.filter((e): e is PoolEvent => e.kind === 'pool');

/**
 * A swap as the chain shows it: in the next slot, the pool state (its protocol fee counter) and
 * both vaults, one notification each.
 */
async function swap(b: Testbed, p: PoolFixture, in0: bigint, out1: bigint, fee0: bigint) {
  const held = (a: string) => b.cluster.accounts.get(a) as Uint8Array;
  const state = decodePoolState(held(p.address), 'test');
  const balance = (v: string) => tokenAccountAmount(held(v), 'test');
  const [v0, d0] = await vaultWithBalance(p, 0, balance(state.token0Vault) + in0);
  const [v1, d1] = await vaultWithBalance(p, 1, balance(state.token1Vault) - out1);
  b.cluster.advanceSlot();
  b.cluster.setAccount(
    p.address,
    encodePoolState({ ...state, protocolFeesToken0: state.protocolFeesToken0 + fee0 }),
  );
  b.cluster.setAccount(v0, d0);
  b.cluster.setAccount(v1, d1);
}

describe('live market source', () => {
  it('sends every pool first, decoded from its accounts, then subscribes to each account and to slots', async () => {
    const { b, events } = await collecting();
    expect(events.slice(0, 2).map((e) => e.kind)).toEqual(['pool', 'pool']);
    const [low] = pools(events);
    expect(low?.pool).toMatchObject({
      id: b.pools[0].address,
      reserveA: 25_000_000_000_000n,
      reserveB: 3_500_000_000_000n,
      feeBps: 25,
    });
    await until(() => b.cluster.subscriptions === SUBSCRIPTIONS, 'every subscription');
    const subscribed = b.cluster.requests.length;
    expect(subscribed).toBeGreaterThan(0);
  });

  it("turns a swap's state and vault notifications at one slot into one pool event", async () => {
    const { b, events } = await collecting();
    await until(() => b.cluster.subscriptions === SUBSCRIPTIONS, 'subscriptions');
    const p = b.pools[0];
    const sent = pools(events).length;
    const before = b.stack.source.book.snapshot(p.address) as PoolSnapshot;
    await swap(b, p, 5_000_000_000n, 700_000_000n, 1_000n);
    await until(() => pools(events).length > sent, 'the swap');
    // A full read of the same accounts finds nothing new to send.
    await b.stack.source.refresh();
    const after = pools(events).slice(sent);
    expect(after).toHaveLength(1);
    expect(after[0]?.slot).toBe(b.cluster.slot);
    expect(after[0]?.pool).toMatchObject({
      id: p.address,
      reserveA: before.reserveA + 5_000_000_000n - 1_000n,
      reserveB: before.reserveB - 700_000_000n,
    });
    expect(b.stack.source.book.untradable(p.address, Date.now())).toBeNull();
  });

  it('a vault changed alone is re-read at its slot, then sent as one pool event', async () => {
    const { b, events } = await collecting();
    await until(() => b.cluster.subscriptions === SUBSCRIPTIONS, 'subscriptions');
    b.cluster.advanceSlot();
    const [vault, data] = await vaultWithBalance(b.pools[1], 0, 2_100_000_000_000n);
    b.cluster.setAccount(vault, data);
    await until(
      () => pools(events).some((e) => e.pool.reserveA === 2_100_000_000_000n),
      'the updated pool',
    );
    expect(b.stack.source.stats.settleReads).toBeGreaterThan(0);
    const reread = b.cluster.requests.filter((r) => r.method === 'getMultipleAccounts').at(-1);
    expect(reread?.params[1]).toMatchObject({ minContextSlot: b.cluster.slot });
  });

  it('a re-read older than a notification does not roll the pool back', async () => {
    const { b, events } = await collecting();
    await until(() => b.cluster.subscriptions === SUBSCRIPTIONS, 'subscriptions');
    const p = b.pools[0];
    const book = b.stack.source.book;
    // The RPC node falls behind the PubSub one: its reads stay at this slot.
    b.cluster.lagReads();
    const sent = pools(events).length;
    await swap(b, p, 5_000_000_000n, 700_000_000n, 1_000n);
    await until(() => pools(events).length > sent, 'the swap');
    const swapped = book.snapshot(p.address);
    const refreshes = b.stack.source.stats.refreshes;
    await b.stack.source.refresh();
    expect(b.stack.source.stats.refreshes).toBe(refreshes + 1);
    expect(book.snapshot(p.address)).toEqual(swapped);
    expect(book.viewSlot(p.address)).toBe(b.cluster.slot);
    expect(pools(events)).toHaveLength(sent + 1);
    expect(book.untradable(p.address, Date.now())).toBeNull();
    // A vault changed alone tears the pool; the lagging node refuses the re-read at its slot.
    b.cluster.advanceSlot();
    const [vault, data] = await vaultWithBalance(p, 1, 3_400_000_000_000n);
    b.cluster.setAccount(vault, data);
    await until(() => b.stack.source.stats.settleFailures > 0, 'a refused re-read');
    expect(book.untradable(p.address, Date.now())).toMatch(/different slots/);
    expect(book.snapshot(p.address)).toEqual(swapped);
    expect(b.lines.some((l) => l.includes('behind the notifications'))).toBe(true);
    b.cluster.catchUp();
    await until(() => book.untradable(p.address, Date.now()) === null, 'the settled pool');
    expect(pools(events)).toHaveLength(sent + 2);
    expect(pools(events).at(-1)?.pool.reserveB).toBe(3_400_000_000_000n - 5_800_000n);
  });

  it('turns slot notifications into slot events with the scheduled leader', async () => {
    const { b, events } = await collecting();
    await until(() => b.cluster.subscriptions === SUBSCRIPTIONS, 'subscriptions');
    b.cluster.advanceSlot();
    await until(() => events.some((e) => e.kind === 'slot'), 'a slot event');
    const slot = events.find((e): e is SlotEvent => e.kind === 'slot') as SlotEvent;
    expect(slot.slot).toBe(b.cluster.slot);
    expect(slot.leader).toBe(
      b.cluster.leaders[Math.floor(slot.slot / 4) % b.cluster.leaders.length],
    );
    expect(slot.leaderSlotsLeft).toBe(3 - (slot.slot % 4));
    expect(slot.nextLeader).not.toBe(slot.leader);
    // The epoch's whole schedule, read once: the slot's epoch (its first slot asked).
    const epochStart = slot.slot - (slot.slot % b.cluster.slotsPerEpoch);
    expect(
      b.cluster.requests.filter((r) => r.method === 'getLeaderSchedule').map((r) => r.params[0]),
    ).toContain(epochStart);
  });

  it('polls the Jito tip floor (SOL → lamports) and recent priority fees', async () => {
    const { events } = await collecting();
    await until(
      () => events.some((e) => e.kind === 'tipFloor') && events.some((e) => e.kind === 'fees'),
      'both feeds',
    );
    const tip = events.find((e): e is TipFloorEvent => e.kind === 'tipFloor') as TipFloorEvent;
    expect(tip.landedTipLamports).toEqual({
      p25: 1_000,
      p50: 10_000,
      p75: 36_000,
      p95: 1_400_000,
      p99: 10_000_000,
    });
    expect(tip.emaP50Lamports).toBe(9_800);
  });

  it('after dropped sockets: untradable at once, reconnects with backoff, resubscribes, re-reads, trades again', async () => {
    const { b, events } = await collecting();
    const id = b.pools[0].address;
    await until(() => b.cluster.subscriptions === SUBSCRIPTIONS, 'subscriptions');
    expect(b.stack.source.book.untradable(id, Date.now())).toBeNull();
    const reads = b.stack.source.stats.refreshes;
    b.cluster.dropSockets();
    await until(() => b.stack.source.pubsubStats.disconnects === 1, 'the disconnect');
    expect(b.stack.source.book.untradable(id, Date.now())).toMatch(/subscription dropped/);
    await until(
      () => b.stack.source.pubsubStats.connects === 2 && b.cluster.subscriptions === SUBSCRIPTIONS,
      'resubscription',
    );
    await until(() => b.stack.source.stats.refreshes > reads, 'the re-read after reconnecting');
    expect(b.stack.source.book.untradable(id, Date.now())).toBeNull();
    // Notifications flow on the new subscription ids.
    const [vault, data] = await vaultWithBalance(b.pools[0], 1, 3_600_000_000_000n);
    b.cluster.setAccount(vault, data);
    await until(
      () => pools(events).some((e) => e.pool.reserveB === 3_600_000_000_000n - 5_800_000n),
      'an update after reconnecting',
    );
  });

  it('retries a refused subscription', async () => {
    bed = await testbed();
    bed.cluster.failNext('slotSubscribe', { code: -32603, message: 'Internal error' });
    await bed.stack.source.start(() => undefined);
    const b = bed;
    await until(
      () =>
        b.stack.source.pubsubStats.subscribeErrors === 1 &&
        b.cluster.subscriptions === SUBSCRIPTIONS,
      'the retried subscription',
    );
  });

  it('marks pools stale when updates stop and fresh again when they resume', async () => {
    const { b } = await collecting({ timeouts: { staleAfterMs: 300 } });
    const id = b.pools[1].address;
    await until(() => b.stack.source.book.untradable(id, Date.now()) === null, 'a fresh pool');
    b.cluster.muted = true;
    b.cluster.rateLimitNext(1_000_000);
    await until(
      () => /stale/.test(b.stack.source.book.untradable(id, Date.now()) ?? ''),
      'the pool to go stale',
    );
    await until(() => b.stack.source.stats.refreshFailures > 0, 'a failed refresh (rate limited)');
    b.cluster.stopRateLimiting();
    b.cluster.muted = false;
    await until(
      () => b.stack.source.book.untradable(id, Date.now()) === null,
      'the pool to be fresh again',
    );
  });

  it('fails to start with the JSON-RPC error, naming the method and endpoint', async () => {
    bed = await testbed();
    bed.cluster.failNext('getMultipleAccounts', {
      code: -32005,
      message: 'Node is behind by 42 slots',
    });
    const err = await bed.stack.source.start(() => undefined).catch((e: unknown) => e);
    expect(isLandfallError(err, 'LF_SOLANA_RPC')).toBe(true);
    expect((err as Error).message).toMatch(
      /getMultipleAccounts at http:\/\/127\.0\.0\.1:\d+: JSON-RPC error -32005: Node is behind/,
    );
  });

  it('a handler that throws ends the source with that error', async () => {
    bed = await testbed();
    const boom = new Error('engine bug');
    await bed.stack.source.start((e) => {
      if (e.kind === 'slot') throw boom;
    });
    const b = bed;
    await until(() => b.cluster.subscriptions === SUBSCRIPTIONS, 'subscriptions');
    b.cluster.advanceSlot();
    await expect(b.stack.source.ended).rejects.toBe(boom);
  });
});
