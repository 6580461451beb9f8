import type { SwapDirection } from './types.js';

/**
 * Exact pricing of a pool whose curve is not the plain constant product of its snapshot's
 * `reserveA`/`reserveB` and `feeBps` (concentrated liquidity, bins, a program with its own fee
 * rules). Every venue under `src/solana/venues` is one (its `quote` and `apply` are these), so
 * the engine, the cycle search and the simulator price such a pool with the program's own integer
 * maths and never need to know which program it is.
 */
export interface CurveMaths<State = unknown> {
  /** The venue's stable name, as `PoolSnapshot.venue` carries it. */
  readonly name: string;
  /** Exact-in swap, as the program computes it; never throws on pool state. */
  quote(
    state: State,
    direction: SwapDirection,
    amountIn: bigint,
    context: CurveContext,
  ): CurveQuote | CurveRefusal;
  /** The state after the quoted swap lands. Pure: its argument is left unchanged. */
  apply(state: State, quote: CurveQuote, context: CurveContext): State;
  /**
   * The pool's virtual reserves `[a, b]` at its current price: a constant-product pool with
   * these reserves has the same price and, near it, the same depth. Optional: without it a
   * snapshot's reserves are carried forward by the swaps' amounts (`pool-quote.ts`).
   */
  virtualReserves?(state: State): readonly [bigint, bigint];
  /**
   * True where the program's curve is x·y = k on `virtualReserves`, its fee taken on the input
   * (Raydium AMM v4, CP-Swap): then the closed form of constant product places the optimal size
   * of a cycle through it, and only the amounts come from `quote`.
   */
  readonly constantProduct?: boolean;
}

/** Cluster facts a program reads from its sysvars. */
export interface CurveContext {
  /** `Clock::unix_timestamp`: open times, fee decay, oracle windows. */
  readonly unixTimestamp: bigint;
  /** `Clock::epoch`: Token-2022 transfer fees change at epoch boundaries. */
  readonly epoch: bigint;
  /**
   * `Clock::slot`: pools that open at a slot (DLMM pairs activated by slot). Optional: where it
   * is unknown such a pool refuses rather than guess.
   */
  readonly slot?: bigint;
}

export interface CurveQuote {
  readonly ok: true;
  readonly direction: SwapDirection;
  /** What leaves the payer's input account. */
  readonly amountIn: bigint;
  /** What reaches the payer's output account. */
  readonly amountOut: bigint;
  /** The pool's fee, in the input token. */
  readonly fee: bigint;
}

export interface CurveRefusal {
  readonly ok: false;
  /** The program's error name, or `ArithmeticAbort` for a panic. */
  readonly refusal: string;
}

/** A pool's exact curve and its current state, carried on its snapshot. */
export interface PoolCurve<State = unknown> {
  readonly maths: CurveMaths<State>;
  readonly state: State;
}
