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
import { USDC_MINT } from './testing/pool-fixtures.js';
import { TOKEN_PROGRAM } from './token-2022.js';
import { LIVE_VENUE_NAMES, SLIPPAGE_ERRORS } from './venues/live.js';
import {
  FIXTURE_ACTIVE_ID,
  FIXTURE_ARRAYS,
  FIXTURE_PAIR,
  fixtureAccounts,
} from './venues/meteora-dlmm/fixture.js';
import { DLMM_PROGRAM } from './venues/meteora-dlmm/layout.js';
import { binArrayAddress } from './venues/meteora-dlmm/pda.js';
import { meteoraDlmm } from './venues/meteora-dlmm/venue.js';
import { virtualReserves } from './venues/meteora-dlmm/virtual-reserves.js';
import type { AccountData, WatchedPools } from './watched-pools.js';

/**
 * Meteora DLMM as a live venue: a pair named in `live.pools` is watched through its venue (the
 * LbPair, both mints and the bin arrays around the active bin, built byte for byte in the
 * venue's fixture), decoded from those bytes into a snapshot carrying its exact curve, and
 * traded as one leg of a cross-venue cycle with its own `swap2` instruction.
 */
const NOW = 1_750_000_000_000;
const SCHEDULE = LIVE_SCHEDULE;
const CONTEXT = { unixTimestamp: 1_750_000_000n, epoch: 712n };

const bookFromConfig = () => liveVenueBook(FIXTURE_PAIR, 'meteora-dlmm');

function readAll(book: WatchedPools, accounts: ReadonlyMap<Address, Uint8Array>, slot: number) {
  const values = book.accountsOf(FIXTURE_PAIR).map((a): readonly [string, AccountData] => {
    const owner = a === WSOL_MINT || a === USDC_MINT ? TOKEN_PROGRAM : DLMM_PROGRAM;
    return [a, { data: accounts.get(a) as Uint8Array, owner }];
  });
  return book.read(slot, values, NOW);
}

describe('Meteora DLMM in the live registry', () => {
  it('is a live venue, and its slippage error is one the pipeline counts as slippage', () => {
    expect(LIVE_VENUE_NAMES).toContain('meteora-dlmm');
    expect(SLIPPAGE_ERRORS.has(6003)).toBe(true);
  });

  it('a DLMM pair named in the config becomes a snapshot carrying its exact curve', () => {
    const book = bookFromConfig();
    const accounts = fixtureAccounts();
    expect(book.accountsOf(FIXTURE_PAIR)).toEqual([FIXTURE_PAIR]);
    // The first read names the mints and bin arrays; the second reads them at one slot.
    readAll(book, accounts, 100);
    expect([...book.accountsOf(FIXTURE_PAIR)].sort()).toEqual(
      [
        FIXTURE_PAIR,
        WSOL_MINT,
        USDC_MINT,
        ...FIXTURE_ARRAYS.map((i) => binArrayAddress(FIXTURE_PAIR, i)),
      ].sort(),
    );
    expect(book.snapshot(FIXTURE_PAIR)).toBeUndefined();
    const change = readAll(book, accounts, 101);
    expect(change).toMatchObject({ changed: [FIXTURE_PAIR], errors: [], unsettled: false });

    const snapshot = book.snapshot(FIXTURE_PAIR);
    const state = meteoraDlmm.decode(FIXTURE_PAIR, (a) => accounts.get(a), CONTEXT);
    const [reserveA, reserveB] = virtualReserves(state);
    // Base 0.1 % (10⁶ per 10⁹) + variable ceil(7 500 · (30 000 · 10)² / 10¹¹) = 6 750 per 10⁹:
    // 10.07 bps, rounded up.
    expect(snapshot).toMatchObject({
      id: FIXTURE_PAIR,
      venue: 'meteora-dlmm',
      mintA: WSOL_MINT,
      mintB: USDC_MINT,
      reserveA,
      reserveB,
      feeBps: 11,
    });
    // ≈ 150 USDC per SOL at the active bin (1.001^−1 898, decimals 9 and 6).
    const price = (Number(reserveB) / Number(reserveA)) * 1_000;
    expect(price).toBeCloseTo(1.001 ** FIXTURE_ACTIVE_ID * 1_000, 0);
    expect(snapshot?.curve?.maths).toBe(meteoraDlmm);
    expect(snapshot?.curve?.state).toEqual(state);
    expect(book.pool(FIXTURE_PAIR)).toBeUndefined();
    expect(book.livePool(FIXTURE_PAIR)).toMatchObject({
      venue: meteoraDlmm,
      mintA: WSOL_MINT,
      mintB: USDC_MINT,
      context: { epoch: epochAt(SCHEDULE, 101), unixTimestamp: BigInt(NOW / 1000) },
    });
    expect(book.untradable(FIXTURE_PAIR, NOW)).toBeNull();
  });

  it('a bin array written at a newer slot leaves the pair torn until the rest of the slot arrives', () => {
    const book = bookFromConfig();
    const accounts = fixtureAccounts();
    readAll(book, accounts, 100);
    readAll(book, accounts, 101);
    const array = binArrayAddress(FIXTURE_PAIR, -28);
    const data = accounts.get(array) as Uint8Array;
    book.notify(array, 102, { data, owner: DLMM_PROGRAM }, NOW);
    expect(book.untradable(FIXTURE_PAIR, NOW)).toMatch(/its accounts are from different slots/);
  });
});

describe('a cycle CP-Swap → Meteora DLMM in one v0 transaction', () => {
  let cp: LivePool;
  let dlmm: LivePool;
  let payer: TransactionSigner;

  beforeAll(async () => {
    cp = await cpLivePoolAt160();
    dlmm = venueLivePool(meteoraDlmm, FIXTURE_PAIR, fixtureAccounts(), CONTEXT);
    payer = await generateKeyPairSigner();
  });

  it("builds each leg with its venue's instruction, the minimums chained from exact quotes", async () => {
    // DLMM X is WSOL: buying it back spends Y (bToA).
    const { plan, swaps, bytes } = await expectCpVenueCycle({
      id: 'cp-dlmm',
      cp,
      other: dlmm,
      venueName: 'meteora-dlmm',
      payer,
      context: CONTEXT,
    });
    expect(swaps[1]?.programAddress).toBe(DLMM_PROGRAM);
    console.info(`CP-Swap → DLMM cycle: ${bytes} bytes, expected out ${plan.expectedOut}`);
  });
});
