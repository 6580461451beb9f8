import type { Address } from '@solana/kit';
import type { SwapDirection } from '../../../market/types.js';
import { type MintInfo, transferFeeOf } from '../../token-2022.js';
import type { ChainContext } from '../venue.js';
import { type BinFill, binMaxAmountOut, swapAtBin } from './bin-swap.js';
import { binArrayBounds, binArrayIndexOf, nextBinArrayWithLiquidity } from './bitmap.js';
import {
  totalFeeRate,
  updateReferences,
  updateVolatilityAccumulator,
  type Volatility,
} from './fee.js';
import {
  ActivationType,
  type Bin,
  type BinArray,
  type BinArrayBitmapExtension,
  type LbPair,
  PairStatus,
  PairType,
} from './layout.js';
import { priceFromId } from './math.js';

/**
 * An exact-in swap on a DLMM pair as the program runs it (`quote_exact_in` in MeteoraAg/dlmm-sdk
 * `commons/src/quote.rs`, the client mirror of lb_clmm's `swap`), in its order:
 *
 * 1. the pair must be enabled and, for Permission and CustomizablePermissionless pairs, past its
 *    activation point (a slot or a unix time, by `activation_type`): else `PoolDisabled`;
 * 2. `update_references` once with the clock's unix time;
 * 3. the input less its Token-2022 transfer fee is spent bin by bin from the active bin, moving
 *    down (selling X) or up: the next bin array with liquidity comes from the bitmaps; if the
 *    active bin is not in it, the active id jumps to the array's near edge; each bin with
 *    liquidity this way first updates the volatility accumulator, then trades (bin-swap.ts);
 * 4. the output less its transfer fee is what the payer receives.
 *
 * Landfall's refusals where the program fails: no array with liquidity in the bitmaps
 * (`CannotFindNonZeroLiquidityBinArrayId`), an array the bitmap marks but Landfall did not read
 * (`BinArrayNotFound`, the transaction would lack it), the search leaving the pair's own bitmap
 * with no extension read (`BitmapExtensionAccountIsNotProvided`), the active id leaving
 * ±443 636 (`PairInsufficientLiquidity`), an overflow (`MathOverflow`), a zero input
 * (`InvalidInput`) and a zero output (`ExceededAmountSlippageTolerance`, as any minimum ≥ 1 fails).
 */

export const MIN_BIN_ID = -443_636;
export const MAX_BIN_ID = 443_636;
const U64_MAX = (1n << 64n) - 1n;
const DEFAULT_ADDRESS = '11111111111111111111111111111111';

export interface DlmmPool {
  readonly address: Address;
  readonly pair: LbPair;
  /** The bin arrays read, by index. */
  readonly binArrays: ReadonlyMap<number, BinArray>;
  readonly bitmapExtension: BinArrayBitmapExtension | undefined;
  readonly mintX: MintInfo;
  readonly mintY: MintInfo;
}

/**
 * `slot` is read where a Slot-activated permissioned pair needs it: without it such a pair is
 * refused (`ActivationSlotUnknown`).
 */
export type DlmmContext = ChainContext;

export interface DlmmSwap {
  readonly ok: true;
  readonly direction: SwapDirection;
  readonly amountIn: bigint;
  readonly amountOut: bigint;
  /** Trading fee in the input token (0 when the pair takes it from the output). */
  readonly fee: bigint;
  /** Trading fee in the output token: an `OnlyY` pair selling X. */
  readonly outputFee: bigint;
  /** The protocol's part of the fees, in the fee's token: the payer's output does not depend on it. */
  readonly protocolFee: bigint;
  readonly bins: readonly BinFill[];
  /** The bin arrays the swap visits, in order: the accounts its instruction must carry. */
  readonly binArrays: readonly number[];
  /** Where the active id stands after the swap. */
  readonly activeId: number;
  readonly volatility: Volatility;
}

export type DlmmRefusal =
  | 'InvalidInput'
  | 'PoolDisabled'
  | 'ActivationSlotUnknown'
  | 'CannotFindNonZeroLiquidityBinArrayId'
  | 'BinArrayNotFound'
  | 'BitmapExtensionAccountIsNotProvided'
  | 'PairInsufficientLiquidity'
  | 'MathOverflow'
  | 'ExceededAmountSlippageTolerance';

export interface DlmmRefused {
  readonly ok: false;
  readonly refusal: DlmmRefusal;
}

const refuse = (refusal: DlmmRefusal): DlmmRefused => ({ ok: false, refusal });

/** `is_support_limit_order`: LimitOrder pairs, and Undetermined ones with no farming reward. */
export function supportsLimitOrders(pair: LbPair): boolean {
  const t = pair.parameters.functionType;
  if (t === 2) return true;
  if (t === 0) return pair.rewardInfos.every((r) => r.mint === DEFAULT_ADDRESS);
  return false;
}

/** `fee_on_input`: always, except an `OnlyY` pair selling X pays its fee from the Y output. */
export function feeOnInput(pair: LbPair, swapForY: boolean): boolean {
  return pair.parameters.collectFeeMode === 1 ? !swapForY : true;
}

function activationRefusal(pair: LbPair, context: DlmmContext): DlmmRefusal | null {
  if (pair.status !== PairStatus.Enabled) return 'PoolDisabled';
  if (
    pair.pairType !== PairType.Permission &&
    pair.pairType !== PairType.CustomizablePermissionless
  )
    return null;
  const point = pair.activationType === ActivationType.Slot ? context.slot : context.unixTimestamp;
  if (point === undefined) return 'ActivationSlotUnknown';
  return point < pair.activationPoint ? 'PoolDisabled' : null;
}

/** The bin's stored price, or the one the program stores on first use. */
function binPrice(bin: Bin, binId: number, binStep: number): bigint | null {
  return bin.price !== 0n ? bin.price : priceFromId(binId, binStep);
}

export function quoteExactIn(
  pool: DlmmPool,
  direction: SwapDirection,
  amountIn: bigint,
  context: DlmmContext,
): DlmmSwap | DlmmRefused {
  const { pair } = pool;
  if (amountIn <= 0n || amountIn > U64_MAX) return refuse('InvalidInput');
  const refusal = activationRefusal(pair, context);
  if (refusal !== null) return refuse(refusal);
  const swapForY = direction === 'aToB';
  const s = pair.parameters;
  let volatility: Volatility | null = updateReferences(
    pair.vParameters,
    s,
    pair.activeId,
    context.unixTimestamp,
  );
  if (volatility === null) return refuse('MathOverflow');
  const limitOrders = supportsLimitOrders(pair);
  const onInput = feeOnInput(pair, swapForY);
  const [inMint, outMint] = swapForY ? [pool.mintX, pool.mintY] : [pool.mintY, pool.mintX];

  let left = amountIn - transferFeeOf(inMint, context.epoch, amountIn);
  let out = 0n;
  let fee = 0n;
  let protocolFee = 0n;
  let activeId = pair.activeId;
  const bins: BinFill[] = [];
  const visited: number[] = [];
  while (left > 0n) {
    const search = nextBinArrayWithLiquidity(pair, pool.bitmapExtension, activeId, swapForY);
    if (search.found === null) {
      return refuse(
        search.needsExtension
          ? 'BitmapExtensionAccountIsNotProvided'
          : 'CannotFindNonZeroLiquidityBinArrayId',
      );
    }
    const array = pool.binArrays.get(search.found);
    if (array === undefined) return refuse('BinArrayNotFound');
    visited.push(search.found);
    const [lower, upper] = binArrayBounds(search.found);
    if (binArrayIndexOf(activeId) !== search.found) activeId = swapForY ? upper : lower;
    while (activeId >= lower && activeId <= upper && left > 0n) {
      const bin = array.bins[activeId - lower] as Bin;
      if (binMaxAmountOut(bin, swapForY, limitOrders) > 0n) {
        volatility = updateVolatilityAccumulator(volatility, s, activeId);
        const price = binPrice(bin, activeId, pair.binStep);
        if (price === null) return refuse('MathOverflow');
        const fill = swapAtBin(bin, activeId, left, {
          price,
          swapForY,
          limitOrders,
          feeOnInput: onInput,
          feeRate: totalFeeRate(s, pair.binStep, volatility.volatilityAccumulator),
          protocolShare: s.protocolShare,
        });
        if (fill === null) return refuse('MathOverflow');
        if (fill.amountIn > 0n) {
          left -= fill.amountIn;
          out += fill.amountOut;
          fee += fill.fee;
          protocolFee += fill.protocolFee;
          if (out > U64_MAX || fee > U64_MAX) return refuse('MathOverflow');
          bins.push(fill);
        }
      }
      if (left > 0n) {
        activeId += swapForY ? -1 : 1;
        if (activeId < MIN_BIN_ID || activeId > MAX_BIN_ID) {
          return refuse('PairInsufficientLiquidity');
        }
      }
    }
  }
  const amountOut = out - transferFeeOf(outMint, context.epoch, out);
  if (amountOut === 0n) return refuse('ExceededAmountSlippageTolerance');
  return {
    ok: true,
    direction,
    amountIn,
    amountOut,
    fee: onInput ? fee : 0n,
    outputFee: onInput ? 0n : fee,
    protocolFee,
    bins,
    binArrays: visited,
    activeId,
    volatility,
  };
}
