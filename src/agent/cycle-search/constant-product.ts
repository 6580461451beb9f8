import { amountOut, reservesOf } from '../../market/cpmm.js';
import type { PoolSnapshot, SwapDirection } from '../../market/types.js';
import type { QuotedPool, Rate } from './types.js';

const BPS = 10_000n;

/**
 * A constant-product pool as the cycle search sees it: the exact on-chain quote of
 * `cpmm.ts`, its marginal rate at zero as the rate bound, and the snapshot itself so cycles
 * made only of such pools are seeded by the closed form of `cycles.ts`.
 */
export class ConstantProductPool implements QuotedPool {
  readonly id: string;
  readonly mintA: string;
  readonly mintB: string;

  constructor(readonly constantProduct: PoolSnapshot) {
    this.id = constantProduct.id;
    this.mintA = constantProduct.mintA;
    this.mintB = constantProduct.mintB;
  }

  quote(direction: SwapDirection, amountIn: bigint): bigint {
    const [reserveIn, reserveOut] = reservesOf(this.constantProduct, direction);
    return amountOut(reserveIn, reserveOut, amountIn, this.constantProduct.feeBps);
  }

  /**
   * y·(1 − fee) / x. The quote floors y·a / (x + a) with a ≤ x_in·(1 − fee), which is at most
   * y·a / x: the bound holds for every input, rounding included.
   */
  rateBound(direction: SwapDirection): Rate {
    const [reserveIn, reserveOut] = reservesOf(this.constantProduct, direction);
    return {
      num: reserveOut * (BPS - BigInt(this.constantProduct.feeBps)),
      den: reserveIn * BPS,
    };
  }
}
