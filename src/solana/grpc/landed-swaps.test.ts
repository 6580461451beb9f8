import type { Address } from '@solana/kit';
import { afterEach, describe, expect, it } from 'vitest';
import { CompetitionSignal } from '../../agent/competition-signal.js';
import {
  type LandedSwapEvent,
  type MarketEvent,
  type PendingSwapEvent,
  WSOL_MINT,
} from '../../market/types.js';
import type { PoolFixture } from '../testing/pool-fixtures.js';
import { until } from '../testing/testbed.js';
import { fixtureKey } from '../venues/raydium-amm-v4/fixture.js';
import { type GrpcBed, grpcTestbed } from './testing/grpc-bed.js';
import { swapsUpdate } from './testing/swap-transaction.js';

/**
 * Rivals' landings from the live stream, on a loopback Geyser server through the real client: a
 * processed transaction that swaps on watched pools is reported as `landedSwap` events naming
 * its fee payer, so the agents' competition signal (distinct rival signers that landed a cycle
 * in the last two minutes) moves live as it does in the simulator; a failed or repeated
 * transaction reports nothing.
 */
let bed: GrpcBed | undefined;
afterEach(async () => {
  await bed?.close();
  bed = undefined;
});

const RIVAL = fixtureKey(131);
const OTHER_RIVAL = fixtureKey(132);
const USER = fixtureKey(133);

/** The direction on `pool` that sells WSOL (`sell`) or buys it. */
const way = (p: PoolFixture, sell: boolean) =>
  (p.state.token0Mint === WSOL_MINT) === sell ? 'aToB' : 'bToA';

describe('landed swaps from the processed transaction stream', () => {
  it('reports a rival’s cycle with its fee payer, and the competition signal counts the rival', async () => {
    bed = await grpcTestbed();
    const b = bed;
    const events: MarketEvent[] = [];
    const competition = new CompetitionSignal();
    await b.stack.source.start((e) => {
      events.push(e);
      competition.onEvent(e);
    });
    await until(() => b.geyser.requests.some((r) => Object.keys(r.accounts).length > 0), 'stream');
    const landed = () => events.filter((e): e is LandedSwapEvent => e.kind === 'landedSwap');
    const [cheap, dear] = b.pools;
    const slot = b.cluster.slot + 1;
    const cycle = (feePayer: Address, failed = false) =>
      swapsUpdate({
        swaps: [
          { pool: cheap, direction: way(cheap, false), amountIn: 14_000_000_000n },
          { pool: dear, direction: way(dear, true), amountIn: 100_000_000n },
        ],
        slot,
        feePayer,
        failed,
      });

    // Before any landing is seen the signal reads the seeds' level.
    expect(competition.level(Date.now())).toBe(0.5);
    const rival = await cycle(RIVAL);
    b.geyser.send(rival.update, slot);
    await until(() => landed().length === 2, 'the cycle’s two landed swaps');
    const pending = events.filter((e): e is PendingSwapEvent => e.kind === 'pendingSwap');
    expect(landed().map((e) => [e.signature, e.pool, e.signer, e.slot])).toEqual([
      [rival.signature, cheap.address, RIVAL, slot],
      [rival.signature, dear.address, RIVAL, slot],
    ]);
    // Priced as the backrun trigger prices them: the same exact fills.
    expect(landed().map((e) => e.amountIn)).toEqual(pending.map((e) => e.amountIn));
    expect(landed().every((e) => e.amountOut > 0n)).toBe(true);
    expect(competition.level(Date.now())).toBeCloseTo(1 / 5);

    // A failed cycle and a user's one-pool swap: no rival more.
    const failed = await cycle(OTHER_RIVAL, true);
    b.geyser.send(failed.update, slot);
    const user = await swapsUpdate({
      swaps: [{ pool: dear, direction: way(dear, true), amountIn: 50_000_000n }],
      slot,
      feePayer: USER,
    });
    b.geyser.send(user.update, slot);
    await until(() => landed().length === 3, 'the user’s swap');
    expect(landed().at(-1)).toMatchObject({ signature: user.signature, signer: USER });
    expect(landed().some((e) => e.signature === failed.signature)).toBe(false);
    expect(competition.level(Date.now())).toBeCloseTo(1 / 5);

    // The rival's cycle again (a replay after a reconnect): nothing reported twice.
    b.geyser.send(rival.update, slot);
    const other = await cycle(OTHER_RIVAL);
    b.geyser.send(other.update, slot);
    await until(() => landed().length === 5, 'the second rival’s cycle');
    expect(landed().filter((e) => e.signature === rival.signature)).toHaveLength(2);
    expect(competition.level(Date.now())).toBeCloseTo(2 / 6);
    expect(b.stack.source.triggers.stats).toMatchObject({ landedSwaps: 5 });
  });
});
