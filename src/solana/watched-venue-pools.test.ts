import type { Address } from '@solana/kit';
import { describe, expect, it } from 'vitest';
import { isLandfallError } from '../errors.js';
import { WSOL_MINT } from '../market/types.js';
import { liveConfigSchema } from './config.js';
import { epochAt } from './epochs.js';
import { encodeTokenAccount } from './raydium-cp-layout.js';
import { LIVE_SCHEDULE, liveVenueBook } from './testing/cross-venue-fixtures.js';
import { TOKEN_PROGRAM } from './token-2022.js';
import { poolVenues } from './venues/live.js';
import {
  AMM_AUTHORITY,
  FIXTURE_COIN_VAULT_AMOUNT,
  FIXTURE_KEYS,
  FIXTURE_PC_VAULT_AMOUNT,
  FIXTURE_POOL,
  fixtureAccounts,
  fixtureKey,
  USDC_MINT,
} from './venues/raydium-amm-v4/fixture.js';
import { RAYDIUM_AMM_V4_PROGRAM } from './venues/raydium-amm-v4/layout.js';
import { raydiumAmmV4 } from './venues/raydium-amm-v4/venue.js';
import type { AccountData, WatchedPools } from './watched-pools.js';

/**
 * A pool of another venue in the live book, from the configuration to the snapshot: an AMM v4
 * pool named in `live.pools` is watched through its venue (its AmmInfo and both vaults, built
 * byte for byte in the venue's fixture), decoded from those bytes, and emitted with its curve.
 */
const NOW = 1_750_000_000_000;
const SCHEDULE = LIVE_SCHEDULE;
/** The fixture's PnL owed (fixture.ts): the reserves are the vaults less it. */
const PNL_COIN = 1_500_000_000n;
const PNL_PC = 70_000_000n;

const bookFromConfig = () => liveVenueBook(FIXTURE_POOL, 'raydium-amm-v4');

function owned(address: Address, data: Uint8Array): readonly [string, AccountData] {
  const owner = address === FIXTURE_POOL ? RAYDIUM_AMM_V4_PROGRAM : TOKEN_PROGRAM;
  return [address, { data, owner }];
}

/** A full read of what the book asks for, at `slot`. */
function readAll(book: WatchedPools, accounts: ReadonlyMap<Address, Uint8Array>, slot: number) {
  const values = book.accountsOf(FIXTURE_POOL).map((a) => owned(a, accounts.get(a) as Uint8Array));
  return book.read(slot, values, NOW);
}

describe('live venues: a pool of another venue, watched and decoded through its venue', () => {
  it('an AMM v4 pool named in the config becomes a snapshot carrying its exact curve', () => {
    const book = bookFromConfig();
    const accounts = fixtureAccounts();
    expect(book.accountsOf(FIXTURE_POOL)).toEqual([FIXTURE_POOL]);
    // The first read names the vaults; the second reads them at one slot with the pool.
    readAll(book, accounts, 100);
    expect(book.accountsOf(FIXTURE_POOL)).toEqual([
      FIXTURE_POOL,
      FIXTURE_KEYS.coinVault,
      FIXTURE_KEYS.pcVault,
    ]);
    expect(book.snapshot(FIXTURE_POOL)).toBeUndefined();
    const change = readAll(book, accounts, 101);
    expect(change).toMatchObject({ changed: [FIXTURE_POOL], errors: [], unsettled: false });

    const snapshot = book.snapshot(FIXTURE_POOL);
    const state = raydiumAmmV4.decode(FIXTURE_POOL, (a) => accounts.get(a), {
      unixTimestamp: 0n,
      epoch: 0n,
    });
    expect(snapshot).toMatchObject({
      id: FIXTURE_POOL,
      venue: 'raydium-amm-v4',
      mintA: WSOL_MINT,
      mintB: USDC_MINT,
      reserveA: FIXTURE_COIN_VAULT_AMOUNT - PNL_COIN,
      reserveB: FIXTURE_PC_VAULT_AMOUNT - PNL_PC,
      feeBps: 25,
    });
    expect(snapshot?.curve?.maths).toBe(raydiumAmmV4);
    expect(snapshot?.curve?.state).toEqual(state);
    expect(book.pool(FIXTURE_POOL)).toBeUndefined();
    expect(book.livePool(FIXTURE_POOL)).toMatchObject({
      venue: raydiumAmmV4,
      mintA: WSOL_MINT,
      mintB: USDC_MINT,
      context: { epoch: epochAt(SCHEDULE, 101), unixTimestamp: BigInt(NOW / 1000) },
    });
    expect(book.untradable(FIXTURE_POOL, NOW)).toBeNull();
  });

  it('a vault ahead of its pool is torn until the rest of its slot arrives', () => {
    const book = bookFromConfig();
    const accounts = fixtureAccounts();
    readAll(book, accounts, 100);
    readAll(book, accounts, 101);
    const before = book.snapshot(FIXTURE_POOL);
    const vault = (amount: bigint, mint: string) =>
      encodeTokenAccount({ mint: mint as Address, owner: AMM_AUTHORITY, amount });
    // A swap of 1 SOL: both vaults and the pool written at slot 102, delivered one at a time.
    const coin = vault(FIXTURE_COIN_VAULT_AMOUNT + 1_000_000_000n, WSOL_MINT);
    let change = book.notify(
      FIXTURE_KEYS.coinVault,
      102,
      owned(FIXTURE_KEYS.coinVault, coin)[1],
      NOW,
    );
    expect(change).toMatchObject({ changed: [], unsettled: true });
    expect(book.untradable(FIXTURE_POOL, NOW)).toMatch(
      /its accounts are from different slots \(101, 102, 101\)/,
    );
    expect(book.unsettled()).toEqual([{ pool: FIXTURE_POOL, minSlot: 102, sinceMs: NOW }]);
    expect(book.snapshot(FIXTURE_POOL)).toBe(before);
    const pc = vault(FIXTURE_PC_VAULT_AMOUNT - 170_000_000n, USDC_MINT);
    book.notify(FIXTURE_KEYS.pcVault, 102, owned(FIXTURE_KEYS.pcVault, pc)[1], NOW);
    const info = new Uint8Array(accounts.get(FIXTURE_POOL) as Uint8Array);
    info[728] = 43; // client_order_id: any byte the swap leaves different
    change = book.notify(FIXTURE_POOL, 102, owned(FIXTURE_POOL, info)[1], NOW);
    expect(change).toMatchObject({ changed: [FIXTURE_POOL], unsettled: false });
    expect(book.snapshot(FIXTURE_POOL)?.reserveA).toBe(
      FIXTURE_COIN_VAULT_AMOUNT + 1_000_000_000n - PNL_COIN,
    );
    expect(book.untradable(FIXTURE_POOL, NOW)).toBeNull();
  });

  it('follows the accounts the pool names as it changes, and drops those it no longer reads', () => {
    const book = bookFromConfig();
    const accounts = fixtureAccounts();
    readAll(book, accounts, 100);
    readAll(book, accounts, 101);
    const version = book.accountsVersion;
    // The pool now names another pc vault (the venue re-derives its accounts from the pool).
    const moved = fixtureKey(99);
    const info = new Uint8Array(accounts.get(FIXTURE_POOL) as Uint8Array);
    info.set(new Uint8Array(32).fill(99), 368);
    book.notify(FIXTURE_POOL, 102, owned(FIXTURE_POOL, info)[1], NOW);
    expect(book.accountsVersion).toBeGreaterThan(version);
    expect(book.accountsOf(FIXTURE_POOL)).toEqual([FIXTURE_POOL, FIXTURE_KEYS.coinVault, moved]);
    expect(book.accounts()).toContain(moved);
    expect(book.accounts()).not.toContain(FIXTURE_KEYS.pcVault);
    expect(book.untradable(FIXTURE_POOL, NOW)).toMatch(/accounts not all read yet/);
    expect(book.unsettled().map((u) => u.pool)).toEqual([FIXTURE_POOL]);
  });

  it('refuses a venue the registry does not know, naming those it does', () => {
    const parsed = liveConfigSchema.safeParse({
      pools: [{ address: FIXTURE_POOL, venue: 'uniswap' }],
    });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toMatch(/raydium-cp, raydium-amm-v4/);
    // Existing configs name no venue: CP-Swap, decoded as before (no venue map entry).
    const plain = liveConfigSchema.parse({ pools: [{ address: FIXTURE_POOL }] });
    expect(plain.pools[0]?.venue).toBe('raydium-cp');
    expect(poolVenues(plain.pools).size).toBe(0);
    const bad = (() => {
      try {
        poolVenues([{ address: FIXTURE_POOL, venue: 'uniswap' }]);
      } catch (e) {
        return e;
      }
    })();
    expect(isLandfallError(bad, 'LF_SOLANA_CONFIG')).toBe(true);
  });
});
