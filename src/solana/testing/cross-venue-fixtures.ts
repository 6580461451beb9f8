import { type Address, getAddressEncoder } from '@solana/kit';
import { WSOL_MINT } from '../../market/types.js';
import { cpLivePool, type LivePool } from '../live-pool.js';
import { encodePoolState, encodeTokenAccount } from '../raydium-cp-layout.js';
import type { RaydiumCpPool } from '../raydium-cp-pool.js';
import { TOKEN_PROGRAM } from '../token-2022.js';
import {
  AMM_AUTHORITY,
  ammInfoBytes,
  fixtureKey,
  USDC_MINT,
} from '../venues/raydium-amm-v4/fixture.js';
import { raydiumAmmV4 } from '../venues/raydium-amm-v4/venue.js';
import { encodeMint } from './mint-fixtures.js';
import { dislocatedPools, modelOf } from './pool-fixtures.js';

/**
 * Pools of two venues that chain into cycles, for the cross-venue plan and transaction tests:
 * the CP-Swap fixture pools (WSOL/USDC at $145, 1 %, and one at $140 whose USDC side is swapped
 * for a third mint X, so a cycle can close through it), and AMM v4 pools built from the venue's
 * byte-for-byte AmmInfo fixture with their keys and mints patched at the layout's offsets
 * (coin vault 336, pc vault 368, coin mint 400, pc mint 432).
 */
export const X_MINT = fixtureKey(77);
const WSOL = WSOL_MINT as Address;
const CONTEXT = { unixTimestamp: 1_750_000_000n, epoch: 712n };
const addressEncoder = getAddressEncoder();

export interface AmmV4Spec {
  readonly address: Address;
  readonly coinMint: Address;
  readonly pcMint: Address;
  readonly coin: bigint;
  readonly pc: bigint;
}

/** An AMM v4 pool's accounts (AmmInfo, coin vault, pc vault), no PnL owed, 0.25 % fee. */
export function ammV4Accounts(spec: AmmV4Spec, tag: number): Map<Address, Uint8Array> {
  const info = ammInfoBytes({ needTakePnl: [0n, 0n] });
  const coinVault = fixtureKey(tag);
  const pcVault = fixtureKey(tag + 1);
  const key = (at: number, a: Address) => info.set(addressEncoder.encode(a), at);
  key(336, coinVault);
  key(368, pcVault);
  key(400, spec.coinMint);
  key(432, spec.pcMint);
  const vault = (mint: Address, amount: bigint) =>
    encodeTokenAccount({ mint, owner: AMM_AUTHORITY, amount });
  return new Map([
    [spec.address, info],
    [coinVault, vault(spec.coinMint, spec.coin)],
    [pcVault, vault(spec.pcMint, spec.pc)],
  ]);
}

export function ammV4LivePool(accounts: ReadonlyMap<Address, Uint8Array>, pool: Address): LivePool {
  const state = raydiumAmmV4.decode(pool, (a) => accounts.get(a), CONTEXT);
  const s = raydiumAmmV4.snapshot(pool, state);
  return {
    address: pool,
    venue: raydiumAmmV4,
    state,
    context: CONTEXT,
    mintA: s.mintA as Address,
    mintB: s.mintB as Address,
  };
}

/** A CP-Swap pool at `address` with its USDC side traded for `mint` (its other keys as built). */
export function withMint(pool: RaydiumCpPool, address: Address, mint: Address): RaydiumCpPool {
  const s = pool.state;
  return {
    ...pool,
    address,
    state: {
      ...s,
      token0Mint: s.token0Mint === USDC_MINT ? mint : s.token0Mint,
      token1Mint: s.token1Mint === USDC_MINT ? mint : s.token1Mint,
    },
  };
}

export interface CrossVenuePools {
  /** CP-Swap WSOL/USDC at $145, 1 % fee. */
  readonly cpHigh: LivePool;
  /** CP-Swap WSOL/X at 140 X per SOL, 0.25 %. */
  readonly cpX: LivePool;
  /** AMM v4 WSOL/USDC at $162 (coin WSOL). */
  readonly ammSol: LivePool;
  /** AMM v4 X/USDC at 1:1 (coin X). */
  readonly ammX: LivePool;
  /** CP-Swap WSOL/USDC at $140, 0.25 %. */
  readonly cpLow: LivePool;
  /** Every account of the AMM v4 pools. */
  readonly ammAccounts: Map<Address, Uint8Array>;
  /** Every account of the CP-Swap pools (cpX shares cpLow's vaults and config), and the X mint. */
  readonly cpAccounts: Map<Address, Uint8Array>;
}

export async function crossVenuePools(): Promise<CrossVenuePools> {
  const [low, high] = await dislocatedPools();
  const ammSolAccounts = ammV4Accounts(
    {
      address: fixtureKey(41),
      coinMint: WSOL,
      pcMint: USDC_MINT,
      coin: 10_000_000_000_000n,
      pc: 1_620_000_000_000n,
    },
    42,
  );
  const ammXAccounts = ammV4Accounts(
    {
      address: fixtureKey(51),
      coinMint: X_MINT,
      pcMint: USDC_MINT,
      coin: 5_000_000_000_000n,
      pc: 5_000_000_000_000n,
    },
    52,
  );
  const cpX = withMint(modelOf(low), fixtureKey(61), X_MINT);
  const cpAccounts = new Map([
    ...low.accounts,
    ...high.accounts,
    [cpX.address, encodePoolState(cpX.state)],
    [X_MINT, encodeMint({ program: TOKEN_PROGRAM, decimals: 6 })],
  ]);
  return {
    cpHigh: cpLivePool(modelOf(high)),
    cpLow: cpLivePool(modelOf(low)),
    cpX: cpLivePool(cpX),
    ammSol: ammV4LivePool(ammSolAccounts, fixtureKey(41)),
    ammX: ammV4LivePool(ammXAccounts, fixtureKey(51)),
    ammAccounts: new Map([...ammSolAccounts, ...ammXAccounts]),
    cpAccounts,
  };
}
