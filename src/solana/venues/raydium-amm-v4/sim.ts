import type { Address } from '@solana/kit';
import type { CurveMaths } from '../../../market/curve.js';
import type { SimulatedPoolFactory } from '../simulated.js';
import { type AmmInfo, AmmStatus } from './layout.js';
import { type AmmV4Pool, type AmmV4Swap, tradableReserves } from './math.js';
import { raydiumAmmV4 } from './venue.js';

/**
 * An AMM v4 pool for the simulator, priced by the same `swap_base_in_v2` maths as the live one:
 * a `SwapOnly` pool with the requested reserves in its vaults, no PnL owed and the fee as a
 * fraction of 10 000. Accounts the maths never read (vaults, market, LP mint) carry the mint
 * labels, which only the program's "two different mints" check compares. A constant-product
 * curve has no shape to draw, so `seed` is not used.
 */
export const simulatedAmmV4: SimulatedPoolFactory<AmmV4Pool> = (spec) => {
  const coin = spec.mintA as Address;
  const pc = spec.mintB as Address;
  const state: AmmV4Pool = {
    info: ammInfo(coin, pc, BigInt(spec.feeBps)),
    coinVaultAmount: spec.reserveA,
    pcVaultAmount: spec.reserveB,
  };
  return { curve: { maths: ammV4Curve, state }, reserveA: spec.reserveA, reserveB: spec.reserveB };
};

/** The venue's maths, with its reserves: what the curve trades against is its whole price. */
const ammV4Curve: CurveMaths<AmmV4Pool> = {
  name: raydiumAmmV4.name,
  quote: (state, direction, amountIn, context) =>
    raydiumAmmV4.quote(state, direction, amountIn, context),
  apply: (state, quote, context) => raydiumAmmV4.apply(state, quote as AmmV4Swap, context),
  virtualReserves: (state) => tradableReserves(state) ?? [0n, 0n],
  constantProduct: true,
};

function ammInfo(coin: Address, pc: Address, feeBps: bigint): AmmInfo {
  return {
    status: AmmStatus.SwapOnly,
    nonce: 0n,
    orderNum: 0n,
    depth: 0n,
    coinDecimals: 0n,
    pcDecimals: 0n,
    state: 0n,
    resetFlag: 0n,
    minSize: 0n,
    volMaxCutRatio: 0n,
    amountWave: 0n,
    coinLotSize: 1n,
    pcLotSize: 1n,
    minPriceMultiplier: 0n,
    maxPriceMultiplier: 0n,
    sysDecimalValue: 1n,
    fees: {
      minSeparateNumerator: 0n,
      minSeparateDenominator: 1n,
      tradeFeeNumerator: feeBps,
      tradeFeeDenominator: 10_000n,
      pnlNumerator: 0n,
      pnlDenominator: 1n,
      swapFeeNumerator: feeBps,
      swapFeeDenominator: 10_000n,
    },
    stateData: {
      needTakePnlCoin: 0n,
      needTakePnlPc: 0n,
      totalPnlPc: 0n,
      totalPnlCoin: 0n,
      poolOpenTime: 0n,
      padding: [0n, 0n],
      orderbookToInitTime: 0n,
      swapCoinInAmount: 0n,
      swapPcOutAmount: 0n,
      swapAccPcFee: 0n,
      swapPcInAmount: 0n,
      swapCoinOutAmount: 0n,
      swapAccCoinFee: 0n,
    },
    coinVault: coin,
    pcVault: pc,
    coinVaultMint: coin,
    pcVaultMint: pc,
    lpMint: coin,
    openOrders: coin,
    market: coin,
    marketProgram: coin,
    targetOrders: coin,
    padding1: [0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n],
    ammOwner: coin,
    lpAmount: 0n,
    clientOrderId: 0n,
    recentEpoch: 0n,
    padding2: 0n,
  };
}
