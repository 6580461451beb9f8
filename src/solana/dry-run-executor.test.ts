import { afterEach, describe, expect, it } from 'vitest';
import type { Submission } from '../market/types.js';
import { type Testbed, testbed, until } from './testing/testbed.js';

/** The dry run's bundle simulation, as the loopback Jito-Solana RPC checks it. */
let bed: Testbed | undefined;
afterEach(async () => {
  await bed?.close();
  bed = undefined;
});

describe('dry-run executor', () => {
  it('asks simulateBundle to read its transactions as base64, and nothing is sent', async () => {
    bed = await testbed({
      dryRun: true,
      extra: { tipFloorPollMs: 3_600_000, priorityFeePollMs: 3_600_000 },
    });
    const b = bed;
    await b.stack.source.start(() => undefined);
    await until(() => b.stack.source.stats.feedPolls >= 2, 'the first feed polls');
    const [low, high] = b.pools;
    const s: Submission = {
      id: 'dry-1',
      opportunityId: 'dry-1',
      module: 'arb',
      route: 'jito',
      legs: [
        { pool: high.address, direction: 'aToB', amountIn: 1_000_000_000n, minAmountOut: 1n },
        { pool: low.address, direction: 'bToA', amountIn: 'previous', minAmountOut: 1n },
      ],
      tipLamports: 250_000n,
      priorityFeeMicroLamports: 0n,
      computeUnitLimit: 150_000,
      transactions: 1,
      signatures: 1,
    };
    const outcome = await b.stack.executor.submit(s);
    expect(outcome).toMatchObject({ landed: false, failure: 'dropped', feeLamports: 0n });
    const call = b.cluster.requests.find((r) => r.method === 'simulateBundle');
    expect(call?.params[1]).toMatchObject({ transactionEncoding: 'base64' });
    // The cluster refuses a bundle simulation without it: success proves it was read as base64.
    expect(b.stack.dryRun?.stats).toMatchObject({ bundles: 1, succeeded: 1, failed: 0 });
    expect(b.cluster.sent).toHaveLength(0);
  });
});
