import type { Address } from '@solana/kit';
import type { Rng } from '../../random/rng.js';
import {
  type AmmConfig,
  decodeAmmConfig,
  encodeAmmConfig,
  encodePoolState,
  type PoolState,
  withPoolStateCounters,
} from '../../solana/raydium-cp-layout.js';
import type { RaydiumCpPool } from '../../solana/raydium-cp-pool.js';
import {
  type MintInfo,
  TOKEN_2022_PROGRAM,
  TOKEN_PROGRAM,
  type TransferFee,
} from '../../solana/token-2022.js';

/**
 * Random CP-Swap pool states for the SDK parity check: reserves and accrued protocol, fund and
 * creator fees over the whole u64 range (log-uniform), trade / protocol / fund / creator rates in
 * parts per million (whole basis points or not), every creator-fee mode enabled or not, and each
 * mint SPL Token or Token-2022 with or without a transfer fee (older and newer, by epoch; 0 to
 * 100 %, maximum fee small or huge). A third of the swaps are exact-output.
 */

const ADDR = [
  'D4FPEruKEHrG5TenZ2mpDGEfu1iUvTiqBxvpU8HLBvC2',
  'So11111111111111111111111111111111111111112',
  'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v',
] as Address[];

/** Log-uniform below 2^bits, with random low bits so large values are not round. */
function amount(rng: Rng, bits: number): bigint {
  const v = BigInt(Math.floor(2 ** rng.uniform(0, bits)));
  const low = BigInt(rng.nextU32()) % (v + 1n);
  return v > 1n << 32n ? ((v >> 32n) << 32n) | low : v;
}

function randomFee(rng: Rng): TransferFee {
  const bps = [0, 1, 25, 100, 250, 5_000, 9_999, 10_000][rng.int(8)] as number;
  return {
    epoch: BigInt(rng.int(1_000)),
    maximumFee: rng.chance(0.5) ? amount(rng, 64) : amount(rng, 24),
    basisPoints: rng.chance(0.2) ? rng.int(10_001) : bps,
  };
}

function randomMint(rng: Rng): MintInfo {
  if (rng.chance(0.4)) return { program: TOKEN_PROGRAM, decimals: 9, transferFee: null };
  return {
    program: TOKEN_2022_PROGRAM,
    decimals: 6,
    transferFee: rng.chance(0.85)
      ? { olderTransferFee: randomFee(rng), newerTransferFee: randomFee(rng) }
      : null,
  };
}

export interface Case {
  readonly pool: RaydiumCpPool;
  /** The pool's PoolState and AmmConfig accounts as Landfall encodes them. */
  readonly stateBytes: Uint8Array;
  readonly configBytes: Uint8Array;
  readonly direction: 'aToB' | 'bToA';
  readonly amount: bigint;
  readonly exactOut: boolean;
}

/**
 * PoolState and AmmConfig bytes: Landfall's encoder on every `FULL_ENCODE_EVERY`th case; between
 * them, the fixed-address template with the fields a case varies written at their packed offsets
 * (base58 addresses make the full encoder the slowest step). Both decoders then read them.
 */
export const FULL_ENCODE_EVERY = 16;
let templates: { state: Uint8Array; config: Uint8Array } | undefined;

function accountBytes(
  state: PoolState,
  config: AmmConfig,
  full: boolean,
): [Uint8Array, Uint8Array] {
  if (full) return [encodePoolState(state), encodeAmmConfig(config)];
  templates ??= { state: encodePoolState(state), config: encodeAmmConfig(config) };
  const st = new Uint8Array(templates.state);
  const v = new DataView(st.buffer);
  const u64s: Array<[number, bigint]> = [
    [333, state.lpSupply],
    [341, state.protocolFeesToken0],
    [349, state.protocolFeesToken1],
    [357, state.fundFeesToken0],
    [365, state.fundFeesToken1],
    [381, state.recentEpoch],
    [397, state.creatorFeesToken0],
    [405, state.creatorFeesToken1],
  ];
  for (const [at, value] of u64s) v.setBigUint64(at, value, true);
  st[389] = state.creatorFeeOn;
  st[390] = state.enableCreatorFee ? 1 : 0;
  const cf = new Uint8Array(templates.config);
  const w = new DataView(cf.buffer);
  for (const [at, value] of [
    [12, config.tradeFeeRate],
    [20, config.protocolFeeRate],
    [28, config.fundFeeRate],
    [108, config.creatorFeeRate],
  ] as const)
    w.setBigUint64(at, value, true);
  return [st, cf];
}

/** One random pool state and swap; every `FULL_ENCODE_EVERY`th is fully encoded. */
export function randomCase(rng: Rng, full: boolean): Case {
  const reserve = () => 1n + amount(rng, 62);
  const accrued = () => (rng.chance(0.3) ? 0n : amount(rng, 40));
  const [p0, p1, f0, f1, c0, c1] = [
    accrued(),
    accrued(),
    accrued(),
    accrued(),
    accrued(),
    accrued(),
  ];
  const state: PoolState = {
    ammConfig: ADDR[0] as Address,
    poolCreator: ADDR[0] as Address,
    token0Vault: ADDR[0] as Address,
    token1Vault: ADDR[0] as Address,
    lpMint: ADDR[0] as Address,
    token0Mint: ADDR[1] as Address,
    token1Mint: ADDR[2] as Address,
    token0Program: TOKEN_PROGRAM,
    token1Program: TOKEN_PROGRAM,
    observationKey: ADDR[0] as Address,
    authBump: 255,
    status: 0,
    lpMintDecimals: 9,
    mint0Decimals: 9,
    mint1Decimals: 6,
    lpSupply: amount(rng, 60),
    protocolFeesToken0: p0,
    protocolFeesToken1: p1,
    fundFeesToken0: f0,
    fundFeesToken1: f1,
    openTime: 0n,
    recentEpoch: BigInt(rng.int(1_000)),
    creatorFeeOn: rng.int(3),
    enableCreatorFee: rng.chance(0.7),
    creatorFeesToken0: c0,
    creatorFeesToken1: c1,
  };
  // Every Raydium config charges a trade fee (with none, a creator fee on the input divides by zero).
  const rate = (max: number) =>
    BigInt(rng.chance(0.5) ? rng.int(max) : ([100, 2_500, 10_000][rng.int(3)] as number));
  const config: AmmConfig = {
    bump: 255,
    disableCreatePool: false,
    index: 0,
    tradeFeeRate: 1n + rate(100_000),
    protocolFeeRate: rate(1_000_000),
    fundFeeRate: rate(1_000_000),
    createPoolFee: 0n,
    protocolOwner: ADDR[0] as Address,
    fundOwner: ADDR[0] as Address,
    creatorFeeRate: rate(50_000),
  };
  // Round-trip through Landfall's own layout, as the live path re-reads a pool after a swap.
  const [stateBytes, configBytes] = accountBytes(state, config, full);
  const s = withPoolStateCounters(state, stateBytes, 'parity');
  const c = full ? decodeAmmConfig(configBytes, 'parity') : config;
  const pool: RaydiumCpPool = {
    address: ADDR[0] as Address,
    state: s,
    config: c,
    vault0Amount: reserve() + p0 + f0 + c0,
    vault1Amount: reserve() + p1 + f1 + c1,
    mints: [randomMint(rng), randomMint(rng)],
    epoch: BigInt(rng.int(1_000)),
  };
  const exactOut = rng.chance(0.3);
  const direction = rng.chance(0.5) ? 'aToB' : 'bToA';
  const out =
    direction === 'aToB' ? pool.vault1Amount - p1 - f1 - c1 : pool.vault0Amount - p0 - f0 - c0;
  return {
    pool,
    stateBytes,
    configBytes,
    direction,
    amount: exactOut ? 1n + (amount(rng, 62) % (out / 2n + 1n)) : 1n + amount(rng, 63),
    exactOut,
  };
}
