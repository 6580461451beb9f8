import type { PoolSnapshot, SwapDirection } from '../../market/types.js';

/**
 * What the cycle search needs of a pool, whatever its venue or curve: two mints and an exact
 * integer quote. Rules every pool keeps (the search's correctness rests on them):
 * - `quote(d, x)` is the output the program pays for input `x`, to the atomic unit (its own
 *   integer widths, rounding and fees), and is non-decreasing in `x`, with `quote(d, 0) = 0`.
 * - Between consecutive `breakpoints` (or on the whole domain when it reports none) the real
 *   curve the quote rounds is concave: each further unit in buys no more than the one before.
 *   Constant product, concentrated liquidity (the price moves against the trader whatever the
 *   tick's liquidity) and bins (each bin's price is worse than the last) all are, fees
 *   proportional to the input included. A curve whose marginal rate can rise again (a transfer
 *   fee that stops at a cap, a fixed fee per swap) must report where.
 * - `rateBound(d)`, when given, bounds `quote(d, x) / x` from above for every `x ≥ 1` (for a
 *   curve concave through 0, its marginal rate at 0). Concavity is what makes the sizing fast;
 *   monotonicity alone is what makes its certificate sound (`maximise.ts`).
 */
export interface QuotedPool {
  readonly id: string;
  readonly mintA: string;
  readonly mintB: string;
  quote(direction: SwapDirection, amountIn: bigint): bigint;
  rateBound?(direction: SwapDirection): Rate;
  /** Inputs in (0, limit] where the curve may stop being concave, in any order. */
  breakpoints?(direction: SwapDirection, limit: bigint): readonly bigint[];
  /** Set when the pool is constant product: its cycles are seeded by the closed form. */
  readonly constantProduct?: PoolSnapshot;
  /**
   * A constant-product stand-in near the current price (a curve's virtual reserves), where the
   * pool is not constant product: it places the closed form's window, never decides the size.
   */
  readonly closedFormSeed?: PoolSnapshot;
}

/** num / den, exact. A zero `den` stands for no bound. */
export interface Rate {
  readonly num: bigint;
  readonly den: bigint;
}

/** A mint the wallet holds, which cycles start and end in, and the most one may spend. */
export interface BaseMint {
  readonly mint: string;
  readonly maxIn: bigint;
  /** The least profit worth a trade, atomic units of this mint (default 1). */
  readonly minProfit?: bigint;
}

/**
 * Where a pool's current state lives. The graph replaces `pool` on every update; cycles hold
 * the slot, so re-evaluating one reads the new state without a lookup.
 */
export interface PoolSlot {
  pool: QuotedPool;
  /** `pool`'s rate bounds, filled on first use; whoever replaces `pool` clears them. */
  rates?: SlotRates | undefined;
}

/** A direction's rate bound with its natural log, for the float pre-check of `chain.ts`. */
export interface CachedRate {
  readonly rate: Rate;
  readonly log: number;
}

export type SlotRates = Readonly<Record<SwapDirection, CachedRate | null>>;

export interface CycleHop {
  readonly slot: PoolSlot;
  readonly direction: SwapDirection;
}

/** base → … → base over 2 or 3 distinct pools; `key` names it (base, pools, directions). */
export interface Cycle {
  readonly key: string;
  readonly base: string;
  readonly hops: readonly CycleHop[];
}

export interface SizedCycle {
  readonly cycle: Cycle;
  readonly amountIn: bigint;
  readonly amountOut: bigint;
  /** amountOut − amountIn, exact, in atomic units of the base mint. */
  readonly profit: bigint;
  /**
   * No input in [1, maxIn] earns more than this. Equal to `profit` when the search proved its
   * input optimal; above it when the evaluation budget ran out first (the bound is then loose:
   * the input found is within about the curves' rounding sawtooth of the optimum, see
   * `maximise.ts`) or when what is left unexamined could not reach `minProfit` anyway.
   */
  readonly profitBound: bigint;
}
