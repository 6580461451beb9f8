import { marketContract } from '../../market/contract.js';
import type { Submission } from '../../market/types.js';
import { solanaMarketFrom } from '../market.js';
import { type GrpcBed, grpcTestbed } from './testing/grpc-bed.js';

/** The market contract on the gRPC feed: the same suite the WebSocket feed passes. */
function arb(bed: GrpcBed, id: string): Submission {
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

marketContract({
  name: 'solana over a loopback Geyser gRPC stream (dry-run)',
  // As on PubSub: a slot event waits for its leader lookup while account updates of that slot
  // go straight through, so a pool event may name a slot not yet announced.
  features: { slots: false },
  create: async () => {
    const bed = await grpcTestbed({ dryRun: true });
    const market = solanaMarketFrom(bed.stack, {
      live: bed.config,
      wallet: bed.wallet,
      minTipLamports: 1_000,
      dryRun: true,
    });
    return {
      market,
      submission: (id) => arb(bed, id),
      drive: () => bed.advance(),
      close: () => bed.close(),
    };
  },
});
