import type { Address } from '@solana/kit';
import { LandfallError } from '../errors.js';
import type { PoolSnapshot, SwapDirection } from '../market/types.js';
import {
  type CurveSwap,
  curveSwapBaseInput,
  curveSwapBaseOutput,
  type FeeRates,
} from './raydium-cp-curve.js';
import type { AmmConfig, PoolState } from './raydium-cp-layout.js';
import {
  calculateFee,
  calculateInverseFee,
  epochFee,
  MAX_FEE_BASIS_POINTS,
  type MintInfo,
  transferFeeOf,
} from './token-2022.js';

/**
 * A Raydium CP-Swap pool as the live source tracks it: the decoded `PoolState`, its `AmmConfig`,
 * the balances of its two vaults, its two mints (a Token-2022 mint may charge a transfer fee) and
 * the epoch the next swap runs in (a transfer fee can change at an epoch boundary).
 */
export interface RaydiumCpPool {
  readonly address: Address;
  readonly state: PoolState;
  readonly config: AmmConfig;
  readonly vault0Amount: bigint;
  readonly vault1Amount: bigint;
  readonly mints: readonly [MintInfo, MintInfo];
  readonly epoch: bigint;
}

export const VENUE = 'raydium-cp';
/** `PoolStatusBitIndex::Swap`: when set, the program refuses swaps on the pool. */
const SWAP_DISABLED_BIT = 1 << 2;
const U64_MAX = (1n << 64n) - 1n;

/** Tradable reserves, or null where the program fails with `InsufficientVault`. */
function reservesOrNull(pool: RaydiumCpPool): [bigint, bigint] | null {
  const s = pool.state;
  const r0 = pool.vault0Amount - s.protocolFeesToken0 - s.fundFeesToken0 - s.creatorFeesToken0;
  const r1 = pool.vault1Amount - s.protocolFeesToken1 - s.fundFeesToken1 - s.creatorFeesToken1;
  return r0 < 0n || r1 < 0n ? null : [r0, r1];
}

/**
 * The vault balances less every fee accrued in them, protocol, fund and creator
 * (`PoolState::vault_amount_without_fee`): what the curve trades against.
 */
export function poolReserves(pool: RaydiumCpPool): [bigint, bigint] {
  const reserves = reservesOrNull(pool);
  if (reserves === null) {
    throw new LandfallError(
      'LF_SOLANA_ACCOUNT_DECODE',
      `pool ${pool.address}: accrued fees exceed a vault balance (vaults ${pool.vault0Amount}/${pool.vault1Amount})`,
    );
  }
  return reserves;
}

export function swapsEnabled(pool: RaydiumCpPool, nowSeconds: number): boolean {
  return (pool.state.status & SWAP_DISABLED_BIT) === 0 && pool.state.openTime <= BigInt(nowSeconds);
}

/**
 * `PoolState::is_creator_fee_on_input`: mode 0 takes it from the input, mode 1 (2) from token 0
 * (1) whichever side that is. Null for a mode byte the program rejects (`InvalidFeeModel`).
 */
export function creatorFeeOnInput(state: PoolState, direction: SwapDirection): boolean | null {
  switch (state.creatorFeeOn) {
    case 0:
      return true;
    case 1:
      return direction === 'aToB';
    case 2:
      return direction === 'bToA';
    default:
      return null;
  }
}

/** The rates a swap is charged, the creator's only when the pool enables it. */
export function feeRates(pool: RaydiumCpPool): FeeRates {
  const c = pool.config;
  return {
    trade: c.tradeFeeRate,
    creator: pool.state.enableCreatorFee ? c.creatorFeeRate : 0n,
    protocol: c.protocolFeeRate,
    fund: c.fundFeeRate,
  };
}

/**
 * The pool in the engine's terms: mint A = token 0, mint B = token 1. `feeBps` is informational
 * (the exact maths use the program's rates): the pool's fee on the input, trade plus an enabled
 * creator fee, rounded up to whole basis points so a rate in hundredths of a bip never fails.
 */
export function snapshotOf(pool: RaydiumCpPool): PoolSnapshot {
  const [reserveA, reserveB] = poolReserves(pool);
  const rates = feeRates(pool);
  const ppm = rates.trade + rates.creator;
  const bps = (ppm + 99n) / 100n;
  return {
    id: pool.address,
    venue: VENUE,
    mintA: pool.state.token0Mint,
    mintB: pool.state.token1Mint,
    reserveA,
    reserveB,
    feeBps: Number(bps > 10_000n ? 10_000n : bps),
  };
}

/** Why the program would refuse the swap; names follow its error codes. */
export type SwapRefusal =
  | 'InvalidFeeModel'
  | 'InsufficientVault'
  | 'InvalidInput'
  | 'ZeroTradingTokens'
  | 'TransferFeeCalculateNotMatch'
  /** An `require_gt!(…, 0)` on the net input or the amount received. */
  | 'ZeroAmount'
  /** An unwrap or checked operation that aborts the transaction. */
  | 'ArithmeticAbort';

export interface SwapQuote {
  readonly ok: true;
  readonly direction: SwapDirection;
  readonly creatorFeeOnInput: boolean;
  /** What leaves the payer's input account (transfer fee included). */
  readonly amountIn: bigint;
  readonly inputTransferFee: bigint;
  /** What reaches the payer's output account (transfer fee taken off). */
  readonly amountOut: bigint;
  readonly outputTransferFee: bigint;
  /** Credited to the input vault and debited from the output vault. */
  readonly vaultIn: bigint;
  readonly vaultOut: bigint;
  readonly tradeFee: bigint;
  readonly protocolFee: bigint;
  readonly fundFee: bigint;
  readonly creatorFee: bigint;
}

export interface SwapRefused {
  readonly ok: false;
  readonly refusal: SwapRefusal;
  readonly amountOut: 0n;
}

export type SwapOutcome = SwapQuote | SwapRefused;

const refuse = (refusal: SwapRefusal): SwapRefused => ({ ok: false, refusal, amountOut: 0n });

interface Sides {
  readonly reserveIn: bigint;
  readonly reserveOut: bigint;
  readonly mintIn: MintInfo;
  readonly mintOut: MintInfo;
  readonly onInput: boolean;
}

/** `PoolState::get_swap_params`, its failures in the program's order. */
function sides(pool: RaydiumCpPool, direction: SwapDirection): Sides | SwapRefused {
  const reserves = reservesOrNull(pool);
  if (reserves === null) return refuse('InsufficientVault');
  const [r0, r1] = reserves;
  // `token_price_x32` divides by each reserve.
  if (r0 === 0n || r1 === 0n) return refuse('ArithmeticAbort');
  const onInput = creatorFeeOnInput(pool.state, direction);
  if (onInput === null) return refuse('InvalidFeeModel');
  const [m0, m1] = pool.mints;
  return direction === 'aToB'
    ? { reserveIn: r0, reserveOut: r1, mintIn: m0, mintOut: m1, onInput }
    : { reserveIn: r1, reserveOut: r0, mintIn: m1, mintOut: m0, onInput };
}

/** The program's `constant_after >= constant_before` check on the curve's reserves. */
function keepsInvariant(s: Sides, curve: CurveSwap): boolean {
  return curve.newInputVault * curve.newOutputVault >= s.reserveIn * s.reserveOut;
}

function quote(
  direction: SwapDirection,
  s: Sides,
  curve: CurveSwap,
  amounts: Pick<SwapQuote, 'amountIn' | 'inputTransferFee' | 'amountOut' | 'outputTransferFee'>,
): SwapQuote {
  return {
    ok: true,
    direction,
    creatorFeeOnInput: s.onInput,
    ...amounts,
    vaultIn: curve.inputAmount,
    vaultOut: amounts.amountOut + amounts.outputTransferFee,
    tradeFee: curve.tradeFee,
    protocolFee: curve.protocolFee,
    fundFee: curve.fundFee,
    creatorFee: curve.creatorFee,
  };
}

/**
 * `swap_base_input` as the program runs it (instructions/swap_base_input.rs): the input mint's
 * transfer fee comes off `amountIn` first, the curve trades the rest against the reserves, and
 * the payer receives the curve's output less the output mint's transfer fee (`amountOut`, what
 * `minimum_amount_out` is checked against). Swap status and open time are `swapsEnabled`'s.
 */
export function swapBaseInput(
  pool: RaydiumCpPool,
  direction: SwapDirection,
  amountIn: bigint,
): SwapOutcome {
  if (amountIn < 0n || amountIn > U64_MAX) return refuse('InvalidInput');
  const mintIn = pool.mints[direction === 'aToB' ? 0 : 1];
  const inputTransferFee = transferFeeOf(mintIn, pool.epoch, amountIn);
  const actualIn = amountIn - inputTransferFee;
  if (actualIn <= 0n) return refuse('ZeroAmount');
  const s = sides(pool, direction);
  if ('ok' in s) return s;
  const curve = curveSwapBaseInput(actualIn, s.reserveIn, s.reserveOut, feeRates(pool), s.onInput);
  if (curve === null) return refuse('ZeroTradingTokens');
  const outputTransferFee = transferFeeOf(s.mintOut, pool.epoch, curve.outputAmount);
  const amountOut = curve.outputAmount - outputTransferFee;
  if (amountOut <= 0n) return refuse('ZeroAmount');
  if (!keepsInvariant(s, curve)) return refuse('ArithmeticAbort');
  return quote(direction, s, curve, { amountIn, inputTransferFee, amountOut, outputTransferFee });
}

/**
 * `get_transfer_inverse_fee` in utils/token.rs: the fee a transfer must add so `post` arrives,
 * with the program's own 100 % case and its cross-check against the forward fee.
 */
function inverseTransferFee(mint: MintInfo, epoch: bigint, post: bigint): bigint | SwapRefusal {
  if (mint.transferFee === null) return 0n;
  if (post === 0n) return 'InvalidInput';
  const fee = epochFee(mint.transferFee, epoch);
  if (fee.basisPoints === MAX_FEE_BASIS_POINTS) return fee.maximumFee;
  const inverse = calculateInverseFee(fee, post);
  if (inverse === null || post + inverse > U64_MAX) return 'ArithmeticAbort';
  return calculateFee(fee, post + inverse) === inverse ? inverse : 'TransferFeeCalculateNotMatch';
}

/**
 * `swap_base_output` (instructions/swap_base_output.rs): the input, transfer fee included, that
 * delivers exactly `amountOut` to the payer's output account; `max_amount_in` is checked against
 * the quote's `amountIn`.
 */
export function swapBaseOutput(
  pool: RaydiumCpPool,
  direction: SwapDirection,
  amountOut: bigint,
): SwapOutcome {
  if (amountOut <= 0n || amountOut > U64_MAX) return refuse('InvalidInput');
  const mintOut = pool.mints[direction === 'aToB' ? 1 : 0];
  const outputTransferFee = inverseTransferFee(mintOut, pool.epoch, amountOut);
  if (typeof outputTransferFee === 'string') return refuse(outputTransferFee);
  const withFee = amountOut + outputTransferFee;
  if (withFee > U64_MAX) return refuse('ArithmeticAbort');
  const s = sides(pool, direction);
  if ('ok' in s) return s;
  const curve = curveSwapBaseOutput(withFee, s.reserveIn, s.reserveOut, feeRates(pool), s.onInput);
  if (curve === null) return refuse('ZeroTradingTokens');
  if (curve.inputAmount > U64_MAX) return refuse('ArithmeticAbort');
  if (curve.inputAmount <= 0n) return refuse('ZeroAmount');
  const inputTransferFee = inverseTransferFee(s.mintIn, pool.epoch, curve.inputAmount);
  if (typeof inputTransferFee === 'string') return refuse(inputTransferFee);
  const amountIn = curve.inputAmount + inputTransferFee;
  if (amountIn > U64_MAX) return refuse('ArithmeticAbort');
  if (!keepsInvariant(s, curve)) return refuse('ArithmeticAbort');
  return quote(direction, s, curve, { amountIn, inputTransferFee, amountOut, outputTransferFee });
}

/**
 * The pool as the program leaves it after `q`: the input vault gains what arrives net of the
 * transfer fee, the output vault loses what it sends, and the protocol, fund and creator fees
 * are added to the accrued counters (`PoolState::update_fees`), so they leave the reserves; the
 * pool's `recent_epoch` becomes the swap's epoch.
 */
export function afterSwap(pool: RaydiumCpPool, q: SwapQuote): RaydiumCpPool {
  const s = pool.state;
  const zeroForOne = q.direction === 'aToB';
  const creatorIn0 = zeroForOne === q.creatorFeeOnInput;
  const state: PoolState = {
    ...s,
    protocolFeesToken0: s.protocolFeesToken0 + (zeroForOne ? q.protocolFee : 0n),
    protocolFeesToken1: s.protocolFeesToken1 + (zeroForOne ? 0n : q.protocolFee),
    fundFeesToken0: s.fundFeesToken0 + (zeroForOne ? q.fundFee : 0n),
    fundFeesToken1: s.fundFeesToken1 + (zeroForOne ? 0n : q.fundFee),
    creatorFeesToken0: s.creatorFeesToken0 + (creatorIn0 ? q.creatorFee : 0n),
    creatorFeesToken1: s.creatorFeesToken1 + (creatorIn0 ? 0n : q.creatorFee),
    recentEpoch: pool.epoch,
  };
  return zeroForOne
    ? {
        ...pool,
        state,
        vault0Amount: pool.vault0Amount + q.vaultIn,
        vault1Amount: pool.vault1Amount - q.vaultOut,
      }
    : {
        ...pool,
        state,
        vault0Amount: pool.vault0Amount - q.vaultOut,
        vault1Amount: pool.vault1Amount + q.vaultIn,
      };
}
