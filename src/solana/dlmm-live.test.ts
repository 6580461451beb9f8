import {
  type Address,
  type Blockhash,
  generateKeyPairSigner,
  type TransactionSigner,
} from '@solana/kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Submission, WSOL_MINT } from '../market/types.js';
import { liveConfigSchema } from './config.js';
import { epochAt } from './epochs.js';
import { cpLivePool, type LivePool } from './live-pool.js';
import { venueLookupAddresses } from './lookup-table.js';
import { chainTolerance, guardedMinOut, planSwaps, swapInstructions } from './swap-plan.js';
import { buildPool, modelOf, USDC_MINT } from './testing/pool-fixtures.js';
import { TOKEN_PROGRAM } from './token-2022.js';
import {
  MAX_TRANSACTION_BYTES,
  signerCount,
  signV0,
  tipInstruction,
  transactionFee,
} from './transactions.js';
import { LIVE_VENUE_NAMES, poolVenues, SLIPPAGE_ERRORS } from './venues/live.js';
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
import { fixtureKey } from './venues/raydium-amm-v4/fixture.js';
import { type AccountData, WatchedPools } from './watched-pools.js';

/**
 * Meteora DLMM as a live venue: a pair named in `live.pools` is watched through its venue (the
 * LbPair, both mints and the bin arrays around the active bin, built byte for byte in the
 * venue's fixture), decoded from those bytes into a snapshot carrying its exact curve, and
 * traded as one leg of a cross-venue cycle with its own `swap2` instruction.
 */
const NOW = 1_750_000_000_000;
const SCHEDULE = {
  slotsPerEpoch: 432_000n,
  firstNormalEpoch: 14n,
  firstNormalSlot: 524_256n,
  warmup: true,
};
const CONTEXT = { unixTimestamp: 1_750_000_000n, epoch: 712n };

function bookFromConfig(): WatchedPools {
  const live = liveConfigSchema.parse({
    pools: [{ address: FIXTURE_PAIR, venue: 'meteora-dlmm' }],
  });
  const book = new WatchedPools(
    live.pools.map((p) => p.address as Address),
    live.timeouts.staleAfterMs,
    poolVenues(live.pools),
  );
  book.useEpochSchedule(SCHEDULE);
  return book;
}

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

/** A CP-Swap WSOL/USDC pool at $160 (0.25 %): above the DLMM pair's $150, so CP → DLMM pays. */
async function cpAt160(): Promise<LivePool> {
  return cpLivePool(
    modelOf(
      await buildPool({
        configIndex: 3,
        tradeFeeRate: 2_500n,
        wsol: 2_000_000_000_000n,
        usdc: 320_000_000_000n,
      }),
    ),
  );
}

function dlmmLivePool(): LivePool {
  const accounts = fixtureAccounts();
  const state = meteoraDlmm.decode(FIXTURE_PAIR, (a) => accounts.get(a), CONTEXT);
  const s = meteoraDlmm.snapshot(FIXTURE_PAIR, state);
  return {
    address: FIXTURE_PAIR,
    venue: meteoraDlmm,
    state,
    context: CONTEXT,
    mintA: s.mintA as Address,
    mintB: s.mintB as Address,
  };
}

describe('a cycle CP-Swap → Meteora DLMM in one v0 transaction', () => {
  const TOLERANCE_BPS = 1;
  const TIP = 100_000n;
  const PRICE = 50_000n;
  const UNIT_LIMIT = 400_000;
  const MARGIN = 10_000n;
  const LIFETIME = {
    blockhash: '4vJ9JU1bJJE96FWSJKvHsmmFADCg4gpZQff4P3bkLKi' as Blockhash,
    lastValidBlockHeight: 1_000n,
  };
  let cp: LivePool;
  let dlmm: LivePool;
  let payer: TransactionSigner;

  beforeAll(async () => {
    cp = await cpAt160();
    dlmm = dlmmLivePool();
    payer = await generateKeyPairSigner();
  });

  it("builds each leg with its venue's instruction, the minimums chained from exact quotes", async () => {
    const byId = new Map([cp, dlmm].map((p) => [p.address as string, p]));
    const book = { pool: () => undefined, livePool: (id: string) => byId.get(id) };
    const amountIn = 1_000_000_000n;
    const cpDirection = cp.mintA === WSOL_MINT ? 'aToB' : 'bToA';
    const submission: Submission = {
      id: 'cp-dlmm',
      opportunityId: 'cp-dlmm',
      module: 'arb',
      route: 'jito',
      legs: [
        { pool: cp.address, direction: cpDirection, amountIn, minAmountOut: 0n },
        // DLMM X is WSOL: buying it back spends Y (bToA).
        { pool: dlmm.address, direction: 'bToA', amountIn: 'previous', minAmountOut: 0n },
      ],
      tipLamports: TIP,
      priorityFeeMicroLamports: PRICE,
      computeUnitLimit: UNIT_LIMIT,
      transactions: 1,
      signatures: 1,
    };
    const plan = planSwaps(submission, book, TOLERANCE_BPS);
    expect(plan.legs.map((l) => l.pool.venue.name)).toEqual(['raydium-cp', 'meteora-dlmm']);
    const tip = [tipInstruction(payer, fixtureKey(201), TIP)];
    const probe = await swapInstructions(plan, payer, 0n);
    const fee = transactionFee(signerCount(payer.address, [...probe, ...tip]), UNIT_LIMIT, PRICE);
    const finalMinOut = guardedMinOut(plan, TIP + fee + MARGIN);
    const swaps = await swapInstructions(plan, payer, finalMinOut);

    // Apart from the planner: the CP quote, less the tolerance, is the DLMM leg's input and the
    // CP leg's minimum; the DLMM leg's minimum is the guard.
    const q = cp.venue.quote(cp.state, cpDirection, amountIn, CONTEXT);
    if (!q.ok) throw new Error(q.refusal);
    const middle = q.amountOut - chainTolerance(q.amountOut, TOLERANCE_BPS);
    const back = dlmm.venue.quote(dlmm.state, 'bToA', middle, CONTEXT);
    if (!back.ok) throw new Error(back.refusal);
    expect(swaps).toEqual([
      await cp.venue.swapInstruction({
        payer,
        pool: cp.address,
        state: cp.state,
        direction: cpDirection,
        amountIn,
        minimumAmountOut: middle,
      }),
      await dlmm.venue.swapInstruction({
        payer,
        pool: dlmm.address,
        state: dlmm.state,
        direction: 'bToA',
        amountIn: middle,
        minimumAmountOut: finalMinOut,
      }),
    ]);
    expect(swaps[1]?.programAddress).toBe(DLMM_PROGRAM);
    expect(finalMinOut).toBe(amountIn + TIP + fee + MARGIN);
    expect(plan.expectedOut).toBe(back.amountOut);
    expect(plan.expectedOut).toBeGreaterThan(finalMinOut);
    const table = fixtureKey(202);
    const signed = await signV0(payer, LIFETIME, UNIT_LIMIT, PRICE, [...swaps, ...tip], {
      [table]: await venueLookupAddresses([cp, dlmm], payer.address),
    });
    expect(signed.bytes).toBeLessThanOrEqual(MAX_TRANSACTION_BYTES);
    console.info(`CP-Swap → DLMM cycle: ${signed.bytes} bytes, expected out ${plan.expectedOut}`);
  });
});
