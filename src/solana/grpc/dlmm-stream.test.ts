import type { Address, TransactionSigner } from '@solana/kit';
import { afterEach, describe, expect, it } from 'vitest';
import type {
  LandedSwapEvent,
  MarketEvent,
  PendingSwapEvent,
  PoolEvent,
} from '../../market/types.js';
import type { LivePool } from '../live-pool.js';
import { dislocatedPools } from '../testing/pool-fixtures.js';
import { until } from '../testing/testbed.js';
import { FIXTURE_ARRAYS, FIXTURE_PAIR, fixtureAccounts } from '../venues/meteora-dlmm/fixture.js';
import { DLMM_PROGRAM } from '../venues/meteora-dlmm/layout.js';
import { binArrayAddress } from '../venues/meteora-dlmm/pda.js';
import { meteoraDlmm } from '../venues/meteora-dlmm/venue.js';
import { fixtureKey } from '../venues/raydium-amm-v4/fixture.js';
import { type GrpcBed, grpcTestbed } from './testing/grpc-bed.js';
import { processedUpdate, streamedOf } from './testing/venue-transaction.js';
import { liveSnapshot } from './venue-pending.js';

/**
 * A Meteora DLMM pair beside the CP-Swap pools in the live gRPC source, end to end on loopback:
 * watched through its venue, delivered with its curve, and a `swap2` on it in the processed
 * stream (built by the venue's own builder, from the payer's associated token accounts) becomes
 * a pending swap priced with the venue's exact maths and a landed swap naming its fee payer.
 */
let bed: GrpcBed | undefined;
afterEach(async () => {
  await bed?.close();
  bed = undefined;
});

const TRADER = fixtureKey(141);

describe('a DLMM pair in the gRPC market source', () => {
  it('is watched with its curve, and its streamed swap2 triggers a backrun priced exactly', async () => {
    const cp = await dislocatedPools();
    bed = await grpcTestbed({
      extra: {
        pools: [
          ...cp.map((p) => ({ address: p.address })),
          { address: FIXTURE_PAIR, venue: 'meteora-dlmm' },
        ],
      },
    });
    const b = bed;
    // The pair and its bin arrays; its mints are the CP pools' WSOL and USDC.
    for (const a of [
      FIXTURE_PAIR,
      ...FIXTURE_ARRAYS.map((i) => binArrayAddress(FIXTURE_PAIR, i)),
    ]) {
      b.cluster.accounts.set(a, fixtureAccounts().get(a) as Uint8Array);
      b.cluster.owners.set(a, DLMM_PROGRAM);
    }
    const events: MarketEvent[] = [];
    await b.stack.source.start((e) => void events.push(e));
    const pairEvent = events.find(
      (e): e is PoolEvent => e.kind === 'pool' && e.pool.id === FIXTURE_PAIR,
    );
    expect(pairEvent?.pool.curve?.maths).toBe(meteoraDlmm);
    await until(() => b.geyser.requests.some((r) => Object.keys(r.accounts).length > 0), 'stream');
    const request = b.geyser.requests.find((r) => Object.keys(r.accounts).length > 0);
    expect(request?.transactions.pools?.accountInclude).toContain(FIXTURE_PAIR);
    expect(request?.accounts.watched?.account).toContain(binArrayAddress(FIXTURE_PAIR, -29));

    const before = b.stack.source.book.livePool(FIXTURE_PAIR) as LivePool;
    const amountIn = 30_000_000_000n;
    const ix = await meteoraDlmm.swapInstruction({
      payer: { address: TRADER } as TransactionSigner,
      pool: FIXTURE_PAIR,
      state: before.state as never,
      direction: 'aToB',
      amountIn,
      minimumAmountOut: 1n,
    });
    const slot = b.cluster.slot + 1;
    const swap = processedUpdate(streamedOf(TRADER, [ix]), slot);
    b.geyser.send(swap.update, slot);
    const pending = await until(
      () => events.find((e): e is PendingSwapEvent => e.kind === 'pendingSwap'),
      'the pending swap',
    );
    // The venue's own quote and apply, at the clock of the stream's delivery.
    const seconds = BigInt(Math.floor(pending.atMs / 1000));
    const context =
      seconds > before.context.unixTimestamp
        ? { ...before.context, unixTimestamp: seconds }
        : before.context;
    const q = meteoraDlmm.quote(before.state as never, 'aToB', amountIn, context);
    if (!q.ok) throw new Error(q.refusal);
    const after = meteoraDlmm.apply(before.state as never, q, context);
    expect(pending).toMatchObject({
      signature: swap.signature,
      slot,
      pool: FIXTURE_PAIR,
      direction: 'aToB',
      amountIn,
      poolAfter: liveSnapshot({ ...before, state: after, context }),
    });
    // The backrun is priced on the pair as the swap leaves it.
    expect(
      b.stack.source.triggers.pending.after(swap.signature)?.livePool(FIXTURE_PAIR)?.state,
    ).toEqual(after);
    const landed = events.find((e): e is LandedSwapEvent => e.kind === 'landedSwap');
    expect(landed).toMatchObject({
      signature: swap.signature,
      pool: FIXTURE_PAIR,
      signer: TRADER as Address,
      amountIn,
      amountOut: q.amountOut,
    });
  });
});
