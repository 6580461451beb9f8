import { type Address, generateKeyPairSigner, type TransactionSigner } from '@solana/kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { WSOL_MINT } from '../market/types.js';
import { epochAt } from './epochs.js';
import type { LivePool } from './live-pool.js';
import {
  cpLivePoolAt160,
  expectCpVenueCycle,
  LIVE_SCHEDULE,
  liveVenueBook,
  venueLivePool,
} from './testing/cross-venue-fixtures.js';
import { TOKEN_PROGRAM } from './token-2022.js';
import { LIVE_VENUE_NAMES, SLIPPAGE_ERRORS } from './venues/live.js';
import {
  oracleAddress,
  tickArrayAddress,
  watchedStartTickIndexes,
} from './venues/orca-whirlpool/accounts.js';
import {
  FIXTURE_ABSENT_START,
  FIXTURE_POOL,
  FIXTURE_STARTS,
  FIXTURE_TICK,
  fixtureAccounts,
  USDC_MINT,
  whirlpoolBytes,
} from './venues/orca-whirlpool/fixture.js';
import { WHIRLPOOL_PROGRAM } from './venues/orca-whirlpool/layout.js';
import type { WhirlpoolState } from './venues/orca-whirlpool/state.js';
import { sqrtPriceFromTickIndex } from './venues/orca-whirlpool/tick-math.js';
import { orcaWhirlpool } from './venues/orca-whirlpool/venue.js';
import type { AccountData, WatchedPools } from './watched-pools.js';

/**
 * Orca Whirlpool as a live venue: a pool named in `live.pools` is watched through its venue (the
 * Whirlpool, the tick arrays a swap either way reaches, its oracle and both mints, byte for byte
 * in the venue's fixture, one array a PDA with no account), decoded into a snapshot carrying its
 * exact curve, re-watched when its price moves into other arrays, and traded as one leg of a
 * cross-venue cycle with its own `swap_v2`.
 */
const NOW = 1_750_000_000_000;
const SCHEDULE = LIVE_SCHEDULE;
const CONTEXT = { unixTimestamp: 1_750_000_000n, epoch: 712n };
const ABSENT_ARRAY = tickArrayAddress(FIXTURE_POOL, FIXTURE_ABSENT_START);

const bookFromConfig = () => liveVenueBook(FIXTURE_POOL, 'orca-whirlpool');

/** A full read of what the book asks for; an account the map lacks reads as no account. */
function readAll(book: WatchedPools, accounts: ReadonlyMap<Address, Uint8Array>, slot: number) {
  const values = book.accountsOf(FIXTURE_POOL).map((a): readonly [string, AccountData] => {
    const owner = a === WSOL_MINT || a === USDC_MINT ? TOKEN_PROGRAM : WHIRLPOOL_PROGRAM;
    return [a, { data: accounts.get(a) ?? new Uint8Array(0), owner }];
  });
  return book.read(slot, values, NOW);
}

/** The fixture's Whirlpool with its price moved to `tick` (the wide position still in range). */
function movedTo(tick: number): Uint8Array {
  const data = whirlpoolBytes();
  const v = new DataView(data.buffer);
  const sqrt = sqrtPriceFromTickIndex(tick);
  v.setBigUint64(49, 10_000_000_000_000n, true); // liquidity: the wide position alone
  v.setBigUint64(57, 0n, true);
  v.setBigUint64(65, sqrt & 0xffff_ffff_ffff_ffffn, true);
  v.setBigUint64(73, sqrt >> 64n, true);
  v.setInt32(81, tick, true);
  return data;
}

describe('Orca Whirlpool in the live registry', () => {
  it('is a live venue, and its slippage error is one the pipeline counts as slippage', () => {
    expect(LIVE_VENUE_NAMES).toContain('orca-whirlpool');
    expect(SLIPPAGE_ERRORS.has(6036)).toBe(true);
  });

  it('a Whirlpool named in the config becomes a snapshot carrying its exact curve', () => {
    const book = bookFromConfig();
    const accounts = fixtureAccounts();
    accounts.delete(ABSENT_ARRAY);
    expect(book.accountsOf(FIXTURE_POOL)).toEqual([FIXTURE_POOL]);
    // The first read names the arrays, the oracle and the mints; the second reads them at one slot.
    readAll(book, accounts, 100);
    const arrays = [...FIXTURE_STARTS.fixed, FIXTURE_STARTS.dynamic, FIXTURE_ABSENT_START];
    expect([...book.accountsOf(FIXTURE_POOL)].sort()).toEqual(
      [
        FIXTURE_POOL,
        WSOL_MINT,
        USDC_MINT,
        oracleAddress(FIXTURE_POOL),
        ...arrays.map((s) => tickArrayAddress(FIXTURE_POOL, s)),
      ].sort(),
    );
    expect(book.snapshot(FIXTURE_POOL)).toBeUndefined();
    const change = readAll(book, accounts, 101);
    expect(change).toMatchObject({ changed: [FIXTURE_POOL], errors: [], unsettled: false });

    const snapshot = book.snapshot(FIXTURE_POOL);
    // The venue's own reading of the fixture, whose absent array is empty bytes.
    const state = orcaWhirlpool.decode(FIXTURE_POOL, (a) => fixtureAccounts().get(a), CONTEXT);
    expect(state.pool.tickArrays.get(FIXTURE_ABSENT_START)).toBeNull();
    const described = orcaWhirlpool.snapshot(FIXTURE_POOL, state);
    expect(snapshot).toMatchObject({ ...described, mintA: WSOL_MINT, mintB: USDC_MINT });
    // ≈ 150 USDC per SOL (1.0001^−18 972, decimals 9 and 6).
    const price = (Number(described.reserveB) / Number(described.reserveA)) * 1_000;
    expect(price).toBeCloseTo(1.0001 ** FIXTURE_TICK * 1_000, 0);
    expect(snapshot?.curve?.maths).toBe(orcaWhirlpool);
    expect(snapshot?.curve?.state).toEqual(state);
    expect(book.pool(FIXTURE_POOL)).toBeUndefined();
    expect(book.livePool(FIXTURE_POOL)).toMatchObject({
      venue: orcaWhirlpool,
      mintA: WSOL_MINT,
      mintB: USDC_MINT,
      context: { epoch: epochAt(SCHEDULE, 101), unixTimestamp: BigInt(NOW / 1000), slot: 101n },
    });
    expect(book.untradable(FIXTURE_POOL, NOW)).toBeNull();
  });

  it('a price moved into another array re-derives the watched set; the new arrays are read', () => {
    const book = bookFromConfig();
    const accounts = fixtureAccounts();
    readAll(book, accounts, 100);
    readAll(book, accounts, 101);
    const before = new Set(book.accountsOf(FIXTURE_POOL));
    const version = book.accountsVersion;

    // Tick −8 000 lies in the array from −11 264: down to −22 528, up to 0.
    const moved = movedTo(-8_000);
    book.notify(FIXTURE_POOL, 102, { data: moved, owner: WHIRLPOOL_PROGRAM }, NOW);
    const now = book.accountsOf(FIXTURE_POOL);
    const starts = [-22_528, -16_896, -11_264, -5_632, 0];
    expect(new Set(now)).toEqual(
      new Set([
        FIXTURE_POOL,
        ...starts.map((s) => tickArrayAddress(FIXTURE_POOL, s)),
        oracleAddress(FIXTURE_POOL),
        WSOL_MINT,
        USDC_MINT,
      ]),
    );
    expect(book.accountsVersion).toBeGreaterThan(version);
    expect(before.has(tickArrayAddress(FIXTURE_POOL, -33_792))).toBe(true);
    expect(book.accounts()).not.toContain(tickArrayAddress(FIXTURE_POOL, -33_792));
    // The arrays from −5 632 and 0 were never read: not tradable until a read brings them.
    expect(book.untradable(FIXTURE_POOL, NOW)).toMatch(/accounts not all read yet/);
    accounts.set(FIXTURE_POOL, moved);
    const change = readAll(book, accounts, 103);
    expect(change).toMatchObject({ changed: [FIXTURE_POOL], errors: [], unsettled: false });
    const state = book.livePool(FIXTURE_POOL)?.state as WhirlpoolState;
    expect(state.pool.whirlpool.tickCurrentIndex).toBe(-8_000);
    expect([...state.pool.tickArrays.keys()].sort((a, b) => a - b)).toEqual(starts);
    expect(state.pool.tickArrays.get(0)).toBeNull();
    expect(book.untradable(FIXTURE_POOL, NOW)).toBeNull();
  });
});

describe('a cycle CP-Swap → Orca Whirlpool in one v0 transaction', () => {
  let cp: LivePool;
  let whirlpool: LivePool;
  let payer: TransactionSigner;

  beforeAll(async () => {
    cp = await cpLivePoolAt160();
    whirlpool = venueLivePool(orcaWhirlpool, FIXTURE_POOL, fixtureAccounts(), CONTEXT);
    payer = await generateKeyPairSigner();
  });

  it("builds each leg with its venue's instruction, the minimums chained from exact quotes", async () => {
    // Whirlpool A is WSOL: buying it back spends B (bToA).
    const { plan, swaps, bytes } = await expectCpVenueCycle({
      id: 'cp-whirlpool',
      cp,
      other: whirlpool,
      venueName: 'orca-whirlpool',
      payer,
      context: CONTEXT,
    });
    expect(swaps[1]?.programAddress).toBe(WHIRLPOOL_PROGRAM);
    // swap_v2: token programs A and B, memo, authority, whirlpool, mints A and B, owner A,
    // vault A, owner B, vault B, three tick arrays, oracle.
    expect(swaps[1]?.accounts).toHaveLength(15);
    console.info(`CP-Swap → Whirlpool cycle: ${bytes} bytes, expected out ${plan.expectedOut}`);
  });

  it('the watched start indexes are the ones swap_v2 is given, either way', () => {
    const state = whirlpool.state as WhirlpoolState;
    const starts = watchedStartTickIndexes(state.pool.whirlpool);
    expect([...state.pool.tickArrays.keys()]).toEqual(starts);
  });
});
