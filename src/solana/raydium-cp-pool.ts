import type { Address } from '@solana/kit';
import { LandfallError } from '../errors.js';
import type { PoolSnapshot, SwapDirection } from '../market/types.js';
import { type AmmConfig, FEE_RATE_DENOMINATOR, type PoolState } from './raydium-cp-layout.js';

/**
 * A Raydium CP-Swap pool as the live source tracks it: the decoded `PoolState`, its `AmmConfig`
 * (the fee rate) and the balances of its two vaults. The tradable reserves are the vault balances
 * less the protocol and fund fees accrued in them (`PoolState::vault_amount_without_fee`).
 */
export interface RaydiumCpPool {
  readonly address: Address;
  readonly state: PoolState;
  readonly config: AmmConfig;
  readonly vault0Amount: bigint;
  readonly vault1Amount: bigint;
}

export const VENUE = 'raydium-cp';
/** `PoolStatusBitIndex::Swap`: when set, the program refuses swaps on the pool. */
const SWAP_DISABLED_BIT = 1 << 2;

export function poolReserves(pool: RaydiumCpPool): [bigint, bigint] {
  const s = pool.state;
  const r0 = pool.vault0Amount - s.protocolFeesToken0 - s.fundFeesToken0;
  const r1 = pool.vault1Amount - s.protocolFeesToken1 - s.fundFeesToken1;
  if (r0 < 0n || r1 < 0n) {
    throw new LandfallError(
      'LF_SOLANA_ACCOUNT_DECODE',
      `pool ${pool.address}: accrued fees exceed a vault balance (vaults ${pool.vault0Amount}/${pool.vault1Amount})`,
    );
  }
  return [r0, r1];
}

export function swapsEnabled(pool: RaydiumCpPool, nowSeconds: number): boolean {
  return (pool.state.status & SWAP_DISABLED_BIT) === 0 && pool.state.openTime <= BigInt(nowSeconds);
}

/**
 * The pool in the engine's terms: mint A = token 0, mint B = token 1. CP-Swap charges fees in
 * parts per million; the engine's math takes basis points, so a rate that is not a whole number
 * of basis points is refused rather than rounded (every rate Raydium configures is).
 */
export function snapshotOf(pool: RaydiumCpPool): PoolSnapshot {
  const rate = pool.config.tradeFeeRate;
  if (rate % 100n !== 0n || rate >= FEE_RATE_DENOMINATOR) {
    throw new LandfallError(
      'LF_SOLANA_ACCOUNT_DECODE',
      `pool ${pool.address}: trade_fee_rate ${rate} ppm is not a whole number of basis points below 100 %`,
    );
  }
  const [reserveA, reserveB] = poolReserves(pool);
  return {
    id: pool.address,
    venue: VENUE,
    mintA: pool.state.token0Mint,
    mintB: pool.state.token1Mint,
    reserveA,
    reserveB,
    feeBps: Number(rate / 100n),
  };
}

/**
 * `swap_base_input` as the program computes it (curve/calculator.rs, constant_product.rs):
 * trade fee = ceil(amountIn · rate / 10⁶), output = floor(reserveOut · net / (reserveIn + net)).
 */
export function swapBaseInput(
  pool: RaydiumCpPool,
  direction: SwapDirection,
  amountIn: bigint,
): { tradeFee: bigint; amountOut: bigint } {
  const [r0, r1] = poolReserves(pool);
  const [reserveIn, reserveOut] = direction === 'aToB' ? [r0, r1] : [r1, r0];
  const rate = pool.config.tradeFeeRate;
  const tradeFee = (amountIn * rate + FEE_RATE_DENOMINATOR - 1n) / FEE_RATE_DENOMINATOR;
  const net = amountIn - tradeFee;
  if (net <= 0n) return { tradeFee, amountOut: 0n };
  return { tradeFee, amountOut: (reserveOut * net) / (reserveIn + net) };
}
