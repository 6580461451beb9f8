import { isDeepStrictEqual } from 'node:util';
import type { Address } from '@solana/kit';
import { LandfallError } from '../errors.js';
import type { PoolSnapshot } from '../market/types.js';
import { AccountBook, type AccountRecord, type AccountUpdate } from './account-book.js';
import { type EpochSchedule, epochAt } from './epochs.js';
import { cpLivePool, type LivePool } from './live-pool.js';
import {
  type AccountRole,
  type Decoded,
  decode,
  type Role,
  sameAddresses,
} from './pool-accounts.js';
import type { PoolState } from './raydium-cp-layout.js';
import { type RaydiumCpPool, snapshotOf, swapsEnabled } from './raydium-cp-pool.js';
import type { LiveVenue } from './venues/venue.js';

/**
 * What the live source knows of each watched pool, built from a slot-aware account book. A swap
 * writes the pool state and both vaults in one transaction, so those three must be known at the
 * same slot before they make a pool: notifications arrive one account at a time, and a re-read
 * may be served by a node behind the socket's. The AmmConfig and the two mints change rarely and
 * on their own, so they must be known and never rolled back, not from the same slot.
 *
 * `pool()` and `snapshot()` give the newest consistent view and never move back in slot. A pool
 * is tradable only when that view is also current: no newer state or vault is held that the rest
 * has not caught up with (a torn pool, which the source settles with a re-read at
 * `minContextSlot`), the subscription has not dropped since the last full read, and the view was
 * confirmed within `staleAfterMs`. The executors ask `untradable` before every send.
 *
 * A pool of another venue (`venues`) is watched the same way through its venue: the accounts are
 * `venue.watchedAccounts` of the pool's current bytes (re-derived whenever the pool account
 * changes: tick or bin arrays follow the price), all of them must be known at one slot (the
 * venue does not say which of them a swap writes, so none may lag), and the state is
 * `venue.decode` of their bytes; its snapshot carries `curve: { maths: venue, state }`.
 */
export interface PoolDirectory {
  /** A CP-Swap pool's model; undefined for a pool of another venue. */
  pool(id: string): RaydiumCpPool | undefined;
  /** Any watched pool, as planning and building a swap on it need it. */
  livePool(id: string): LivePool | undefined;
  /** Why the pool must not be traded now, or null when it may be. */
  untradable(id: string, nowMs: number): string | null;
}

/** An account's bytes and owning program, as a notification or a read carries them. */
export interface AccountData {
  readonly data: Uint8Array;
  readonly owner: string;
}

/** An account that does not exist, as the runtime shows one: no bytes, the system program's. */
export const ABSENT: AccountData = {
  data: new Uint8Array(0),
  owner: '11111111111111111111111111111111',
};

type Held = AccountRecord<Decoded>;

/** One pool's accounts as the book holds them, once its state names them all. */
interface Parts {
  readonly state: Held;
  readonly vault0: Held;
  readonly vault1: Held;
  readonly config: Held;
  readonly mint0: Held;
  readonly mint1: Held;
}

interface View {
  /** CP-Swap pools only. */
  readonly pool?: RaydiumCpPool;
  readonly live: LivePool;
  readonly snapshot: PoolSnapshot;
  /** The slot its state and vaults share. */
  readonly slot: number;
  readonly epoch: bigint;
  /** The decoded values (CP) or bytes it was built from: the same at a later slot confirm it. */
  readonly from: readonly unknown[];
}

interface Entry {
  view: View | undefined;
  /** Why the newest consistent accounts do not make a pool (they fail to decode as one). */
  problem: string | undefined;
  confirmedMs: number;
  /** The slot the source had seen when the subscription dropped; a full read at or after it
   * ends the gap. Null: no gap. A pool starts in one, ended by the first read. */
  gapSlot: number | null;
  /** When its accounts last stopped agreeing (torn or incomplete); null while they agree. */
  tornSinceMs: number | null;
}

/**
 * Pools whose snapshot changed (one market event each), the updates refused, and whether a pool
 * the update touched is left torn or incomplete (`unsettled()` says which).
 */
export interface BookChange {
  readonly changed: Address[];
  readonly errors: LandfallError[];
  readonly unsettled: boolean;
}

export class WatchedPools implements PoolDirectory {
  private readonly book = new AccountBook<Decoded>();
  private readonly entries = new Map<string, Entry>();
  /** Account address → the pools it belongs to (configs and mints are shared by many). */
  private readonly roles = new Map<string, AccountRole[]>();
  private epochs: EpochSchedule | undefined;
  /** Moves whenever `accounts()` gains or loses an account: a feed then follows the new set. */
  accountsVersion = 0;
  /** Pools of other venues than CP-Swap → their watched accounts, the pool's own first. */
  private readonly members = new Map<string, readonly Address[]>();

  /** `venues`: the venue of each pool that is not CP-Swap. */
  constructor(
    readonly poolAddresses: readonly Address[],
    private readonly staleAfterMs: number,
    private readonly venues: ReadonlyMap<string, LiveVenue> = new Map(),
  ) {
    for (const a of poolAddresses) {
      this.entries.set(a, {
        view: undefined,
        problem: undefined,
        confirmedMs: 0,
        gapSlot: 0,
        tornSinceMs: null,
      });
      if (venues.has(a)) {
        this.members.set(a, [a]);
        this.roles.set(a, [{ pool: a, kind: 'member' }]);
      } else this.roles.set(a, [{ pool: a, kind: 'state' }]);
    }
  }

  /** The cluster's epoch schedule (getEpochSchedule), needed before any pool is built. */
  useEpochSchedule(schedule: EpochSchedule): void {
    this.epochs = schedule;
  }

  /** Every account to watch: the pools, and once their states are known, their other accounts. */
  accounts(): Address[] {
    return [...this.roles.keys()] as Address[];
  }

  /** A pool's accounts, to be read in one request (one bank): its state first. */
  accountsOf(pool: Address): Address[] {
    const members = this.members.get(pool);
    if (members !== undefined) return [...members];
    const s = this.stateOf(pool);
    if (s === undefined) return [pool];
    return [pool, s.token0Vault, s.token1Vault, s.ammConfig, s.token0Mint, s.token1Mint];
  }

  /**
   * Whether `account` may be held as absent (`ABSENT`, empty bytes): only an account another
   * venue's pool reads besides the pool itself, whose venue decides if it may be missing (a
   * Whirlpool's uninitialised tick array may; an AMM v4 vault may not, and its decode refuses
   * it). A pool account, and every CP-Swap account, must exist.
   */
  mayBeAbsent(account: string): boolean {
    const roles = this.roles.get(account);
    if (roles === undefined || this.entries.has(account)) return false;
    return roles.every((r) => r.kind === 'member');
  }

  /** One account notification, at its context slot. */
  notify(account: string, slot: number, value: AccountData, nowMs: number): BookChange {
    const touched = new Set<Address>();
    const errors: LandfallError[] = [];
    this.put(account, { ...value, slot, origin: 'notification' }, touched, errors);
    const changed = this.settle(touched, errors, nowMs);
    let unsettled = false;
    for (const id of touched) {
      if (this.consistent(id)) this.entry(id).confirmedMs = nowMs;
      if (this.markTorn(id, nowMs)) unsettled = true;
    }
    return { changed, errors, unsettled };
  }

  /**
   * One `getMultipleAccounts` answer: every account at its context slot (one bank). A pool whose
   * accounts were all read is confirmed if the read reached the slot its view is at, and its gap
   * ends if the read reached the gap's slot; a read behind the book changes nothing.
   */
  read(
    slot: number,
    values: ReadonlyArray<readonly [string, AccountData]>,
    nowMs: number,
  ): BookChange {
    const touched = new Set<Address>();
    const errors: LandfallError[] = [];
    for (const [account, value] of values)
      this.put(account, { ...value, slot, origin: 'read' }, touched, errors);
    const changed = this.settle(touched, errors, nowMs);
    const read = new Set(values.map(([a]) => a));
    let unsettled = false;
    for (const [id, e] of this.entries) {
      if (!this.accountsOf(id as Address).every((a) => read.has(a))) continue;
      if (e.gapSlot !== null && slot >= e.gapSlot) e.gapSlot = null;
      if (this.markTorn(id as Address, nowMs)) unsettled = true;
      else if (this.consistent(id as Address) && e.view?.slot === slot) e.confirmedMs = nowMs;
    }
    return { changed, errors, unsettled };
  }

  /** The subscription dropped at `slot`: nothing is tradable until a full read reaches it. */
  markGap(slot: number): void {
    for (const e of this.entries.values()) e.gapSlot = Math.max(e.gapSlot ?? 0, slot);
  }

  /**
   * Pools a read must settle: state and vaults at different slots (`minSlot` is the newest of
   * them, the slot a read must reach), or accounts the state names that were never read; with
   * when they stopped agreeing.
   */
  unsettled(): Array<{ pool: Address; minSlot: number; sinceMs: number }> {
    const out: Array<{ pool: Address; minSlot: number; sinceMs: number }> = [];
    for (const id of this.poolAddresses) {
      const slots = this.slotsOf(id);
      if (slots !== undefined && agree(slots)) continue;
      const minSlot = slots === undefined ? (this.book.get(id)?.slot ?? 0) : Math.max(...slots);
      out.push({ pool: id, minSlot, sinceMs: this.entry(id).tornSinceMs ?? 0 });
    }
    return out;
  }

  pool(id: string): RaydiumCpPool | undefined {
    return this.entries.get(id)?.view?.pool;
  }

  livePool(id: string): LivePool | undefined {
    return this.entries.get(id)?.view?.live;
  }

  snapshot(id: string): PoolSnapshot | undefined {
    return this.entries.get(id)?.view?.snapshot;
  }

  /** The slot the exposed view's state and vaults share. */
  viewSlot(id: string): number | undefined {
    return this.entries.get(id)?.view?.slot;
  }

  untradable(id: string, nowMs: number): string | null {
    const e = this.entries.get(id);
    if (e === undefined) return `pool ${id} is not watched`;
    const slots = this.slotsOf(id);
    if (e.view === undefined || slots === undefined)
      return `pool ${id}: ${e.problem ?? 'accounts not all read yet'}`;
    if (e.gapSlot !== null)
      return `pool ${id}: subscription dropped, waiting for a fresh read (at slot ${e.gapSlot} or later)`;
    if (!agree(slots)) {
      const what = this.members.has(id) ? 'its accounts are' : 'state and vaults are';
      return `pool ${id}: ${what} from different slots (${slots.join(', ')}), waiting for the rest of slot ${Math.max(...slots)} or a re-read`;
    }
    if (nowMs - e.confirmedMs > this.staleAfterMs)
      return `pool ${id}: stale, last update ${nowMs - e.confirmedMs} ms ago (live.timeouts.staleAfterMs ${this.staleAfterMs})`;
    // Another venue's open time and status are its quote's to refuse, on the plan's clock.
    if (e.view.pool !== undefined && !swapsEnabled(e.view.pool, Math.floor(nowMs / 1000)))
      return `pool ${id}: swaps disabled or not open yet`;
    return null;
  }

  private put(
    account: string,
    update: AccountUpdate,
    touched: Set<Address>,
    errors: LandfallError[],
  ): void {
    const roles = this.roles.get(account);
    // A CP role decodes the account; another venue's pool only needs its bytes.
    const role = roles?.find((r) => r.kind !== 'member') ?? roles?.[0];
    if (roles === undefined || role === undefined) return;
    const venue = this.members.has(account) ? this.venues.get(account) : undefined;
    // A state naming other accounts than before: they join the pool's roles once it is held.
    let relinked: PoolState | undefined;
    let watched: readonly Address[] | undefined;
    try {
      const outcome = this.book.put(account, update, (held) => {
        const decoded = decode(account, role, update, held);
        if (decoded.kind === 'state' && !sameAddresses(held?.data, update.data))
          relinked = decoded.state;
        // Inside the decode, so a pool account its venue cannot read is refused, not held.
        if (venue !== undefined) watched = venue.watchedAccounts(account as Address, update.data);
        return decoded;
      });
      if (outcome === 'ignored') return;
    } catch (err) {
      errors.push(err as LandfallError);
      return;
    }
    if (relinked !== undefined) this.link(role.pool, relinked);
    if (watched !== undefined) this.rewatch(account as Address, watched);
    for (const r of roles) touched.add(r.pool);
  }

  /** Rebuilds the views of `pools`; returns those whose snapshot changed. */
  private settle(pools: Set<Address>, errors: LandfallError[], nowMs: number): Address[] {
    const changed: Address[] = [];
    for (const id of pools) {
      try {
        const venue = this.members.has(id) ? this.venues.get(id) : undefined;
        if (venue === undefined ? this.rebuild(id) : this.rebuildVenue(id, venue, nowMs))
          changed.push(id);
      } catch (err) {
        errors.push(err as LandfallError);
      }
    }
    return changed;
  }

  private rebuild(id: Address): boolean {
    const e = this.entry(id);
    const p = this.parts(id);
    if (p === undefined || !sameSlot(p)) return false;
    const slot = p.state.slot;
    const prev = e.view;
    // Only a state that names accounts known at an older slot could go back; keep the view.
    if (prev !== undefined && slot < prev.slot) return false;
    if (this.epochs === undefined)
      throw new LandfallError('LF_SOLANA_CONFIG', 'the epoch schedule is read before any pool');
    const from = [p.state, p.vault0, p.vault1, p.config, p.mint0, p.mint1].map((r) => r.value);
    const [state, vault0, vault1, config, mint0, mint1] = from as [
      Decoded & { kind: 'state' },
      Decoded & { kind: 'vault' },
      Decoded & { kind: 'vault' },
      Decoded & { kind: 'config' },
      Decoded & { kind: 'mint' },
      Decoded & { kind: 'mint' },
    ];
    // The next swap runs no earlier than this slot's epoch, nor the pool's last swap's.
    let epoch = epochAt(this.epochs, slot);
    if (state.state.recentEpoch > epoch) epoch = state.state.recentEpoch;
    if (prev !== undefined && prev.epoch === epoch && from.every((v, i) => v === prev.from[i])) {
      e.view = { ...prev, slot };
      return false;
    }
    const pool: RaydiumCpPool = {
      address: id,
      state: state.state,
      config: config.config,
      vault0Amount: vault0.amount,
      vault1Amount: vault1.amount,
      mints: [mint0.mint, mint1.mint],
      epoch,
    };
    let snapshot: PoolSnapshot;
    try {
      snapshot = snapshotOf(pool);
    } catch (err) {
      // A pool the model cannot trade is withdrawn, not left at its last good view.
      e.view = undefined;
      e.problem = (err as Error).message;
      throw err;
    }
    e.view = { pool, live: cpLivePool(pool), snapshot, slot, epoch, from };
    e.problem = undefined;
    return prev === undefined || !isDeepStrictEqual(prev.snapshot, snapshot);
  }

  /** `rebuild` for a pool of another venue: its venue decodes the bytes of all its accounts. */
  private rebuildVenue(id: Address, venue: LiveVenue, nowMs: number): boolean {
    const e = this.entry(id);
    const records = this.memberRecords(id);
    if (records === undefined || !agree(records.map((r) => r.slot))) return false;
    const slot = (records[0] as Held).slot;
    const prev = e.view;
    if (prev !== undefined && slot < prev.slot) return false;
    if (this.epochs === undefined)
      throw new LandfallError('LF_SOLANA_CONFIG', 'the epoch schedule is read before any pool');
    const epoch = BigInt(epochAt(this.epochs, slot));
    const from = records.map((r) => r.data);
    if (
      prev !== undefined &&
      prev.epoch === epoch &&
      from.length === prev.from.length &&
      from.every((v, i) => v === prev.from[i])
    ) {
      // The same pool at a later slot: a pair activated by slot may have opened since.
      const context = { ...prev.live.context, slot: BigInt(slot) };
      e.view = { ...prev, slot, live: { ...prev.live, context } };
      return false;
    }
    const context = { unixTimestamp: BigInt(Math.floor(nowMs / 1000)), epoch, slot: BigInt(slot) };
    let live: LivePool;
    let snapshot: PoolSnapshot;
    try {
      const state = venue.decode(id, (a) => this.book.get(a)?.data, context);
      const described = venue.snapshot(id, state);
      snapshot = { ...described, curve: { maths: venue, state } };
      const mintA = described.mintA as Address;
      const mintB = described.mintB as Address;
      live = { address: id, venue, state, context, mintA, mintB };
    } catch (err) {
      const failed = withAbsent(err, this.members.get(id) ?? [], (a) => this.book.get(a)?.data);
      e.view = undefined;
      e.problem = (failed as Error).message;
      throw failed;
    }
    e.view = { live, snapshot, slot, epoch, from };
    e.problem = undefined;
    return prev === undefined || !isDeepStrictEqual(prev.snapshot, snapshot);
  }

  /** Whether its accounts are not all known or its state and vaults disagree on the slot. */
  private markTorn(id: Address, nowMs: number): boolean {
    const slots = this.slotsOf(id);
    const torn = slots === undefined || !agree(slots);
    const e = this.entry(id);
    if (!torn) e.tornSinceMs = null;
    else if (e.tornSinceMs === null) e.tornSinceMs = nowMs;
    return torn;
  }

  /** Its view is built from the state and vaults the book holds now. */
  private consistent(id: Address): boolean {
    const slots = this.slotsOf(id);
    return slots !== undefined && agree(slots) && this.entry(id).view?.slot === slots[0];
  }

  /**
   * The slots that must agree before the pool is a view: a CP pool's state and vaults (state
   * first), another venue's every account (the pool's first); undefined while one is unknown.
   */
  private slotsOf(id: string): number[] | undefined {
    if (this.members.has(id)) return this.memberRecords(id)?.map((r) => r.slot);
    const p = this.parts(id);
    return p === undefined ? undefined : [p.state.slot, p.vault0.slot, p.vault1.slot];
  }

  private memberRecords(id: string): Held[] | undefined {
    const records: Held[] = [];
    for (const a of this.members.get(id) ?? []) {
      const r = this.book.get(a);
      if (r === undefined) return undefined;
      records.push(r);
    }
    return records;
  }

  private parts(id: string): Parts | undefined {
    const s = this.stateOf(id);
    if (s === undefined) return undefined;
    const state = this.book.get(id) as Held;
    const vault0 = this.book.get(s.token0Vault);
    const vault1 = this.book.get(s.token1Vault);
    const config = this.book.get(s.ammConfig);
    const mint0 = this.book.get(s.token0Mint);
    const mint1 = this.book.get(s.token1Mint);
    if (vault0 === undefined || vault1 === undefined || config === undefined) return undefined;
    if (mint0 === undefined || mint1 === undefined) return undefined;
    return { state, vault0, vault1, config, mint0, mint1 };
  }

  private stateOf(id: string): PoolState | undefined {
    const v = this.book.get(id)?.value;
    return v?.kind === 'state' ? v.state : undefined;
  }

  private entry(id: string): Entry {
    return this.entries.get(id) as Entry;
  }

  /** Another venue's pool now reads from `watched`: accounts it left are no longer watched for it. */
  private rewatch(pool: Address, watched: readonly Address[]): void {
    const next = watched[0] === pool ? [...watched] : [pool, ...watched.filter((a) => a !== pool)];
    const kept = new Set(next);
    for (const a of this.members.get(pool) ?? []) {
      if (kept.has(a)) continue;
      const list = (this.roles.get(a) ?? []).filter(
        (r) => !(r.pool === pool && r.kind === 'member'),
      );
      if (list.length > 0) this.roles.set(a, list);
      else this.roles.delete(a);
      this.accountsVersion++;
    }
    for (const a of next) {
      const list = this.roles.get(a) ?? [];
      if (list.length === 0) this.accountsVersion++;
      if (!list.some((r) => r.pool === pool && r.kind === 'member'))
        list.push({ pool, kind: 'member' });
      this.roles.set(a, list);
    }
    this.members.set(pool, next);
  }

  private link(pool: Address, state: PoolState): void {
    const add = (account: Address, kind: Role) => {
      const list = this.roles.get(account) ?? [];
      if (list.length === 0) this.accountsVersion++;
      if (!list.some((r) => r.pool === pool && r.kind === kind)) list.push({ pool, kind });
      this.roles.set(account, list);
    };
    add(state.ammConfig, 'config');
    add(state.token0Vault, 'vault0');
    add(state.token1Vault, 'vault1');
    add(state.token0Mint, 'mint0');
    add(state.token1Mint, 'mint1');
  }
}

function sameSlot(p: Parts): boolean {
  return p.state.slot === p.vault0.slot && p.vault0.slot === p.vault1.slot;
}

function agree(slots: readonly number[]): boolean {
  return slots.every((s) => s === slots[0]);
}

/** A decode that failed on a pool with absent accounts says which: they are the likely cause. */
function withAbsent(
  err: unknown,
  members: readonly Address[],
  data: (a: Address) => Uint8Array | undefined,
): unknown {
  const absent = members.filter((a) => data(a)?.length === 0);
  if (!(err instanceof LandfallError) || absent.length === 0) return err;
  const message = `${err.message} (no account exists at ${absent.join(', ')})`;
  return new LandfallError(err.code, message, { cause: err });
}
