import type { PoolCurve } from '../../market/curve.js';

/**
 * What the simulator asks of a venue: a pool of that program built in memory, priced by the same
 * maths module as the live pool, so backtests and `landfall up` trade across curve types. The
 * pool's price is `reserveB / reserveA` (atomic units) and its depth near that price matches a
 * constant-product pool with these reserves; how the liquidity is shaped beyond (ticks, bins,
 * positions) is the venue's choice, drawn from `seed` so a run is reproducible.
 */
export interface SimulatedPoolSpec {
  /** Mint labels as the simulator names them (`sim:XYZ`, the wSOL mint). */
  readonly mintA: string;
  readonly mintB: string;
  readonly reserveA: bigint;
  readonly reserveB: bigint;
  /** The pool's swap fee, in basis points. */
  readonly feeBps: number;
  readonly seed: number;
}

/** A simulated pool: its exact curve and state, and its virtual reserves at the current price. */
export interface SimulatedPool<State = unknown> {
  readonly curve: PoolCurve<State>;
  readonly reserveA: bigint;
  readonly reserveB: bigint;
}

/** Each venue's `sim.ts` exports one of these. */
export type SimulatedPoolFactory<State = unknown> = (
  spec: SimulatedPoolSpec,
) => SimulatedPool<State>;
