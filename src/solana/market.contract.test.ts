import { marketContract } from '../market/contract.js';
import type { Submission } from '../market/types.js';
import { solanaMarketFrom } from './market.js';
import { type Testbed, testbed } from './testing/testbed.js';

/** Sell SOL where it is dear, buy it back where it is cheap: the testbed's two pools. */
function arb(bed: Testbed, id: string): Submission {
  const [low, high] = bed.pools;
  return {
    id,
    opportunityId: `opp-${id}`,
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
}

for (const dryRun of [false, true]) {
  marketContract({
    name: `solana on the loopback cluster (${dryRun ? 'dry-run' : 'jito and direct routes'})`,
    // The cluster's slot and account notifications travel on separate subscriptions, in no
    // promised order relative to each other; the live source keeps them apart too.
    features: { slots: false },
    create: async () => {
      const bed = await testbed({ dryRun });
      const market = solanaMarketFrom(bed.stack, {
        live: bed.config,
        wallet: bed.wallet,
        minTipLamports: 1_000,
        dryRun,
      });
      return {
        market,
        submission: (id) => arb(bed, id),
        drive: () => bed.cluster.advanceSlot(),
        close: () => bed.close(),
      };
    },
  });
}
