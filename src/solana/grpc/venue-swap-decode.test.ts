import type { Address, Instruction, TransactionSigner } from '@solana/kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { WSOL_MINT } from '../../market/types.js';
import type { LivePool } from '../live-pool.js';
import { TOKEN_PROGRAM } from '../token-2022.js';
import { fixtureAccounts as dlmmAccounts, FIXTURE_PAIR } from '../venues/meteora-dlmm/fixture.js';
import { meteoraDlmm } from '../venues/meteora-dlmm/venue.js';
import {
  FIXTURE_POOL as WHIRLPOOL_POOL,
  fixtureAccounts as whirlpoolAccounts,
} from '../venues/orca-whirlpool/fixture.js';
import { orcaWhirlpool } from '../venues/orca-whirlpool/venue.js';
import {
  fixtureAccounts as ammAccounts,
  FIXTURE_KEYS,
  FIXTURE_POOL,
  fixtureKey,
  USDC_MINT,
} from '../venues/raydium-amm-v4/fixture.js';
import { type AmmV4Pool, tradableReserves } from '../venues/raydium-amm-v4/math.js';
import { raydiumAmmV4 } from '../venues/raydium-amm-v4/venue.js';
import type { LiveVenue } from '../venues/venue.js';
import { PendingStates } from './pending-states.js';
import { pendingSwapEvents } from './pending-swaps.js';
import { type DecodedSwap, decodeSwaps } from './swap-decode.js';
import { streamedOf } from './testing/venue-transaction.js';
import { liveSnapshot } from './venue-pending.js';

/**
 * Swaps of the venues other than CP-Swap read from streamed transactions built by the test from
 * each venue's own instruction builder (AMM v4 `swap_base_in_v2`, DLMM `swap2`) or, for the
 * instructions Landfall never sends (AMM v4's OpenBook `swap_base_in`, exact-out swaps, DLMM's
 * `swap` and `swap_exact_out`), from the programs' documented data and account order; then
 * priced with the venue's exact maths into the pending state a backrun is priced on.
 */
const TRADER = '9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin' as Address;
const CONTEXT = { unixTimestamp: 1_750_000_000n, epoch: 712n };
/** When the stream delivered the swaps: a minute after the pools were decoded. */
const AT_MS = 1_750_000_060_000;

function livePool(venue: LiveVenue, pool: Address, accounts: ReadonlyMap<Address, Uint8Array>) {
  const state = venue.decode(pool, (a) => accounts.get(a), CONTEXT);
  const s = venue.snapshot(pool, state);
  return {
    address: pool,
    venue,
    state,
    context: CONTEXT,
    mintA: s.mintA as Address,
    mintB: s.mintB as Address,
  } satisfies LivePool;
}

let amm: LivePool;
let dlmm: LivePool;
const pools = () => new Map<string, LivePool>([amm, dlmm].map((p) => [p.address, p]));
const noCp = () => undefined;

beforeAll(() => {
  amm = livePool(raydiumAmmV4, FIXTURE_POOL, ammAccounts());
  dlmm = livePool(meteoraDlmm, FIXTURE_PAIR, dlmmAccounts());
});

function decode(tx: ReturnType<typeof streamedOf>, skipped: string[] = []): DecodedSwap[] {
  const byId = pools();
  return decodeSwaps(tx, noCp, {
    livePool: (id) => byId.get(id),
    skipped: (r) => void skipped.push(r),
  });
}

function venueSwap(pool: LivePool, direction: 'aToB' | 'bToA', amountIn: bigint, min = 1n) {
  return pool.venue.swapInstruction({
    payer: { address: TRADER } as TransactionSigner,
    pool: pool.address,
    state: pool.state,
    direction,
    amountIn,
    minimumAmountOut: min,
  });
}

function data(head: readonly number[], ...words: bigint[]): Uint8Array {
  const out = new Uint8Array(head.length + words.length * 8);
  out.set(head, 0);
  const view = new DataView(out.buffer);
  for (const [i, w] of words.entries()) view.setBigUint64(head.length + i * 8, w, true);
  return out;
}

/** The accounts of an instruction with those at `positions` replaced. */
function withAccounts(ix: Instruction, replace: Record<number, Address>): Instruction {
  const accounts = (ix.accounts ?? []).map((a, i) =>
    replace[i] === undefined ? a : { ...a, address: replace[i] as Address },
  );
  return { ...ix, accounts };
}

describe('AMM v4 swaps from the transaction stream', () => {
  it('reads swap_base_in_v2 from the payer’s associated accounts before execution, both ways', async () => {
    for (const direction of ['aToB', 'bToA'] as const) {
      const ix = await venueSwap(amm, direction, 5_000_000n, 4_000n);
      expect(decode(streamedOf(TRADER, [ix], { deshred: true }))).toEqual([
        {
          pool: FIXTURE_POOL,
          direction,
          mode: 'baseInput',
          amount: 5_000_000n,
          limit: 4_000n,
          inner: false,
        },
      ]);
    }
  });

  it('reads the OpenBook swap_base_in (17 and 18 accounts) and swap_base_out_v2 from other token accounts by the meta’s mints', () => {
    const source = fixtureKey(91);
    const destination = fixtureKey(92);
    const market = Array.from({ length: 8 }, (_, i) => fixtureKey(100 + i));
    const ix = (tag: number, keys: Address[], a: bigint, b: bigint): Instruction => ({
      programAddress: raydiumAmmV4.programAddress,
      accounts: keys.map((address) => ({ address, role: 1 })),
      data: data([tag], a, b),
    });
    const head = [TOKEN_PROGRAM, FIXTURE_POOL, fixtureKey(90), FIXTURE_KEYS.openOrders];
    const vaults = [FIXTURE_KEYS.coinVault, FIXTURE_KEYS.pcVault];
    const user = [source, destination, TRADER];
    const v1 = ix(9, [...head, ...vaults, ...market.slice(0, 8), ...user], 7_000n, 6_000n);
    const v1Target = ix(
      9,
      [...head, FIXTURE_KEYS.targetOrders, ...vaults, ...market.slice(0, 8), ...user],
      8_000n,
      1n,
    );
    const out = ix(17, [TOKEN_PROGRAM, FIXTURE_POOL, fixtureKey(90), ...vaults, ...user], 9n, 3n);
    // The source holds pc: pc → coin, whatever the account's address.
    const mints = new Map([
      [source, USDC_MINT],
      [destination, WSOL_MINT as Address],
    ]);
    expect(decode(streamedOf(TRADER, [v1, v1Target, out], { mints }))).toEqual([
      {
        pool: FIXTURE_POOL,
        direction: 'bToA',
        mode: 'baseInput',
        amount: 7_000n,
        limit: 6_000n,
        inner: false,
      },
      {
        pool: FIXTURE_POOL,
        direction: 'bToA',
        mode: 'baseInput',
        amount: 8_000n,
        limit: 1n,
        inner: false,
      },
      {
        pool: FIXTURE_POOL,
        direction: 'bToA',
        mode: 'baseOutput',
        amount: 3n,
        limit: 9n,
        inner: false,
      },
    ]);
    // Before execution nothing says what those accounts hold: skipped, and counted.
    const skipped: string[] = [];
    expect(decode(streamedOf(TRADER, [v1], { deshred: true }), skipped)).toEqual([]);
    expect(skipped).toEqual(['raydium-amm-v4: direction unknown before execution']);
    // 16 accounts is not a swap the program runs (WrongAccountsNumber): not read.
    const short = ix(9, [...head, ...vaults, ...market.slice(0, 7), ...user], 1n, 1n);
    expect(decode(streamedOf(TRADER, [short], { mints }))).toEqual([]);
  });
});

describe('DLMM swaps from the transaction stream', () => {
  it('reads swap2, swap and swap_exact_out, at the top level and through CPI', async () => {
    const swap2 = await venueSwap(dlmm, 'aToB', 2_000_000_000n, 250_000_000n);
    // `swap` and `swap_exact_out` take swap2's accounts without the memo program (13th).
    const legacy = (head: readonly number[], a: bigint, b: bigint): Instruction => ({
      ...swap2,
      accounts: (swap2.accounts ?? []).filter((_, i) => i !== 13),
      data: data(head, a, b),
    });
    const swap = legacy([248, 198, 158, 145, 225, 117, 135, 200], 3_000n, 2_000n);
    const exactOut = legacy([250, 73, 101, 33, 38, 207, 75, 184], 900_000n, 100_000n);
    const expected = (inner: boolean) => [
      {
        pool: FIXTURE_PAIR,
        direction: 'aToB',
        mode: 'baseInput',
        amount: 2_000_000_000n,
        limit: 250_000_000n,
        inner,
      },
      {
        pool: FIXTURE_PAIR,
        direction: 'aToB',
        mode: 'baseInput',
        amount: 3_000n,
        limit: 2_000n,
        inner,
      },
      {
        pool: FIXTURE_PAIR,
        direction: 'aToB',
        mode: 'baseOutput',
        amount: 100_000n,
        limit: 900_000n,
        inner,
      },
    ];
    const ixs = [swap2, swap, exactOut];
    expect(decode(streamedOf(TRADER, ixs, { deshred: true }))).toEqual(expected(false));
    expect(decode(streamedOf(TRADER, ixs, { viaCpi: true }))).toEqual(expected(true));
    // Buying X: the payer's Y account is the source.
    const buy = await venueSwap(dlmm, 'bToA', 150_000_000n);
    expect(decode(streamedOf(TRADER, [buy], { deshred: true }))[0]?.direction).toBe('bToA');
  });

  it('ignores a pool not watched, and a watched pool named under another program', async () => {
    const swap2 = await venueSwap(dlmm, 'aToB', 1_000n);
    const elsewhere = withAccounts(swap2, { 0: fixtureKey(120) });
    expect(decode(streamedOf(TRADER, [elsewhere], { deshred: true }))).toEqual([]);
    const forged = { ...swap2, programAddress: raydiumAmmV4.programAddress };
    expect(decode(streamedOf(TRADER, [forged], { deshred: true }))).toEqual([]);
  });
});

describe('Whirlpool swaps from the transaction stream', () => {
  it('reads swap_v2 with the direction its data says, and marks a price-limited one unpriced', async () => {
    const accounts = whirlpoolAccounts();
    const state = orcaWhirlpool.decode(WHIRLPOOL_POOL, (a) => accounts.get(a), CONTEXT);
    const whirlpool = {
      address: WHIRLPOOL_POOL,
      // Not in the live registry yet: the book holds no Whirlpool until it is.
      venue: orcaWhirlpool as unknown as LiveVenue,
      state,
      context: CONTEXT,
      mintA: state.pool.whirlpool.tokenMintA,
      mintB: state.pool.whirlpool.tokenMintB,
    };
    const byId = new Map([[WHIRLPOOL_POOL as string, whirlpool]]);
    const read = (ix: Instruction) =>
      decodeSwaps(streamedOf(TRADER, [ix], { deshred: true }), noCp, {
        livePool: (id) => byId.get(id),
      });
    for (const direction of ['aToB', 'bToA'] as const) {
      const ix = await orcaWhirlpool.swapInstruction({
        payer: { address: TRADER } as TransactionSigner,
        pool: WHIRLPOOL_POOL,
        state,
        direction,
        amountIn: 70_000n,
        minimumAmountOut: 60_000n,
      });
      expect(read(ix)).toEqual([
        {
          pool: WHIRLPOOL_POOL,
          direction,
          mode: 'baseInput',
          amount: 70_000n,
          limit: 60_000n,
          inner: false,
        },
      ]);
      // sqrt_price_limit (bytes 24–39) set inside the range: it may stop short.
      const limited = new Uint8Array(ix.data ?? []);
      limited.set([1, 2, 3, 4, 5, 6, 7, 8], 24);
      expect(read({ ...ix, data: limited })[0]?.unpriced).toBe('orca-whirlpool: a price limit');
      // amount_specified_is_input false: exact-out.
      const exactOut = new Uint8Array(ix.data ?? []);
      exactOut[40] = 0;
      expect(read({ ...ix, data: exactOut })[0]).toMatchObject({
        mode: 'baseOutput',
        amount: 70_000n,
        limit: 60_000n,
      });
    }
  });
});

describe('pending states of venue swaps', () => {
  const target = { signature: 'sig', slot: 9, atMs: AT_MS };
  const now = { ...CONTEXT, unixTimestamp: BigInt(AT_MS / 1000) };
  const swap = (pool: LivePool, o: Partial<DecodedSwap>): DecodedSwap => ({
    pool: pool.address,
    direction: 'aToB',
    mode: 'baseInput',
    amount: 1n,
    limit: 1n,
    inner: false,
    ...o,
  });

  it('prices each swap with the venue’s quote and apply at the stream’s clock, compounding', () => {
    const skipped: string[] = [];
    const byId = pools();
    const swaps = [
      swap(dlmm, { amount: 20_000_000_000n }),
      swap(dlmm, { amount: 400_000_000_000n }),
      swap(dlmm, { mode: 'baseOutput', amount: 1_000n, limit: 10n ** 12n }),
      swap(amm, {
        direction: 'bToA',
        mode: 'baseOutput',
        amount: 1_000_000_000n,
        limit: 10n ** 12n,
      }),
      // Its minimum is more than the pool pays: the program refuses it.
      swap(amm, { amount: 1_000_000n, limit: 10n ** 15n }),
    ];
    const { events, afterLive, fills } = pendingSwapEvents(swaps, () => undefined, target, {
      livePool: (id) => byId.get(id),
      skipped: (r) => void skipped.push(r),
    });
    const q1 = meteoraDlmm.quote(dlmm.state as never, 'aToB', 20_000_000_000n, now);
    if (!q1.ok) throw new Error(q1.refusal);
    const s1 = meteoraDlmm.apply(dlmm.state as never, q1, now);
    const q2 = meteoraDlmm.quote(s1, 'aToB', 400_000_000_000n, now);
    if (!q2.ok) throw new Error(q2.refusal);
    const s2 = meteoraDlmm.apply(s1, q2, now);
    expect(q2.bins.length).toBeGreaterThan(1);
    const dlmmAfter = (state: typeof s1) => liveSnapshot({ ...dlmm, state, context: now });
    expect(events.map((e) => [e.pool, e.amountIn, e.poolAfter])).toEqual([
      [FIXTURE_PAIR, 20_000_000_000n, dlmmAfter(s1)],
      [FIXTURE_PAIR, 400_000_000_000n, dlmmAfter(s2)],
      [FIXTURE_POOL, fills[3]?.amountIn, liveSnapshot(afterLive.get(FIXTURE_POOL) as LivePool)],
    ]);
    expect(events[1]?.poolAfter?.curve?.state).toEqual(s2);
    expect(afterLive.get(FIXTURE_PAIR)?.state).toEqual(s2);
    expect(skipped).toEqual([
      'meteora-dlmm: exact-out not priced',
      'raydium-amm-v4: below its minimum out',
    ]);

    // AMM v4 exact-out as the program fills it: the least input keeping coin·pc, fee on top.
    const before = amm.state as AmmV4Pool;
    const after = afterLive.get(FIXTURE_POOL)?.state as AmmV4Pool;
    const paid = fills[3]?.amountIn as bigint;
    expect(after.pcVaultAmount - before.pcVaultAmount).toBe(paid);
    expect(before.coinVaultAmount - after.coinVaultAmount).toBe(1_000_000_000n);
    const [coin, pc] = tradableReserves(before) as [bigint, bigint];
    const k = coin * pc;
    const net = (pc * 1_000_000_000n + coin - 1_000_000_000n - 1n) / (coin - 1_000_000_000n);
    expect((pc + net) * (coin - 1_000_000_000n) >= k).toBe(true);
    expect((pc + net - 1n) * (coin - 1_000_000_000n) < k).toBe(true);
    // 0.25 %: paid · (1 − 0.0025) covers the net input, and one less would not.
    expect((paid * 9_975n) / 10_000n >= net - 1n).toBe(true);
    expect(paid).toBe((net * 10_000n + 9_974n) / 9_975n);
  });

  it('answers a backrun on a venue pool with the pending state until the book moves past it', () => {
    const moved = { ...dlmm, state: { ...(dlmm.state as object) } };
    let slot = 10;
    const book = { pool: () => undefined, livePool: () => dlmm, viewSlot: () => slot };
    const pending = new PendingStates(book, 4);
    pending.record(
      'a',
      { mark: 0, slot: 10 },
      new Map(),
      new Map([[FIXTURE_PAIR, 10]]),
      new Map([[FIXTURE_PAIR, moved]]),
    );
    expect(pending.after('a')?.livePool(FIXTURE_PAIR)).toBe(moved);
    slot = 11;
    expect(pending.after('a')?.livePool(FIXTURE_PAIR)).toBe(dlmm);
  });
});
