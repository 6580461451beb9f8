import { reservesOf } from '../../market/cpmm.js';
import type { CurveContext } from '../../market/curve.js';
import { quoteSwap } from '../../market/pool-quote.js';
import type { PoolSnapshot, SwapDirection } from '../../market/types.js';
import { ConstantProductPool } from './constant-product.js';
import type { QuotedPool, Rate } from './types.js';

/**
 * A market snapshot as the cycle search sees it: a constant-product snapshot keeps its closed
 * form (`ConstantProductPool`); a pool with a curve quotes through the program's own maths
 * (`pool-quote.ts`), so a cycle across venues is sized on what each program pays.
 */
export function quotedPool(snapshot: PoolSnapshot, context: CurveContext): QuotedPool {
  return snapshot.curve === undefined
    ? new ConstantProductPool(snapshot)
    : new CurveSnapshotPool(snapshot, context);
}

/**
 * A curve pool. Its curve is concave (the `QuotedPool` rules: the venues' programs take fees in
 * proportion and move the price against the trader), so no breakpoints. A program that is
 * constant product on its virtual reserves is seeded by the closed form, one with other virtual
 * reserves has them place the closed form's window; any other is searched over the whole domain.
 */
export class CurveSnapshotPool implements QuotedPool {
  readonly id: string;
  readonly mintA: string;
  readonly mintB: string;
  /** A program whose curve is x·y = k on its virtual reserves: seeded by the closed form. */
  readonly constantProduct?: PoolSnapshot;
  /** Any other curve with virtual reserves: they place the closed form's window. */
  readonly closedFormSeed?: PoolSnapshot;

  constructor(
    readonly snapshot: PoolSnapshot,
    private readonly context: CurveContext,
  ) {
    this.id = snapshot.id;
    this.mintA = snapshot.mintA;
    this.mintB = snapshot.mintB;
    const maths = snapshot.curve?.maths;
    if (maths?.constantProduct === true) this.constantProduct = snapshot;
    else if (maths?.virtualReserves !== undefined) this.closedFormSeed = snapshot;
  }

  /**
   * What the program pays, made non-decreasing as the search requires: past the largest input the
   * program executes (a Whirlpool or DLMM swap that runs off its supplied tick or bin arrays is
   * refused and pays 0) the pool pays what that input pays. A cycle's profit then only falls past
   * it, so the exact search's optimum is an input the program executes; `pays` is the program's
   * own answer, by which a sized plan is checked before it becomes a candidate.
   */
  quote(direction: SwapDirection, amountIn: bigint): bigint {
    const out = this.pays(direction, amountIn);
    if (out > 0n || amountIn <= 1n) return out;
    const cap = this.capacity(direction, amountIn);
    return cap !== undefined && cap < amountIn ? this.pays(direction, cap) : out;
  }

  /** The program's quote as it is: 0 wherever it refuses. */
  pays(direction: SwapDirection, amountIn: bigint): bigint {
    return quoteSwap(this.snapshot, direction, amountIn, this.context);
  }

  private readonly caps = new Map<SwapDirection, bigint>();

  /**
   * The largest input the program executes in `direction`, found once per snapshot when an input
   * is refused: a paying input below `refused` by halving, then the edge by bisection (the
   * programs execute one interval of inputs: too small pays nothing, too large runs out). None
   * when nothing below `refused` pays (then `refused` is below that interval).
   */
  private capacity(direction: SwapDirection, refused: bigint): bigint | undefined {
    const known = this.caps.get(direction);
    if (known !== undefined) return known;
    let lo = refused / 2n;
    while (lo > 0n && this.pays(direction, lo) === 0n) lo /= 2n;
    if (lo === 0n) return undefined;
    let hi = refused;
    while (hi - lo > 1n) {
      const mid = (lo + hi) / 2n;
      if (this.pays(direction, mid) > 0n) lo = mid;
      else hi = mid;
    }
    this.caps.set(direction, lo);
    return lo;
  }

  /**
   * The price itself, fee left out: a concave curve pays at most its marginal rate at zero for
   * any input, and fee rounding on tiny inputs (AMM v4 rounds a fee below one half to 0) cannot
   * beat the fee-free rate. Only where the maths give virtual reserves at the price; otherwise the
   * snapshot's reserves are bookkeeping, and a zero denominator says there is no bound.
   */
  rateBound(direction: SwapDirection): Rate {
    if (this.snapshot.curve?.maths.virtualReserves === undefined) return { num: 0n, den: 0n };
    const [reserveIn, reserveOut] = reservesOf(this.snapshot, direction);
    // One part in a million over, for virtual reserves rounded off the exact price.
    return reserveIn > 0n
      ? { num: reserveOut * 1_000_001n, den: reserveIn * 1_000_000n }
      : { num: 0n, den: 0n };
  }
}
