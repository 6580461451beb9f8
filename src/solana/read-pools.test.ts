import type { Address } from '@solana/kit';
import { describe, expect, it } from 'vitest';
import { isLandfallError } from '../errors.js';
import { WSOL_MINT } from '../market/types.js';
import { readPools } from './read-pools.js';
import { accountsRpc } from './testing/accounts-rpc.js';
import { buildPool } from './testing/pool-fixtures.js';
import { TOKEN_PROGRAM } from './token-2022.js';
import { poolVenues } from './venues/live.js';
import { tickArrayAddress } from './venues/orca-whirlpool/accounts.js';
import {
  FIXTURE_ABSENT_START,
  FIXTURE_POOL,
  fixedTickArrayBytes,
  fixtureAccounts,
  USDC_MINT,
} from './venues/orca-whirlpool/fixture.js';
import { WHIRLPOOL_PROGRAM } from './venues/orca-whirlpool/layout.js';
import {
  FIXTURE_KEYS as AMM_KEYS,
  FIXTURE_POOL as AMM_POOL,
  fixtureAccounts as ammAccounts,
} from './venues/raydium-amm-v4/fixture.js';
import { ABSENT, WatchedPools } from './watched-pools.js';

/**
 * `readPools` and accounts that do not exist: a PDA nobody created (a Whirlpool's tick array far
 * from any position) reaches the book as empty bytes at the read's slot, and the venue decides;
 * a missing pool account, a CP-Swap account or an AMM v4 vault is refused as before.
 */
const NOW = 1_750_000_000_000;
const SCHEDULE = {
  slotsPerEpoch: 432_000n,
  firstNormalEpoch: 14n,
  firstNormalSlot: 524_256n,
  warmup: true,
};

function bookOf(pool: Address, venue?: string): WatchedPools {
  const pools = [{ address: pool, venue: venue ?? 'raydium-cp' }];
  const book = new WatchedPools([pool], 10_000, poolVenues(pools));
  book.useEpochSchedule(SCHEDULE);
  return book;
}

const mintOwner = (a: Address) =>
  a === WSOL_MINT || a === USDC_MINT ? TOKEN_PROGRAM : WHIRLPOOL_PROGRAM;

/** Two reads, as a live source starts: the first names the pool's accounts, the second reads them. */
async function start(book: WatchedPools, pool: Address, rpc: ReturnType<typeof accountsRpc>) {
  const changed: Address[] = [];
  const read = () =>
    readPools({
      rpc: rpc.client,
      book,
      pools: [pool],
      commitment: 'confirmed',
      nowMs: NOW,
      onSlot: () => {},
      onChanged: (c) => changed.push(...c),
    });
  await read();
  rpc.slot++;
  await read();
  return changed;
}

async function refusal(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isLandfallError(err, 'LF_SOLANA_ACCOUNT_DECODE')).toBe(true);
  return err as Error;
}

describe('readPools: accounts that do not exist', () => {
  it("a Whirlpool's uninitialised tick array is read as empty bytes at the read's slot", async () => {
    const accounts = fixtureAccounts();
    const absent = tickArrayAddress(FIXTURE_POOL, FIXTURE_ABSENT_START);
    accounts.delete(absent);
    const rpc = accountsRpc(accounts, mintOwner, 200);
    const book = bookOf(FIXTURE_POOL, 'orca-whirlpool');
    const changed = await start(book, FIXTURE_POOL, rpc);
    expect(changed).toEqual([FIXTURE_POOL]);
    expect(rpc.requests[1]).toContain(absent);
    expect(book.snapshot(FIXTURE_POOL)?.venue).toBe('orca-whirlpool');
    expect(book.untradable(FIXTURE_POOL, NOW)).toBeNull();
    expect(book.mayBeAbsent(absent)).toBe(true);
    expect(book.mayBeAbsent(FIXTURE_POOL)).toBe(false);
  });

  it('an array created later arrives as an update: torn until the rest of its slot is read', async () => {
    const accounts = fixtureAccounts();
    const absent = tickArrayAddress(FIXTURE_POOL, FIXTURE_ABSENT_START);
    accounts.delete(absent);
    const rpc = accountsRpc(accounts, mintOwner, 200);
    const book = bookOf(FIXTURE_POOL, 'orca-whirlpool');
    await start(book, FIXTURE_POOL, rpc);
    const created = fixedTickArrayBytes(FIXTURE_ABSENT_START);
    book.notify(absent, 205, { data: created, owner: WHIRLPOOL_PROGRAM }, NOW);
    expect(book.untradable(FIXTURE_POOL, NOW)).toMatch(/different slots/);
    expect(book.unsettled()).toEqual([{ pool: FIXTURE_POOL, minSlot: 205, sinceMs: NOW }]);
    accounts.set(absent, created);
    rpc.slot = 205;
    await start(book, FIXTURE_POOL, rpc);
    expect(book.untradable(FIXTURE_POOL, NOW)).toBeNull();
    const state = book.livePool(FIXTURE_POOL)?.state as {
      pool: { tickArrays: Map<number, unknown> };
    };
    expect(state.pool.tickArrays.get(FIXTURE_ABSENT_START)).not.toBeNull();
    // Closed again: a notification of no account brings back the empty array.
    book.notify(absent, 207, ABSENT, NOW);
    expect(book.untradable(FIXTURE_POOL, NOW)).toMatch(/different slots/);
  });

  it('a missing pool account is refused, whatever its venue', async () => {
    const rpc = accountsRpc(new Map(), mintOwner, 200);
    const book = bookOf(FIXTURE_POOL, 'orca-whirlpool');
    const err = await refusal(start(book, FIXTURE_POOL, rpc));
    expect(err.message).toMatch(/does not exist/);
  });

  it('a CP-Swap vault that does not exist is refused', async () => {
    const fixture = await buildPool({
      configIndex: 3,
      tradeFeeRate: 2_500n,
      wsol: 2_000_000_000_000n,
      usdc: 320_000_000_000n,
    });
    const accounts = new Map(fixture.accounts);
    accounts.delete(fixture.state.token0Vault);
    const rpc = accountsRpc(accounts, () => TOKEN_PROGRAM, 200);
    const book = bookOf(fixture.address);
    const err = await refusal(start(book, fixture.address, rpc));
    expect(err.message).toContain(`account ${fixture.state.token0Vault} does not exist`);
    expect(book.mayBeAbsent(fixture.state.token0Vault)).toBe(false);
    expect(book.snapshot(fixture.address)).toBeUndefined();
  });

  it('an AMM v4 vault that does not exist is refused by its venue, naming it', async () => {
    const accounts = ammAccounts();
    accounts.delete(AMM_KEYS.coinVault);
    const rpc = accountsRpc(accounts, () => TOKEN_PROGRAM, 200);
    const book = bookOf(AMM_POOL, 'raydium-amm-v4');
    const err = await refusal(start(book, AMM_POOL, rpc));
    expect(err.message).toContain(`no account exists at ${AMM_KEYS.coinVault}`);
    expect(book.snapshot(AMM_POOL)).toBeUndefined();
    expect(book.untradable(AMM_POOL, NOW)).toContain(`no account exists at ${AMM_KEYS.coinVault}`);
  });
});
