import { isDeepStrictEqual } from 'node:util';
import type { Address } from '@solana/kit';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EpochSchedule } from './epochs.js';
import {
  decodeAmmConfig,
  decodePoolState,
  encodeAmmConfig,
  encodePoolState,
  encodeTokenAccount,
  tokenAccountAmount,
} from './raydium-cp-layout.js';
import { poolAuthority } from './raydium-cp-swap.js';
import { encodeMint } from './testing/mint-fixtures.js';
import { dislocatedPools, type PoolFixture } from './testing/pool-fixtures.js';
import { TOKEN_PROGRAM } from './token-2022.js';
import { type AccountData, WatchedPools } from './watched-pools.js';

/**
 * The pool book against a modelled chain: every account has one value per slot (the last write
 * at or before it), and the book is fed that chain's notifications and reads in any order, with
 * duplicates. Whatever the order, an exposed pool is the chain's state and vaults at one slot,
 * never goes back, and each change of what it exposes is reported once.
 */
const MAINNET: EpochSchedule = {
  slotsPerEpoch: 432_000n,
  firstNormalEpoch: 0n,
  firstNormalSlot: 0n,
  warmup: false,
};
const NOW = 1_800_000_000_000;

let fixtures: [PoolFixture, PoolFixture];
let authority: Address;
beforeAll(async () => {
  fixtures = await dislocatedPools();
  authority = await poolAuthority();
});

type Write =
  | { kind: 'swap'; pool: 0 | 1 }
  | { kind: 'donate'; pool: 0 | 1 }
  | { kind: 'config'; pool: 0 | 1 }
  | { kind: 'mint'; token: 0 | 1 };

/** The chain: each account's writes, slot by slot, from genesis at slot 0. */
class Chain {
  private readonly writes = new Map<string, Array<{ slot: number; data: Uint8Array }>>();
  readonly owners = new Map<string, string>();
  /** Every (account, slot) an account notification reports. */
  readonly notifications: Array<{ account: string; slot: number }> = [];

  constructor(readonly pools: readonly PoolFixture[]) {
    for (const p of pools) {
      for (const [a, d] of p.accounts) this.set(a, 0, d);
      for (const a of [p.state.token0Mint, p.state.token1Mint, p.state.token0Vault])
        this.owners.set(a, TOKEN_PROGRAM);
      this.owners.set(p.state.token1Vault, TOKEN_PROGRAM);
    }
  }

  at(account: string, slot: number): Uint8Array {
    const list = this.writes.get(account) ?? [];
    let found: Uint8Array | undefined;
    for (const w of list) if (w.slot <= slot) found = w.data;
    if (found === undefined) throw new Error(`no ${account} at ${slot}`);
    return found;
  }

  value(account: string, slot: number): AccountData {
    return { data: this.at(account, slot), owner: this.owners.get(account) ?? 'CPMM' };
  }

  apply(slot: number, w: Write): void {
    if (w.kind === 'mint') {
      const mint = (this.pools[0] as PoolFixture).state[
        w.token === 0 ? 'token0Mint' : 'token1Mint'
      ];
      // Each change bumps the decimals: a mint version the view must never go back from.
      const decimals = this.at(mint, slot)[44] as number;
      this.write(mint, slot, encodeMint({ program: TOKEN_PROGRAM, decimals: decimals + 1 }));
      return;
    }
    const p = this.pools[w.pool] as PoolFixture;
    const s = p.state;
    if (w.kind === 'config') {
      const c = decodeAmmConfig(this.at(p.configAddress, slot), 'chain');
      this.write(
        p.configAddress,
        slot,
        encodeAmmConfig({ ...c, tradeFeeRate: c.tradeFeeRate + 100n }),
      );
      return;
    }
    const vault = (v: Address, mint: Address, delta: bigint) => {
      const amount = tokenAccountAmount(this.at(v, slot), 'chain') + delta;
      this.write(v, slot, encodeTokenAccount({ mint, owner: authority, amount }));
    };
    if (w.kind === 'donate') {
      vault(s.token1Vault, s.token1Mint, 7n);
      return;
    }
    // A swap writes the state (its fee counters) and both vaults in one transaction.
    const state = decodePoolState(this.at(p.address, slot), 'chain');
    this.write(
      p.address,
      slot,
      encodePoolState({ ...state, protocolFeesToken0: state.protocolFeesToken0 + 1n }),
    );
    vault(s.token0Vault, s.token0Mint, 1_000_000n);
    vault(s.token1Vault, s.token1Mint, -150_000n);
  }

  private write(account: string, slot: number, data: Uint8Array): void {
    this.set(account, slot, data);
    this.notifications.push({ account, slot });
  }

  private set(account: string, slot: number, data: Uint8Array): void {
    const list = this.writes.get(account) ?? [];
    const last = list[list.length - 1];
    if (last?.slot === slot) last.data = data;
    else list.push({ slot, data });
    this.writes.set(account, list);
  }
}

/** A full read at `slot`, each pool's accounts in one request, as the live source reads. */
function readAll(book: WatchedPools, chain: Chain, slot: number) {
  const accounts = [...new Set(book.poolAddresses.flatMap((p) => book.accountsOf(p)))];
  return book.read(
    slot,
    accounts.map((a) => [a, chain.value(a, slot)] as const),
    NOW,
  );
}

const writeArb: fc.Arbitrary<Write> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('swap' as const),
      pool: fc.constantFrom(0 as const, 1 as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('donate' as const),
      pool: fc.constantFrom(0 as const, 1 as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('config' as const),
      pool: fc.constantFrom(0 as const, 1 as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('mint' as const),
      token: fc.constantFrom(0 as const, 1 as const),
    }),
  },
);

/** Deliveries: a notification by index (into the chain's, so duplicates happen) or a full read. */
type Delivery = { kind: 'notification'; index: number } | { kind: 'read'; slot: number };

const scenario = fc
  .array(fc.array(writeArb, { maxLength: 3 }), { minLength: 1, maxLength: 8 })
  .chain((slots) =>
    fc.record({
      slots: fc.constant(slots),
      deliveries: fc.array(
        fc.oneof(
          {
            weight: 4,
            arbitrary: fc.record({ kind: fc.constant('notification' as const), index: fc.nat() }),
          },
          {
            weight: 1,
            arbitrary: fc.record({
              kind: fc.constant('read' as const),
              slot: fc.integer({ min: 0, max: slots.length }),
            }),
          },
        ),
        { minLength: 1, maxLength: 40 },
      ),
    }),
  );

describe('watched pools: a slot-consistent book', () => {
  it('never exposes state and vaults from different slots, never goes back, and reports each change once', () => {
    fc.assert(
      fc.property(scenario, ({ slots, deliveries }) => {
        const chain = new Chain(fixtures);
        slots.forEach((writes, i) => {
          for (const w of writes) chain.apply(i + 1, w);
        });
        const last = slots.length;
        const book = new WatchedPools(
          fixtures.map((f) => f.address),
          60_000,
        );
        book.useEpochSchedule(MAINNET);
        const seen = new Map<string, { slot: number; config: bigint; decimals: number[] }>();
        const deliver = (d: Delivery) => {
          if (d.kind === 'read') return readAll(book, chain, d.slot);
          const n = chain.notifications[d.index % Math.max(1, chain.notifications.length)];
          if (n === undefined) return readAll(book, chain, 0);
          return book.notify(n.account, n.slot, chain.value(n.account, n.slot), NOW);
        };
        // Two reads at the newest slot close every run: the first may only learn the states.
        const closing = [0, 1].map(() => ({ kind: 'read', slot: last }) as const);
        for (const d of [...deliveries, ...closing]) {
          const before = new Map(fixtures.map((f) => [f.address, book.snapshot(f.address)]));
          const change = deliver(d);
          expect(change.errors).toEqual([]);
          for (const f of fixtures) {
            const id = f.address;
            const after = book.snapshot(id);
            const moved = after !== undefined && !isDeepStrictEqual(before.get(id), after);
            // One event per consistent change: exactly the pools whose exposed snapshot moved.
            expect(change.changed.includes(id), `${id} reported`).toBe(moved);
            const pool = book.pool(id);
            if (pool === undefined) continue;
            const slot = book.viewSlot(id) as number;
            // State and both vaults are the chain's at one slot.
            expect(pool.state).toEqual(decodePoolState(chain.at(id, slot), 'chain'));
            expect(pool.vault0Amount).toBe(
              tokenAccountAmount(chain.at(pool.state.token0Vault, slot), 'chain'),
            );
            expect(pool.vault1Amount).toBe(
              tokenAccountAmount(chain.at(pool.state.token1Vault, slot), 'chain'),
            );
            // Nothing goes back: the shared slot, the config's and the mints' versions.
            const now = {
              slot,
              config: pool.config.tradeFeeRate,
              decimals: pool.mints.map((m) => m.decimals),
            };
            const prev = seen.get(id);
            if (prev !== undefined) {
              expect(now.slot).toBeGreaterThanOrEqual(prev.slot);
              expect(now.config).toBeGreaterThanOrEqual(prev.config);
              now.decimals.forEach((d, i) => {
                expect(d).toBeGreaterThanOrEqual(prev.decimals[i] as number);
              });
            }
            seen.set(id, now);
          }
        }
        // A read at the newest slot settles everything: nothing stays torn or untradable.
        expect(book.unsettled()).toEqual([]);
        for (const f of fixtures) {
          expect(book.viewSlot(f.address)).toBe(last);
          expect(book.untradable(f.address, NOW)).toBeNull();
          const pool = book.pool(f.address);
          expect(pool?.config).toEqual(decodeAmmConfig(chain.at(f.configAddress, last), 'chain'));
          expect(pool?.mints.map((m) => m.decimals)).toEqual(
            [f.state.token0Mint, f.state.token1Mint].map((m) => chain.at(m, last)[44]),
          );
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('watched pools: what makes a pool tradable', () => {
  /** A book that has read every account of the first fixture pool at `slot`. */
  function readBook(slot: number) {
    const f = fixtures[0];
    const chain = new Chain([f]);
    const book = new WatchedPools([f.address], 5_000);
    book.useEpochSchedule(MAINNET);
    expect(book.accountsOf(f.address)).toEqual([f.address]);
    expect(readAll(book, chain, slot).changed).toEqual([]);
    // The state names the rest: vaults, config and mints.
    expect(book.accounts()).toHaveLength(6);
    expect(readAll(book, chain, slot).changed).toEqual([f.address]);
    return { f, chain, book, id: f.address };
  }

  it('links the accounts a state names, and walks through the reasons not to trade', () => {
    const f = fixtures[0];
    const book = new WatchedPools([f.address], 5_000);
    book.useEpochSchedule(MAINNET);
    expect(book.untradable(f.address, NOW)).toMatch(/accounts not all read yet/);
    expect(book.untradable('elsewhere', NOW)).toMatch(/not watched/);
    const { id, chain, book: b } = readBook(10);
    expect(b.untradable(id, NOW)).toBeNull();
    expect(b.viewSlot(id)).toBe(10);
    expect(b.snapshot(id)).toMatchObject({ reserveA: expect.any(BigInt), feeBps: 25 });
    // Before the pool's open_time (1 717 000 000 s) the program refuses swaps.
    expect(b.untradable(id, 1_000_000_000_000)).toMatch(/not open yet/);
    expect(b.untradable(id, NOW + 5_001)).toMatch(/stale/);
    // A notification that confirms the view (same bytes, later slot) freshens it.
    const state = chain.value(id, 10);
    expect(b.notify(id, 11, state, NOW + 5_001).changed).toEqual([]);
    expect(b.untradable(id, NOW + 5_002)).toMatch(/different slots \(11, 10, 10\)/);
    expect(b.unsettled()).toEqual([{ pool: id, minSlot: 11, sinceMs: NOW + 5_001 }]);
    expect(b.snapshot(id)).toBeDefined();
    readAll(b, chain, 11);
    expect(b.untradable(id, NOW + 5_002)).toMatch(/stale/);
    expect(b.untradable(id, NOW)).toBeNull();
  });

  it('a swap is one event once its state and both vaults are at its slot', () => {
    const { id, chain, book } = readBook(10);
    chain.apply(12, { kind: 'swap', pool: 0 });
    const before = book.snapshot(id);
    const [state, v0, v1] = chain.notifications.slice(-3);
    expect(
      book.notify(v1?.account as string, 12, chain.value(v1?.account as string, 12), NOW).changed,
    ).toEqual([]);
    expect(book.snapshot(id)).toBe(before);
    expect(book.notify(state?.account as string, 12, chain.value(id, 12), NOW).changed).toEqual([]);
    expect(book.untradable(id, NOW)).toMatch(/different slots/);
    const last = book.notify(
      v0?.account as string,
      12,
      chain.value(v0?.account as string, 12),
      NOW,
    );
    expect(last.changed).toEqual([id]);
    expect(book.viewSlot(id)).toBe(12);
    expect(book.untradable(id, NOW)).toBeNull();
    // The same notifications again, and a read from before them, change nothing.
    expect(book.notify(id, 12, chain.value(id, 12), NOW).changed).toEqual([]);
    expect(readAll(book, chain, 11).changed).toEqual([]);
    expect(book.viewSlot(id)).toBe(12);
  });

  it('a config or mint update at a newer slot applies without tearing the pool', () => {
    const { f, id, chain, book } = readBook(10);
    chain.apply(20, { kind: 'mint', token: 0 });
    chain.apply(21, { kind: 'config', pool: 0 });
    const mint = f.state.token0Mint;
    expect(book.notify(mint, 20, chain.value(mint, 20), NOW).changed).toEqual([]);
    expect(book.pool(id)?.mints[0].decimals).toBe((f.mints[0].decimals as number) + 1);
    expect(book.notify(f.configAddress, 21, chain.value(f.configAddress, 21), NOW).changed).toEqual(
      [id],
    );
    expect(book.snapshot(id)?.feeBps).toBe(26);
    expect(book.viewSlot(id)).toBe(10);
    expect(book.untradable(id, NOW)).toBeNull();
    // A later full read older than those updates keeps them.
    readAll(book, chain, 15);
    expect(book.snapshot(id)?.feeBps).toBe(26);
    expect(book.viewSlot(id)).toBe(15);
  });

  it('after a dropped subscription only a full read at or after the drop restores trading', () => {
    const { id, chain, book } = readBook(10);
    book.markGap(30);
    expect(book.untradable(id, NOW)).toMatch(/subscription dropped.*slot 30/);
    readAll(book, chain, 29);
    expect(book.untradable(id, NOW)).toMatch(/subscription dropped/);
    readAll(book, chain, 30);
    expect(book.untradable(id, NOW)).toBeNull();
  });

  it('bytes that do not decode are refused, naming the account, and change nothing', async () => {
    const { f, id, book } = readBook(10);
    const before = book.snapshot(id);
    const change = book.notify(
      f.state.token0Vault,
      11,
      { data: new Uint8Array(7), owner: TOKEN_PROGRAM },
      NOW,
    );
    expect(change.changed).toEqual([]);
    expect(change.errors[0]?.code).toBe('LF_SOLANA_ACCOUNT_DECODE');
    expect(change.errors[0]?.message).toContain(f.state.token0Vault);
    expect(book.snapshot(id)).toBe(before);
    expect(book.untradable(id, NOW)).toBeNull();
    // A mint owned by neither token program is no mint.
    const bad = book.notify(
      f.state.token1Mint,
      11,
      {
        data: encodeMint({ program: TOKEN_PROGRAM, decimals: 6 }),
        owner: 'CPMMoo8L3F4NbTegBCKVNunggL7H1ZpdTHKxQB5qKP1C',
      },
      NOW,
    );
    expect(bad.errors[0]?.message).toMatch(/neither the SPL Token nor the Token-2022 program/);
  });
});
