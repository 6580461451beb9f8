import type { SwapDirection } from '../../../market/types.js';
import { U64_MAX } from '../venue.js';
import { type AmmInfo, AmmStatus } from './layout.js';

/**
 * `swap_base_in_v2` of Raydium AMM v4 as the program computes it (raydium-io/raydium-amm
 * `program/src/processor.rs` `process_swap_base_in_v2`, `program/src/math.rs`), in its order:
 *
 * 1. the two vault mints must differ; the status must allow swaps; a `WaitingTrade` pool only from its open time;
 * 2. the reserves are the vault balances less the PnL still owed to the protocol
 *    (`calc_total_without_take_pnl_no_orderbook`, a checked u64 subtraction);
 * 3. the fee is `ceil(amount_in · swap_fee_numerator / swap_fee_denominator)` in U128, and what
 *    is left, `amount_in − fee` (an unwrapped checked subtraction), trades against the reserves:
 *    `out = reserve_out · in / (reserve_in + in)`, floored (`swap_token_amount_base_in`);
 * 4. refusals after the maths: below `minimum_amount_out` (ExceededSlippage, the caller's), a zero
 *    input or output (InvalidInput), an output reaching the whole output reserve
 *    (InsufficientFunds).
 *
 * The payer's own balance (`user_source.amount < amount_in`: InsufficientFunds) is the caller's to
 * check. Mints are SPL Token only (the program checks the token program is `spl_token`), so no transfer
 * fee applies: what the payer sends is what the vault receives.
 */

export interface AmmV4Pool {
  readonly info: AmmInfo;
  /** SPL token balances of `info.coinVault` and `info.pcVault`. */
  readonly coinVaultAmount: bigint;
  readonly pcVaultAmount: bigint;
}

export type AmmV4Refusal =
  /** Both vaults hold the same mint. */
  | 'NotAllowed'
  | 'InvalidStatus'
  | 'CheckedSubOverflow'
  | 'InvalidInput'
  | 'InsufficientFunds'
  /** An unwrap on a division by zero or a checked subtraction: the transaction aborts. */
  | 'ArithmeticAbort';

export interface AmmV4Swap {
  readonly ok: true;
  readonly direction: SwapDirection;
  readonly amountIn: bigint;
  readonly amountOut: bigint;
  readonly fee: bigint;
}

export interface AmmV4Refused {
  readonly ok: false;
  readonly refusal: AmmV4Refusal;
}

const refuse = (refusal: AmmV4Refusal): AmmV4Refused => ({ ok: false, refusal });

/**
 * `swap_base_in_v2` runs only where `AmmStatus::swap_permission()` holds and
 * `orderbook_permission()` does not (state.rs): SwapOnly and WaitingTrade. Initialized (1) may
 * swap, but only through the v1 instruction with its OpenBook accounts, which Landfall does not
 * build; statuses outside the enum hit `unreachable!()`.
 */
function swapPermitted(status: bigint): boolean {
  return status === AmmStatus.SwapOnly || status === AmmStatus.WaitingTrade;
}

/** Whether the program lets the pool swap at `unixTimestamp`. */
export function swapsOpen(info: AmmInfo, unixTimestamp: bigint): boolean {
  if (!swapPermitted(info.status)) return false;
  return info.status !== AmmStatus.WaitingTrade || unixTimestamp >= info.stateData.poolOpenTime;
}

/** `[coin, pc]` the curve trades against, or null where the subtraction overflows. */
export function tradableReserves(pool: AmmV4Pool): [bigint, bigint] | null {
  const coin = pool.coinVaultAmount - pool.info.stateData.needTakePnlCoin;
  const pc = pool.pcVaultAmount - pool.info.stateData.needTakePnlPc;
  return coin < 0n || pc < 0n ? null : [coin, pc];
}

/**
 * The program's fee on `amountIn`: U128 multiply, then its `checked_ceil_div` (math.rs since
 * 78c6a81 "update checked_ceil_div func": a plain ceiling; the first published source rounded a
 * quotient of 0 half-up instead); null on a zero divisor.
 */
export function swapFee(amountIn: bigint, info: AmmInfo): bigint | null {
  const { swapFeeNumerator: num, swapFeeDenominator: den } = info.fees;
  if (den === 0n) return null;
  return ceilDiv(amountIn * num, den);
}

/**
 * What every swap instruction checks before its maths, in the program's order (the amount, both
 * vaults of one mint, status and open time, the PnL subtraction), then the reserves in and out.
 */
export function swapReserves(
  pool: AmmV4Pool,
  direction: SwapDirection,
  amount: bigint,
  unixTimestamp: bigint,
): readonly [bigint, bigint] | AmmV4Refused {
  if (amount < 0n || amount > U64_MAX) return refuse('InvalidInput');
  if (pool.info.coinVaultMint === pool.info.pcVaultMint) return refuse('NotAllowed');
  if (!swapsOpen(pool.info, unixTimestamp)) return refuse('InvalidStatus');
  const reserves = tradableReserves(pool);
  if (reserves === null) return refuse('CheckedSubOverflow');
  const [coin, pc] = reserves;
  return direction === 'aToB' ? [coin, pc] : [pc, coin];
}

/** a / b rounded up (math.rs `checked_ceil_div`); b > 0. */
export function ceilDiv(a: bigint, b: bigint): bigint {
  return a / b + (a % b === 0n ? 0n : 1n);
}

/** Exact-in swap; `aToB` sells coin for pc (the program's `Coin2PC`). */
export function swapBaseIn(
  pool: AmmV4Pool,
  direction: SwapDirection,
  amountIn: bigint,
  unixTimestamp: bigint,
): AmmV4Swap | AmmV4Refused {
  const open = swapReserves(pool, direction, amountIn, unixTimestamp);
  if ('ok' in open) return open;
  const [reserveIn, reserveOut] = open;
  const fee = swapFee(amountIn, pool.info);
  if (fee === null || fee > amountIn) return refuse('ArithmeticAbort');
  const net = amountIn - fee;
  const denominator = reserveIn + net;
  if (denominator === 0n) return refuse('ArithmeticAbort');
  const amountOut = (reserveOut * net) / denominator;
  if (amountOut === 0n || amountIn === 0n) return refuse('InvalidInput');
  if (amountOut >= reserveOut) return refuse('InsufficientFunds');
  return { ok: true, direction, amountIn, amountOut, fee };
}

/**
 * The pool after `swap` lands: the whole input (fee included) enters the input vault and the
 * output leaves the other. The swap touches no PnL counter, so the fee stays in the reserves.
 */
export function afterSwap(pool: AmmV4Pool, swap: AmmV4Swap, epoch: bigint): AmmV4Pool {
  const info: AmmInfo = {
    ...pool.info,
    // A WaitingTrade pool that swaps becomes SwapOnly, and `recent_epoch` the swap's epoch.
    status: pool.info.status === AmmStatus.WaitingTrade ? AmmStatus.SwapOnly : pool.info.status,
    recentEpoch: epoch,
  };
  return swap.direction === 'aToB'
    ? {
        info,
        coinVaultAmount: pool.coinVaultAmount + swap.amountIn,
        pcVaultAmount: pool.pcVaultAmount - swap.amountOut,
      }
    : {
        info,
        coinVaultAmount: pool.coinVaultAmount - swap.amountOut,
        pcVaultAmount: pool.pcVaultAmount + swap.amountIn,
      };
}
