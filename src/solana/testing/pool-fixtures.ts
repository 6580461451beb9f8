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
import { poolAuthority } from '../raydium-cp-swap.js';

/**
 * Raydium CP-Swap accounts built byte for byte from the program's documented layouts (see
 * `raydium-cp-layout.ts`), with realistic values: the real WSOL and USDC mints and token
 * program, and every other address derived the way the program derives it (AmmConfig
 * ["amm_config", index BE], pool ["pool", config, mint0, mint1], vaults ["pool_vault", pool,
 * mint], LP mint ["pool_lp_mint", pool], observation ["observation", pool]). They are NOT
 * captured from mainnet; no network is reachable here.
 */
export const USDC_MINT = 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v' as Address;
export const TOKEN_PROGRAM = 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA' as Address;
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
}

export interface PoolFixture {
  readonly address: Address;
  readonly state: PoolState;
  readonly config: AmmConfig;
  readonly configAddress: Address;
  /** Every account of the pool: address → data. */
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
  };
  const authority = await poolAuthority();
  const reserve0 = (wsolIs0 ? spec.wsol : spec.usdc) + accrued0;
  const reserve1 = (wsolIs0 ? spec.usdc : spec.wsol) + accrued1;
  const accounts = new Map<Address, Uint8Array>([
    [address, encodePoolState(state)],
    [configAddress, encodeAmmConfig(config)],
    [vault0, encodeTokenAccount({ mint: mint0, owner: authority, amount: reserve0 })],
    [vault1, encodeTokenAccount({ mint: mint1, owner: authority, amount: reserve1 })],
  ]);
  return { address, state, config, configAddress, accounts };
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
