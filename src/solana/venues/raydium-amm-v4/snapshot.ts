import type { Address } from '@solana/kit';
import { LandfallError } from '../../../errors.js';
import type { VenueSnapshot } from '../venue.js';
import { type AmmV4Pool, tradableReserves } from './math.js';

export const AMM_V4_VENUE = 'raydium-amm-v4';

/**
 * The pool in the engine's terms: mint A = coin, mint B = pc, reserves are what the curve trades
 * against (vaults less the PnL owed). `feeBps` is informational, the swap fee rounded up to whole
 * basis points; the exact maths use the program's fraction.
 */
export function ammV4Snapshot(pool: Address, state: AmmV4Pool): VenueSnapshot {
  const reserves = tradableReserves(state);
  if (reserves === null) {
    throw new LandfallError(
      'LF_SOLANA_ACCOUNT_DECODE',
      `pool ${pool}: PnL owed exceeds a vault balance (vaults ${state.coinVaultAmount}/${state.pcVaultAmount})`,
    );
  }
  const { swapFeeNumerator: num, swapFeeDenominator: den } = state.info.fees;
  const bps = den === 0n ? 10_000n : (num * 10_000n + den - 1n) / den;
  return {
    id: pool,
    venue: AMM_V4_VENUE,
    mintA: state.info.coinVaultMint,
    mintB: state.info.pcVaultMint,
    reserveA: reserves[0],
    reserveB: reserves[1],
    feeBps: Number(bps > 10_000n ? 10_000n : bps),
  };
}
