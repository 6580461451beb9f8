import type { BinFill } from './bin-swap.js';
import { binArrayIndexOf } from './bitmap.js';
import type { Bin, BinArray } from './layout.js';
import { BINS_PER_ARRAY } from './layout.js';
import { priceFromId } from './math.js';
import type { DlmmContext, DlmmPool, DlmmSwap } from './swap.js';

/**
 * The pair after a quoted swap lands. Each bin's market-making side gains the fee-exclusive input
 * it absorbed and loses what it paid out (`Bin::swap` in MeteoraAg/dlmm-sdk
 * `commons/src/extensions/bin.rs`: the fee is accounted outside the bin's amounts; on a fee taken
 * from the output the whole pre-fee output leaves the bin). Limit-order layers lose what they
 * paid out; the input they earn belongs to the orders' owners and their bookkeeping (fulfilled
 * amounts, order fees) is not modelled, as no later quote reads it. The active id moves to where
 * the swap stopped, the volatility state is the swap's, stamped with the clock's time, and the
 * protocol's uncollected fee grows in the fee's token.
 */
export function applySwap(pool: DlmmPool, q: DlmmSwap, context: DlmmContext): DlmmPool {
  const swapForY = q.direction === 'aToB';
  const arrays = new Map(pool.binArrays);
  for (const fill of q.bins) {
    const index = binArrayIndexOf(fill.binId);
    const array = arrays.get(index) as BinArray;
    const bins = [...array.bins];
    const at = fill.binId - index * BINS_PER_ARRAY;
    bins[at] = afterFill(bins[at] as Bin, fill, swapForY, pool.pair.binStep);
    arrays.set(index, { ...array, bins });
  }
  const feeInX = swapForY && q.outputFee === 0n;
  const pair = pool.pair;
  return {
    ...pool,
    binArrays: arrays,
    pair: {
      ...pair,
      activeId: q.activeId,
      vParameters: {
        ...pair.vParameters,
        volatilityAccumulator: q.volatility.volatilityAccumulator,
        volatilityReference: q.volatility.volatilityReference,
        indexReference: q.volatility.indexReference,
        lastUpdateTimestamp: context.unixTimestamp,
      },
      protocolFee: {
        amountX: pair.protocolFee.amountX + (feeInX ? q.protocolFee : 0n),
        amountY: pair.protocolFee.amountY + (feeInX ? 0n : q.protocolFee),
      },
    },
  };
}

function afterFill(bin: Bin, fill: BinFill, swapForY: boolean, binStep: number): Bin {
  const mmIn = fill.mm.amountIn;
  const mmOut = fill.mm.amountOut;
  const common = {
    ...bin,
    // `get_or_store_bin_price`: a bin that trades keeps its price from then on.
    price: bin.price !== 0n ? bin.price : (priceFromId(fill.binId, binStep) ?? 0n),
    processedOrderRemainingAmount:
      bin.processedOrderRemainingAmount - fill.processedOrders.amountOut,
    openOrderAmount: bin.openOrderAmount - fill.openOrders.amountOut,
  };
  return swapForY
    ? { ...common, amountX: bin.amountX + mmIn, amountY: bin.amountY - mmOut }
    : { ...common, amountY: bin.amountY + mmIn, amountX: bin.amountX - mmOut };
}
