import { afterEach, describe, expect, it } from 'vitest';
import { isLandfallError } from '../errors.js';
import type { MarketEvent, PoolEvent, SlotEvent, TipFloorEvent } from '../market/types.js';
import { vaultWithBalance } from './testing/pool-fixtures.js';
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

const pools = (events: MarketEvent[]) => events.filter((e): e is PoolEvent => e.kind === 'pool');

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
    // 2 pools + 2 configs + 4 vaults, and the slot stream.
    await until(() => b.cluster.subscriptions === 9, 'nine subscriptions');
    const subscribed = b.cluster.requests.length;
    expect(subscribed).toBeGreaterThan(0);
  });

  it('turns a vault notification into a pool event with the new reserve', async () => {
    const { b, events } = await collecting();
    await until(() => b.cluster.subscriptions === 9, 'subscriptions');
    const [vault, data] = await vaultWithBalance(b.pools[1], 0, 2_100_000_000_000n);
    b.cluster.setAccount(vault, data);
    await until(
      () => pools(events).some((e) => e.pool.reserveA === 2_100_000_000_000n),
      'the updated pool',
    );
  });

  it('turns slot notifications into slot events with the scheduled leader', async () => {
    const { b, events } = await collecting();
    await until(() => b.cluster.subscriptions === 9, 'subscriptions');
    b.cluster.advanceSlot();
    await until(() => events.some((e) => e.kind === 'slot'), 'a slot event');
    const slot = events.find((e): e is SlotEvent => e.kind === 'slot') as SlotEvent;
    expect(slot.slot).toBe(b.cluster.slot);
    expect(slot.leader).toBe(
      b.cluster.leaders[Math.floor(slot.slot / 4) % b.cluster.leaders.length],
    );
    expect(slot.leaderSlotsLeft).toBe(3 - (slot.slot % 4));
    expect(slot.nextLeader).not.toBe(slot.leader);
    expect(b.cluster.requests.some((r) => r.method === 'getSlotLeaders')).toBe(true);
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
    await until(() => b.cluster.subscriptions === 9, 'subscriptions');
    expect(b.stack.source.book.untradable(id, Date.now())).toBeNull();
    const reads = b.stack.source.stats.refreshes;
    b.cluster.dropSockets();
    await until(() => b.stack.source.pubsubStats.disconnects === 1, 'the disconnect');
    expect(b.stack.source.book.untradable(id, Date.now())).toMatch(/subscription dropped/);
    await until(
      () => b.stack.source.pubsubStats.connects === 2 && b.cluster.subscriptions === 9,
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
      () => b.stack.source.pubsubStats.subscribeErrors === 1 && b.cluster.subscriptions === 9,
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
    await until(() => b.cluster.subscriptions === 9, 'subscriptions');
    b.cluster.advanceSlot();
    await expect(b.stack.source.ended).rejects.toBe(boom);
  });
});
