import type { SwapDirection } from '../../market/types.js';
import {
  type AmmV4Pool,
  type AmmV4Swap,
  ceilDiv,
  swapReserves,
} from '../venues/raydium-amm-v4/math.js';
import { type QuoteRefused, U64_MAX } from '../venues/venue.js';

/**
 * `swap_base_out` (and `_v2`) of Raydium AMM v4 as the program fills it (raydium-io/raydium-amm
 * `program/src/processor.rs` `process_swap_base_out`, `math.rs` `swap_token_amount_base_out`), so
 * a streamed exact-out swap moves the pool exactly: the input before the fee is
 * `ceil(reserve_in · amount_out / (reserve_out − amount_out))`, the input charged
 * `ceil(before · denominator / (denominator − numerator))` (U128, `checked_ceil_div`: a remainder
 * adds one), the vaults then move by that input and by `amount_out`. Refusals as the program's:
 * the status, the PnL subtraction, the unwraps (an output reaching the reserve, a fee of 100 %
 * or more, an input past u64) as `ArithmeticAbort`, a zero amount as `InvalidInput`. The caller
 * checks `max_amount_in`.
 */
export function ammV4SwapBaseOut(
  pool: AmmV4Pool,
  direction: SwapDirection,
  amountOut: bigint,
  unixTimestamp: bigint,
): AmmV4Swap | QuoteRefused {
  const refuse = (refusal: string): QuoteRefused => ({ ok: false, refusal });
  const open = swapReserves(pool, direction, amountOut, unixTimestamp);
  if ('ok' in open) return open;
  const [reserveIn, reserveOut] = open;
  if (amountOut >= reserveOut) return refuse('ArithmeticAbort');
  const before = ceilDiv(reserveIn * amountOut, reserveOut - amountOut);
  const { swapFeeNumerator: num, swapFeeDenominator: den } = pool.info.fees;
  if (den <= num) return refuse('ArithmeticAbort');
  const amountIn = ceilDiv(before * den, den - num);
  if (amountIn > U64_MAX) return refuse('ArithmeticAbort');
  if (amountIn === 0n || amountOut === 0n) return refuse('InvalidInput');
  return { ok: true, direction, amountIn, amountOut, fee: amountIn - before };
}
