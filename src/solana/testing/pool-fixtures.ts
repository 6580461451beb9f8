import {
  type Address,
  Endian,
  getAddressEncoder,
  getProgramDerivedAddress,
  getU16Encoder,
} from '@solana/kit';
import { WSOL_MINT } from '../../market/types.js';
import {
  type AmmConfig,
  encodeAmmConfig,
  encodePoolState,
  encodeTokenAccount,
  type PoolState,
  RAYDIUM_CP_PROGRAM,
} from '../raydium-cp-layout.js';
import type { RaydiumCpPool } from '../raydium-cp-pool.js';
import { poolAuthority } from '../raydium-cp-swap.js';
import { decodeMint, type MintInfo, TOKEN_PROGRAM } from '../token-2022.js';
import { encodeMint } from './mint-fixtures.js';

/**
 * Raydium CP-Swap accounts built byte for byte from the program's documented layouts (see
 * `raydium-cp-layout.ts`), with realistic values: the real WSOL and USDC mints and token
 * program, and every other address derived the way the program derives it (AmmConfig
 * ["amm_config", index BE], pool ["pool", config, mint0, mint1], vaults ["pool_vault", pool,
 * mint], LP mint ["pool_lp_mint", pool], observation ["observation", pool]). They are NOT
 * captured from mainnet; no network is reachable here.
 */
export const USDC_MINT = 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v' as Address;
/** A protocol-owner key for the configs; any address does, it only receives fees. */
const OWNER = 'GThUX1Atko4tqhN2NaiTazWSeFWMuiUvfFnyJyUghFMJ' as Address;

export interface PoolFixtureSpec {
  readonly configIndex: number;
  /** Parts per million. */
  readonly tradeFeeRate: bigint;
  /** Tradable reserves, atomic units (WSOL lamports, USDC 10⁻⁶). */
  readonly wsol: bigint;
  readonly usdc: bigint;
  /** Protocol and fund fees accrued in the vaults (not tradable). */
  readonly accruedWsol?: bigint;
  readonly accruedUsdc?: bigint;
  /** The pool creator's fee; none when absent. */
  readonly creatorFee?: {
    /** Parts per million, on the config. */
    readonly rate: bigint;
    /** `creator_fee_on`: 0 either input, 1 token 0 only, 2 token 1 only. */
    readonly on: 0 | 1 | 2;
    readonly enabled: boolean;
    /** Creator fees accrued in the vaults (not tradable). */
    readonly accruedWsol?: bigint;
    readonly accruedUsdc?: bigint;
  };
}

export interface PoolFixture {
  readonly address: Address;
  readonly state: PoolState;
  readonly config: AmmConfig;
  readonly configAddress: Address;
  /** Token 0 and token 1, decoded from their mint accounts. */
  readonly mints: readonly [MintInfo, MintInfo];
  /** Every account of the pool, its two mints included: address → data. */
  readonly accounts: Map<Address, Uint8Array>;
}

const enc = getAddressEncoder();

async function pda(
  seeds: Parameters<typeof getProgramDerivedAddress>[0]['seeds'],
): Promise<Address> {
  const [a] = await getProgramDerivedAddress({ programAddress: RAYDIUM_CP_PROGRAM, seeds });
  return a;
}

/** Token 0 is the mint with the smaller 32-byte key, as the program requires. */
export function ordered(a: Address, b: Address): [Address, Address] {
  const x = enc.encode(a);
  const y = enc.encode(b);
  for (let i = 0; i < 32; i++)
    if (x[i] !== y[i]) return (x[i] as number) < (y[i] as number) ? [a, b] : [b, a];
  return [a, b];
}

export async function buildPool(spec: PoolFixtureSpec): Promise<PoolFixture> {
  const configAddress = await pda([
    'amm_config',
    getU16Encoder({ endian: Endian.Big }).encode(spec.configIndex),
  ]);
  const [mint0, mint1] = ordered(WSOL_MINT as Address, USDC_MINT);
  const address = await pda([
    'pool',
    enc.encode(configAddress),
    enc.encode(mint0),
    enc.encode(mint1),
  ]);
  const vault0 = await pda(['pool_vault', enc.encode(address), enc.encode(mint0)]);
  const vault1 = await pda(['pool_vault', enc.encode(address), enc.encode(mint1)]);
  const wsolIs0 = mint0 === WSOL_MINT;
  const accrued0 = (wsolIs0 ? spec.accruedWsol : spec.accruedUsdc) ?? 0n;
  const accrued1 = (wsolIs0 ? spec.accruedUsdc : spec.accruedWsol) ?? 0n;
  const cf = spec.creatorFee;
  const creator0 = (wsolIs0 ? cf?.accruedWsol : cf?.accruedUsdc) ?? 0n;
  const creator1 = (wsolIs0 ? cf?.accruedUsdc : cf?.accruedWsol) ?? 0n;
  const config: AmmConfig = {
    bump: 254,
    disableCreatePool: false,
    index: spec.configIndex,
    tradeFeeRate: spec.tradeFeeRate,
    protocolFeeRate: 120_000n,
    fundFeeRate: 40_000n,
    createPoolFee: 150_000_000n,
    protocolOwner: OWNER,
    fundOwner: OWNER,
    creatorFeeRate: cf?.rate ?? 0n,
  };
  const state: PoolState = {
    ammConfig: configAddress,
    poolCreator: OWNER,
    token0Vault: vault0,
    token1Vault: vault1,
    lpMint: await pda(['pool_lp_mint', enc.encode(address)]),
    token0Mint: mint0,
    token1Mint: mint1,
    token0Program: TOKEN_PROGRAM,
    token1Program: TOKEN_PROGRAM,
    observationKey: await pda(['observation', enc.encode(address)]),
    authBump: 253,
    status: 0,
    lpMintDecimals: 9,
    mint0Decimals: wsolIs0 ? 9 : 6,
    mint1Decimals: wsolIs0 ? 6 : 9,
    lpSupply: 9_354_143_921_388n,
    // Protocol and fund fees split the accrued amount 3:1, as their rates do.
    protocolFeesToken0: (accrued0 * 3n) / 4n,
    protocolFeesToken1: (accrued1 * 3n) / 4n,
    fundFeesToken0: accrued0 - (accrued0 * 3n) / 4n,
    fundFeesToken1: accrued1 - (accrued1 * 3n) / 4n,
    openTime: 1_717_000_000n,
    recentEpoch: 712n,
    creatorFeeOn: cf?.on ?? 0,
    enableCreatorFee: cf?.enabled ?? false,
    creatorFeesToken0: creator0,
    creatorFeesToken1: creator1,
  };
  const authority = await poolAuthority();
  const reserve0 = (wsolIs0 ? spec.wsol : spec.usdc) + accrued0 + creator0;
  const reserve1 = (wsolIs0 ? spec.usdc : spec.wsol) + accrued1 + creator1;
  const mintData0 = encodeMint({ program: TOKEN_PROGRAM, decimals: state.mint0Decimals });
  const mintData1 = encodeMint({ program: TOKEN_PROGRAM, decimals: state.mint1Decimals });
  const accounts = new Map<Address, Uint8Array>([
    [address, encodePoolState(state)],
    [configAddress, encodeAmmConfig(config)],
    [vault0, encodeTokenAccount({ mint: mint0, owner: authority, amount: reserve0 })],
    [vault1, encodeTokenAccount({ mint: mint1, owner: authority, amount: reserve1 })],
    [mint0, mintData0],
    [mint1, mintData1],
  ]);
  const mints = [
    decodeMint(mintData0, TOKEN_PROGRAM, `fixture mint ${mint0}`),
    decodeMint(mintData1, TOKEN_PROGRAM, `fixture mint ${mint1}`),
  ] as const;
  return { address, state, config, configAddress, mints, accounts };
}

/** The fixture as the venue maths see it, trading in the pool's recorded epoch. */
export function modelOf(p: PoolFixture): RaydiumCpPool {
  const balance = (vault: Address) => {
    const data = p.accounts.get(vault) as Uint8Array;
    return new DataView(data.buffer, data.byteOffset, data.byteLength).getBigUint64(64, true);
  };
  return {
    address: p.address,
    state: p.state,
    config: p.config,
    vault0Amount: balance(p.state.token0Vault),
    vault1Amount: balance(p.state.token1Vault),
    mints: p.mints,
    epoch: p.state.recentEpoch,
  };
}

/** The vault account of `pool` for `mint` with a new balance (what a swap leaves behind). */
export async function vaultWithBalance(
  pool: PoolFixture,
  token: 0 | 1,
  amount: bigint,
): Promise<[Address, Uint8Array]> {
  const s = pool.state;
  const vault = token === 0 ? s.token0Vault : s.token1Vault;
  const mint = token === 0 ? s.token0Mint : s.token1Mint;
  return [vault, encodeTokenAccount({ mint, owner: await poolAuthority(), amount })];
}

/**
 * A 0.25 % WSOL/USDC pool whose creator takes 0.05 % in USDC only (`creator_fee_on` = USDC's
 * side), with creator fees already accrued in both vaults.
 */
export function creatorFeePool(): Promise<PoolFixture> {
  const usdcIs0 = ordered(WSOL_MINT as Address, USDC_MINT)[0] === USDC_MINT;
  return buildPool({
    configIndex: 2,
    tradeFeeRate: 2_500n,
    wsol: 25_000_000_000_000n,
    usdc: 3_500_000_000_000n,
    accruedWsol: 41_000_000n,
    accruedUsdc: 5_800_000n,
    creatorFee: {
      rate: 500n,
      on: usdcIs0 ? 1 : 2,
      enabled: true,
      accruedWsol: 3_000_000n,
      accruedUsdc: 700_000n,
    },
  });
}

/** The two pools the protocol and dry-run tests trade: WSOL/USDC at $140 (0.25 %) and $145 (1 %). */
export function dislocatedPools(): Promise<[PoolFixture, PoolFixture]> {
  return Promise.all([
    buildPool({
      configIndex: 0,
      tradeFeeRate: 2_500n,
      wsol: 25_000_000_000_000n,
      usdc: 3_500_000_000_000n,
      accruedWsol: 41_000_000n,
      accruedUsdc: 5_800_000n,
    }),
    buildPool({
      configIndex: 1,
      tradeFeeRate: 10_000n,
      wsol: 2_000_000_000_000n,
      usdc: 290_000_000_000n,
    }),
  ]);
}
