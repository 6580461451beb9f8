import type { Address } from '@solana/kit';
import type { CurveMaths } from '../../../market/curve.js';
import type { AmmConfig, PoolState } from '../../raydium-cp-layout.js';
import { poolReserves, type RaydiumCpPool } from '../../raydium-cp-pool.js';
import { plainMint } from '../../token-2022.js';
import type { SimulatedPoolFactory } from '../simulated.js';
import { type CpSwapQuote, raydiumCp } from './venue.js';

/**
 * A CP-Swap pool for the simulator, priced by the live venue's maths: both mints plain SPL
 * (no transfer fee), no creator fee, the trade fee `feeBps` (in the program's parts per million)
 * of which the protocol keeps 12 % and the fund 4 %, as Raydium's standard configs do; those
 * shares accrue in the vaults and leave the curve, as on chain. Accounts the maths never read
 * carry the mint labels. A constant-product curve has no shape to draw: `seed` is not used.
 */
export const simulatedRaydiumCp: SimulatedPoolFactory<RaydiumCpPool> = (spec) => {
  const mint0 = spec.mintA as Address;
  const mint1 = spec.mintB as Address;
  const state: RaydiumCpPool = {
    address: mint0,
    state: poolState(mint0, mint1),
    config: ammConfig(mint0, BigInt(spec.feeBps) * 100n),
    vault0Amount: spec.reserveA,
    vault1Amount: spec.reserveB,
    mints: [plainMint(0), plainMint(0)],
    epoch: 0n,
  };
  return { curve: { maths: cpCurve, state }, reserveA: spec.reserveA, reserveB: spec.reserveB };
};

const cpCurve: CurveMaths<RaydiumCpPool> = {
  name: raydiumCp.name,
  quote: (state, direction, amountIn, context) =>
    raydiumCp.quote(state, direction, amountIn, context),
  apply: (state, quote, context) => raydiumCp.apply(state, quote as CpSwapQuote, context),
  virtualReserves: poolReserves,
  constantProduct: true,
};

function poolState(mint0: Address, mint1: Address): PoolState {
  return {
    ammConfig: mint0,
    poolCreator: mint0,
    token0Vault: mint0,
    token1Vault: mint1,
    lpMint: mint0,
    token0Mint: mint0,
    token1Mint: mint1,
    token0Program: plainMint(0).program,
    token1Program: plainMint(0).program,
    observationKey: mint0,
    authBump: 0,
    status: 0,
    lpMintDecimals: 9,
    mint0Decimals: 0,
    mint1Decimals: 0,
    lpSupply: 0n,
    protocolFeesToken0: 0n,
    protocolFeesToken1: 0n,
    fundFeesToken0: 0n,
    fundFeesToken1: 0n,
    openTime: 0n,
    recentEpoch: 0n,
    creatorFeeOn: 0,
    enableCreatorFee: false,
    creatorFeesToken0: 0n,
    creatorFeesToken1: 0n,
  };
}

function ammConfig(owner: Address, tradeFeeRate: bigint): AmmConfig {
  return {
    bump: 0,
    disableCreatePool: false,
    index: 0,
    tradeFeeRate,
    protocolFeeRate: 120_000n,
    fundFeeRate: 40_000n,
    createPoolFee: 0n,
    protocolOwner: owner,
    fundOwner: owner,
    creatorFeeRate: 0n,
  };
}
