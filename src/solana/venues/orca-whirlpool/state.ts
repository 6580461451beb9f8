import type { SwapDirection } from '../../../market/types.js';
import {
  calculateFee,
  calculateInverseFee,
  epochFee,
  type MintInfo,
  type TransferFee,
} from '../../token-2022.js';
import {
  afterSwap,
  simulateSwap,
  type WhirlpoolPool,
  type WhirlpoolRefused,
  type WhirlpoolSwap,
} from './swap.js';
import { U64_MAX } from './token-math.js';

/**
 * A Whirlpool as the venue prices it: the pool, its tick arrays and oracle, and both mints (a
 * Token-2022 mint may charge a transfer fee, and names the token program the swap must pass).
 * The exact-in path with transfer fees is swap_v2's `swap_with_transfer_fee_extension`: the pool
 * swaps what reaches its vault (the input less its fee); if the swap stops short, the payer is
 * charged the fee-inclusive amount of what it took (`calculate_transfer_fee_included_amount`);
 * the payer receives the output less the output mint's fee, and that is what the minimum is
 * checked against.
 */

export interface WhirlpoolState {
  readonly pool: WhirlpoolPool;
  readonly mintA: MintInfo;
  readonly mintB: MintInfo;
}

/** The venue's quote: amounts as the payer's accounts see them; `swap` as the pool runs it. */
export interface WhirlpoolQuote {
  readonly ok: true;
  readonly direction: SwapDirection;
  readonly amountIn: bigint;
  readonly amountOut: bigint;
  readonly fee: bigint;
  readonly swap: WhirlpoolSwap;
}

const noFee: TransferFee = { epoch: 0n, maximumFee: 0n, basisPoints: 0 };
const feeOf = (mint: MintInfo, epoch: bigint): TransferFee =>
  mint.transferFee === null ? noFee : epochFee(mint.transferFee, epoch);

/** `calculate_transfer_fee_included_amount` (util/v2/token.rs), or null on its error. */
function feeIncluded(fee: TransferFee, excluded: bigint): bigint | null {
  if (excluded === 0n || fee.basisPoints === 0) return excluded;
  const transferFee =
    fee.basisPoints === 10_000 ? fee.maximumFee : calculateInverseFee(fee, excluded);
  if (transferFee === null) return null;
  const included = excluded + transferFee;
  if (included > U64_MAX) return null;
  return calculateFee(fee, included) === transferFee ? included : null;
}

export function quoteWhirlpool(
  state: WhirlpoolState,
  direction: SwapDirection,
  amountIn: bigint,
  unixTimestamp: bigint,
  epoch: bigint,
): WhirlpoolQuote | WhirlpoolRefused {
  if (amountIn < 0n || amountIn > U64_MAX) return { ok: false, refusal: 'InvalidInput' };
  const aToB = direction === 'aToB';
  const [feeIn, feeOut] = aToB
    ? [feeOf(state.mintA, epoch), feeOf(state.mintB, epoch)]
    : [feeOf(state.mintB, epoch), feeOf(state.mintA, epoch)];
  const excludedIn = amountIn - calculateFee(feeIn, amountIn);
  const swap = simulateSwap(state.pool, direction, excludedIn, unixTimestamp);
  if (!swap.ok) return swap;
  const paid = swap.amountIn === excludedIn ? amountIn : feeIncluded(feeIn, swap.amountIn);
  if (paid === null) return { ok: false, refusal: 'TransferFeeCalculationError' };
  const received = swap.amountOut - calculateFee(feeOut, swap.amountOut);
  // Any `other_amount_threshold` of at least 1 fails a zero output, and the venue contract
  // promises a positive one.
  if (received === 0n) return { ok: false, refusal: 'AmountOutBelowMinimum' };
  return { ok: true, direction, amountIn: paid, amountOut: received, fee: swap.fee, swap };
}

export function applyWhirlpool(state: WhirlpoolState, quote: WhirlpoolQuote): WhirlpoolState {
  return { ...state, pool: afterSwap(state.pool, quote.swap) };
}
