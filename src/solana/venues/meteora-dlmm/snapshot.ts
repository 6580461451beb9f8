import type { Address } from '@solana/kit';
import type { VenueSnapshot } from '../venue.js';
import { FEE_PRECISION, totalFeeRate } from './fee.js';
import type { DlmmPool } from './swap.js';
import { virtualReserves } from './virtual-reserves.js';

export const DLMM_VENUE = 'meteora-dlmm';

/**
 * lb_clmm's `LBError::ExceededAmountSlippageTolerance` (MeteoraAg/dlmm-sdk `idls/dlmm.json`,
 * Anchor numbers custom errors from 6000): what `swap2` fails with below `min_amount_out`.
 */
export const EXCEEDED_AMOUNT_SLIPPAGE_TOLERANCE = 6003;

const RATE_PER_BPS = FEE_PRECISION / 10_000n;

/**
 * The pair in the engine's terms: mint A = X and mint B = Y (the pair's own order, so `aToB` is
 * `swap_for_y`), reserves the virtual constant-product reserves at the active bin. `feeBps` is
 * informational: the total fee at the stored volatility, rounded up to whole basis points; what
 * a swap pays comes from the exact maths, whose fee moves with every bin crossed.
 */
export function dlmmSnapshot(pool: Address, state: DlmmPool): VenueSnapshot {
  const { pair } = state;
  const [reserveA, reserveB] = virtualReserves(state);
  const rate = totalFeeRate(pair.parameters, pair.binStep, pair.vParameters.volatilityAccumulator);
  return {
    id: pool,
    venue: DLMM_VENUE,
    mintA: pair.tokenXMint,
    mintB: pair.tokenYMint,
    reserveA,
    reserveB,
    feeBps: Number((rate + RATE_PER_BPS - 1n) / RATE_PER_BPS),
  };
}
