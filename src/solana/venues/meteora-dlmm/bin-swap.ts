import { feeFromIncludedAmount, feeOnExcludedAmount, protocolFeeOf } from './fee.js';
import type { Bin } from './layout.js';
import { amountInFor, amountOutFor } from './math.js';

/**
 * One bin of an exact-in swap (`swap_exact_in_quote_at_bin` in MeteoraAg/dlmm-sdk
 * `commons/src/quote.rs`). A bin sells its market-making liquidity first, then, on a pair that
 * takes limit orders, the orders already being processed, then the open ones, all at the bin's
 * price. Amounts out round down, the input that drains a layer rounds up. The fee is taken from
 * the input (fee-inclusive amount, `compute_fee_from_amount`) and, when the bin cannot absorb it
 * all, recomputed on what it did absorb (`compute_fee`, on the fee-exclusive amount); on a
 * `OnlyY` pair selling X, from the output instead.
 */

export interface LayerFill {
  readonly amountIn: bigint;
  readonly amountOut: bigint;
}

export interface BinFill {
  readonly binId: number;
  /** Fee-inclusive input the bin consumed. */
  readonly amountIn: bigint;
  /** What the payer receives from this bin, after a fee on output. */
  readonly amountOut: bigint;
  /** The bin's trading fee: in the input token, or the output token when `feeOnInput` is false. */
  readonly fee: bigint;
  readonly protocolFee: bigint;
  readonly mm: LayerFill;
  readonly processedOrders: LayerFill;
  readonly openOrders: LayerFill;
}

const EMPTY: LayerFill = { amountIn: 0n, amountOut: 0n };
const U64_MAX = (1n << 64n) - 1n;

/** `calculate_exact_in_fill_amount`: `amount` against one layer of `maxOut`, or null on overflow. */
function fillLayer(
  amount: bigint,
  maxOut: bigint,
  price: bigint,
  swapForY: boolean,
): (LayerFill & { readonly left: bigint }) | null {
  if (maxOut === 0n) return { amountIn: 0n, amountOut: 0n, left: amount };
  const maxIn = amountInFor(maxOut, price, swapForY, 'up');
  if (maxIn === null) return null;
  if (amount >= maxIn) return { amountIn: maxIn, amountOut: maxOut, left: amount - maxIn };
  const out = amountOutFor(amount, price, swapForY, 'down');
  return out === null ? null : { amountIn: amount, amountOut: out, left: 0n };
}

/** `get_limit_order_amounts_by_direction`: (open, processed remaining) a swap this way can fill. */
export function limitOrderAmounts(bin: Bin, swapForY: boolean): readonly [bigint, bigint] {
  const askSide = bin.limitOrderAskSide !== 0;
  return swapForY !== askSide ? [bin.openOrderAmount, bin.processedOrderRemainingAmount] : [0n, 0n];
}

/** `get_max_amount_out_with_limit_orders` (saturating, as the program adds). */
export function binMaxAmountOut(bin: Bin, swapForY: boolean, limitOrders: boolean): bigint {
  const mm = swapForY ? bin.amountY : bin.amountX;
  if (!limitOrders) return mm;
  const [open, processed] = limitOrderAmounts(bin, swapForY);
  const total = mm + open + processed;
  return total > U64_MAX ? U64_MAX : total;
}

export interface BinSwapParams {
  readonly price: bigint;
  readonly swapForY: boolean;
  readonly limitOrders: boolean;
  readonly feeOnInput: boolean;
  /** Total fee rate, parts of 10⁹. */
  readonly feeRate: bigint;
  readonly protocolShare: number;
}

/** The bin's part of the swap, `amountIn` being what is left of the payer's input; null on overflow. */
export function swapAtBin(
  bin: Bin,
  binId: number,
  amountIn: bigint,
  p: BinSwapParams,
): BinFill | null {
  let tradingFee = 0n;
  let excluded = amountIn;
  if (p.feeOnInput) {
    const fee = feeFromIncludedAmount(amountIn, p.feeRate);
    if (fee === null || fee > amountIn) return null;
    tradingFee = fee;
    excluded = amountIn - fee;
  }
  const mm = fillLayer(excluded, p.swapForY ? bin.amountY : bin.amountX, p.price, p.swapForY);
  if (mm === null) return null;
  let processed = EMPTY;
  let open = EMPTY;
  let left = mm.left;
  if (p.limitOrders && left > 0n) {
    const [openAmount, processedAmount] = limitOrderAmounts(bin, p.swapForY);
    const pf = fillLayer(left, processedAmount, p.price, p.swapForY);
    if (pf === null) return null;
    processed = pf;
    left = pf.left;
    if (left > 0n) {
      const of = fillLayer(left, openAmount, p.price, p.swapForY);
      if (of === null) return null;
      open = of;
      left = of.left;
    }
  }
  const filledIn = mm.amountIn + processed.amountIn + open.amountIn;
  const filledOut = mm.amountOut + processed.amountOut + open.amountOut;
  if (filledIn > U64_MAX || filledOut > U64_MAX) return null;

  let included = amountIn;
  if (left > 0n) {
    excluded -= left;
    if (p.feeOnInput) {
      const fee = feeOnExcludedAmount(excluded, p.feeRate);
      if (fee === null || excluded + fee > U64_MAX) return null;
      tradingFee = fee;
      included = excluded + fee;
    } else {
      included = excluded;
    }
  }
  let amountOut = filledOut;
  if (!p.feeOnInput) {
    const fee = feeFromIncludedAmount(filledOut, p.feeRate);
    if (fee === null || fee > filledOut) return null;
    tradingFee = fee;
    amountOut = filledOut - fee;
  }
  return {
    binId,
    amountIn: included,
    amountOut,
    fee: tradingFee,
    protocolFee: protocolFeeOf(tradingFee, p.protocolShare, mm.amountIn, filledIn),
    mm: { amountIn: mm.amountIn, amountOut: mm.amountOut },
    processedOrders: { amountIn: processed.amountIn, amountOut: processed.amountOut },
    openOrders: { amountIn: open.amountIn, amountOut: open.amountOut },
  };
}
