import type { CurveMaths } from '../market/curve.js';
import { simulatedDlmm } from '../solana/venues/meteora-dlmm/sim.js';
import { simulatedWhirlpool } from '../solana/venues/orca-whirlpool/sim.js';
import type { WhirlpoolQuote, WhirlpoolState } from '../solana/venues/orca-whirlpool/state.js';
import { orcaWhirlpool } from '../solana/venues/orca-whirlpool/venue.js';
import { simulatedAmmV4 } from '../solana/venues/raydium-amm-v4/sim.js';
import { simulatedRaydiumCp } from '../solana/venues/raydium-cp/sim.js';
import type { SimulatedPoolFactory } from '../solana/venues/simulated.js';

/**
 * The curve a simulated venue's pools run on. `constant_product` is the simulator's own x·y = k
 * of `cpmm.ts` (no `curve` on the snapshot: the default market); every other kind is a live
 * venue's exact maths, its pools built in memory by the venue's `sim.ts`.
 */
export const CURVE_KINDS = [
  'constant_product',
  'raydium_amm_v4',
  'raydium_cp',
  'orca_whirlpool',
  'meteora_dlmm',
] as const;

export type CurveKind = (typeof CURVE_KINDS)[number];

/** Each kind's pool factory; a kind missing here cannot be simulated yet. */
const FACTORIES: Partial<Record<CurveKind, SimulatedPoolFactory>> = {
  raydium_amm_v4: simulatedAmmV4 as SimulatedPoolFactory,
  raydium_cp: simulatedRaydiumCp as SimulatedPoolFactory,
  meteora_dlmm: simulatedDlmm as SimulatedPoolFactory,
  orca_whirlpool: ((spec) => {
    const built = simulatedWhirlpool(spec);
    return { ...built, curve: { maths: whirlpoolCurve, state: built.curve.state } };
  }) as SimulatedPoolFactory,
};

/**
 * The Whirlpool venue's maths with its virtual reserves: L/√P and L·√P (Q64.64), the constant
 * product the pool is within its current tick range. The venue's `sim.ts` is the place for
 * them; until it has them, they are added here.
 */
const whirlpoolCurve: CurveMaths<WhirlpoolState> = {
  name: orcaWhirlpool.name,
  quote: (state, direction, amountIn, context) =>
    orcaWhirlpool.quote(state, direction, amountIn, context),
  apply: (state, quote, context) => orcaWhirlpool.apply(state, quote as WhirlpoolQuote, context),
  virtualReserves: (state) => {
    const { liquidity, sqrtPrice } = state.pool.whirlpool;
    return sqrtPrice === 0n
      ? [0n, 0n]
      : [(liquidity << 64n) / sqrtPrice, (liquidity * sqrtPrice) >> 64n];
  },
};

/** The factory of `kind`; undefined for constant product (no curve) and unbuilt kinds. */
export function poolFactory(kind: CurveKind): SimulatedPoolFactory | undefined {
  return FACTORIES[kind];
}

/** Whether the simulator can build pools of `kind`. */
export function simulatable(kind: CurveKind): boolean {
  return kind === 'constant_product' || FACTORIES[kind] !== undefined;
}

/** The kinds the simulator can build, for error messages. */
export function simulatableKinds(): CurveKind[] {
  return CURVE_KINDS.filter(simulatable);
}
