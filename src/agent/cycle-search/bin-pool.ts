import type { SwapDirection } from '../../market/types.js';
import type { QuotedPool, Rate } from './types.js';

const BPS = 10_000n;

/** One price level: `num / den` output per input, until `capacity` output is taken. */
export interface Bin {
  readonly num: bigint;
  readonly den: bigint;
  readonly capacity: bigint;
}

/**
 * A piecewise-linear curve like a bin or tick book, for tests and benches of the cycle search
 * (the venues' real maths live with each venue): the fee is taken on the input and rounded
 * up, then bins fill in order, a drained bin costing ceil(capacity·den / num) of input and a
 * partial one paying floor(input·num / den). Past the last bin the input buys nothing more.
 *
 * With rates that never rise from one bin to the next (as real books are laid out) the curve
 * is concave and reports no breakpoints. With `reportBreakpoints` it reports the input where
 * each bin starts, so books whose rates rise again can be searched piece by piece.
 */
export class BinPool implements QuotedPool {
  constructor(
    readonly id: string,
    readonly mintA: string,
    readonly mintB: string,
    readonly feeBps: number,
    private readonly books: Readonly<Record<SwapDirection, readonly Bin[]>>,
    private readonly reportBreakpoints = false,
  ) {}

  quote(direction: SwapDirection, amountIn: bigint): bigint {
    let left = amountIn - (amountIn * BigInt(this.feeBps) + BPS - 1n) / BPS;
    let out = 0n;
    for (const bin of this.books[direction]) {
      if (left <= 0n) break;
      const drain = (bin.capacity * bin.den + bin.num - 1n) / bin.num;
      if (left >= drain) {
        out += bin.capacity;
        left -= drain;
      } else {
        out += (left * bin.num) / bin.den;
        left = 0n;
      }
    }
    return out;
  }

  /** The best bin's rate after the fee: no input is paid at a better one. */
  rateBound(direction: SwapDirection): Rate {
    let best: Bin | undefined;
    for (const bin of this.books[direction]) {
      if (best === undefined || bin.num * best.den > best.num * bin.den) best = bin;
    }
    if (best === undefined) return { num: 0n, den: 1n };
    return { num: best.num * (BPS - BigInt(this.feeBps)), den: best.den * BPS };
  }

  breakpoints(direction: SwapDirection, limit: bigint): readonly bigint[] {
    if (!this.reportBreakpoints) return [];
    const keep = BPS - BigInt(this.feeBps);
    if (keep <= 0n) return [];
    const out: bigint[] = [];
    let filled = 0n;
    for (const bin of this.books[direction]) {
      filled += (bin.capacity * bin.den + bin.num - 1n) / bin.num;
      // After the fee x keeps floor(x·keep / BPS): the smallest x keeping `filled` is a ceil.
      const x = (filled * BPS + keep - 1n) / keep;
      if (x > limit) break;
      out.push(x);
    }
    return out;
  }
}
