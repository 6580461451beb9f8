import { afterEach, describe, expect, it } from 'vitest';
import type { MarketEvent, PendingSwapEvent } from '../../market/types.js';
import { until } from '../testing/testbed.js';
import { type GrpcBed, grpcTestbed } from './testing/grpc-bed.js';
import { deshredOf, swapUpdate } from './testing/swap-transaction.js';

/**
 * `SubscribeDeshred` beside `Subscribe`, through the real client against the loopback server:
 * a swap seen before execution triggers once (its processed copy is then a repeat); a swap made
 * by an aggregator's CPI is not in the deshred transaction's top-level instructions and waits
 * for its processed copy; an endpoint without the method is detected once and never asked again.
 */
let bed: GrpcBed | undefined;
afterEach(async () => {
  await bed?.close();
  bed = undefined;
});

async function started(deshred: boolean) {
  bed = await grpcTestbed({ deshred, extra: { tipFloorPollMs: 3_600_000 } });
  const b = bed;
  const events: MarketEvent[] = [];
  await b.stack.source.start((e) => void events.push(e));
  await until(() => b.geyser.streams === 1, 'the stream');
  const swaps = () => events.filter((e): e is PendingSwapEvent => e.kind === 'pendingSwap');
  const swap = (viaCpi = false) =>
    swapUpdate({
      pool: b.pools[0],
      direction: 'aToB',
      amountIn: 1_000_000_000n,
      slot: b.cluster.slot + 1,
      viaCpi,
    });
  return { b, events, swaps, swap };
}

describe('deshred transactions', () => {
  it('triggers on a swap before execution, once: its processed copy is a repeat', async () => {
    const { b, swaps, swap } = await started(true);
    const source = b.stack.source;
    await until(() => b.geyser.deshredStreams === 1, 'the deshred stream');
    expect(source.deshred.state).toBe('on');
    expect(b.geyser.deshredRequests[0]?.deshredTransactions.pools?.accountInclude.sort()).toEqual(
      b.pools.map((p) => p.address).sort(),
    );
    const s = await swap();
    b.geyser.sendDeshred(deshredOf(s));
    await until(() => swaps().length === 1, 'the pending swap from the deshred stream');
    expect(swaps()[0]).toMatchObject({ signature: s.signature, slot: b.cluster.slot + 1 });
    expect(source.triggers.stats.deshredSwaps).toBe(1);
    b.geyser.send(s.update, b.cluster.slot + 1);
    await until(() => source.triggers.stats.repeatedTransactions === 1, 'the processed copy');
    expect(swaps()).toHaveLength(1);
  });

  it("does not see an aggregator's swap (no inner instructions before execution); the processed copy does", async () => {
    const { b, swaps, swap } = await started(true);
    await until(() => b.geyser.deshredStreams === 1, 'the deshred stream');
    const routed = await swap(true);
    const direct = await swap();
    b.geyser.sendDeshred(deshredOf(routed));
    b.geyser.sendDeshred(deshredOf(direct));
    // One stream, in order: once the second has triggered, the first has been read and missed.
    await until(() => swaps().length === 1, 'the top-level swap');
    expect(swaps()[0]?.signature).toBe(direct.signature);
    b.geyser.send(routed.update, b.cluster.slot + 1);
    await until(() => swaps().length === 2, 'the routed swap from the processed stream');
    expect(swaps()[1]?.signature).toBe(routed.signature);
    expect(b.stack.source.triggers.stats).toMatchObject({ deshredSwaps: 1, pendingSwaps: 2 });
  });

  it('finds an endpoint without SubscribeDeshred once, and the processed stream still triggers', async () => {
    const { b, swaps, swap } = await started(false);
    const source = b.stack.source;
    await until(() => source.deshred.state === 'unsupported', 'the feature detected');
    expect(source.deshred.stats.attempts).toBe(1);
    expect(b.lines.some((l) => l.includes('deshred stream unavailable'))).toBe(true);
    const s = await swap();
    b.geyser.send(s.update, b.cluster.slot + 1);
    await until(() => swaps().length === 1, 'the pending swap');
    expect(source.deshred.stats).toMatchObject({ attempts: 1, connects: 0 });
  });

  it('reconnects a dropped deshred stream', async () => {
    const { b, swaps, swap } = await started(true);
    await until(() => b.geyser.deshredStreams === 1, 'the deshred stream');
    b.geyser.dropStreams();
    await until(() => b.stack.source.deshred.stats.connects === 2, 'the deshred reconnect');
    await until(() => b.geyser.deshredStreams === 1, 'the new deshred filters');
    const s = await swap();
    b.geyser.sendDeshred(deshredOf(s));
    await until(() => swaps().length === 1, 'a swap on the new stream');
    expect(b.stack.source.deshred.stats.drops).toBe(1);
  });
});
