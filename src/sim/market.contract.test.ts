import { marketContract } from '../market/contract.js';
import { type PoolSnapshot, type Submission, WSOL_MINT } from '../market/types.js';
import { createSimMarket } from './market.js';

/** A plain buy of a token with 0.01 SOL through a bundle: well formed on any simulated pool. */
function buy(id: string, pools: readonly PoolSnapshot[]): Submission {
  const pool = pools.find((p) => p.mintB === WSOL_MINT) as PoolSnapshot;
  return {
    id,
    opportunityId: `opp-${id}`,
    module: 'arb',
    route: 'jito',
    legs: [{ pool: pool.id, direction: 'bToA', amountIn: 10_000_000n, minAmountOut: 0n }],
    tipLamports: 10_000n,
    priorityFeeMicroLamports: 0n,
    computeUnitLimit: 150_000,
    transactions: 1,
    signatures: 1,
  };
}

// Virtual pace, as in a backtest: the market runs as fast as the handler allows.
marketContract({
  name: 'simulator (virtual pace)',
  features: { slots: true },
  create: async () => ({
    market: createSimMarket({ config: { seed: 7 }, pace: 'virtual' }),
    submission: buy,
  }),
});

// Wall pace, as in paper mode: outcomes arrive while the market runs on its own.
marketContract({
  name: 'simulator (wall pace ×50)',
  features: { slots: true },
  create: async () => ({
    market: createSimMarket({ config: { seed: 7, speed: 50 }, pace: 'wall' }),
    submission: buy,
  }),
});
