import type { Address, Instruction, TransactionSigner } from '@solana/kit';
import { lamports } from '@solana/kit';
import { getTransferSolInstruction } from '@solana-program/system';
import {
  getCreateAssociatedTokenIdempotentInstruction,
  getSyncNativeInstruction,
} from '@solana-program/token';
import { LandfallError } from '../errors.js';
import { WSOL_MINT } from '../market/types.js';
import type { LivePool } from './live-pool.js';
import {
  ACTIVE,
  ADDRESSES_PER_EXTEND,
  createLookupTableInstruction,
  decodeLookupTable,
  extendLookupTableInstruction,
  LOOKUP_TABLE_MAX_ADDRESSES,
  type LookupTableState,
  poolLookupAddresses,
  venueLookupAddresses,
} from './lookup-table.js';
import { decodePoolState, type PoolState, tokenAccountAmount } from './raydium-cp-layout.js';
import { associatedTokenAccount } from './raydium-cp-swap.js';
import { type Lifetime, type SignedTransaction, signV0 } from './transactions.js';
import type { LiveVenue } from './venues/venue.js';

/**
 * The wallet's one-time preparation, outside the hot path, idempotent: run it twice and the
 * second run finds nothing to do and sends nothing.
 * - an associated token account for every mint the watched pools trade (SPL Token or
 *   Token-2022: `CreateAssociatedTokenIdempotent` names the mint's own program);
 * - the wrapped-SOL account topped up to `wsolTargetLamports` (a SOL transfer, then SyncNative);
 * - the wallet's address lookup table holding the pools' static accounts: found (the configured
 *   one, else one the wallet already owns) or created, then extended with what it lacks.
 * Nothing here runs inside a bundle; a submission only reads the table.
 */
export const SETUP_COMPUTE_UNITS = 400_000;
const TOKEN_PROGRAM = 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA' as Address;
/** ATA creations per transaction: each names 6 accounts; four fit well inside a packet. */
const ATAS_PER_TRANSACTION = 4;

/** What the setup reads and sends through: the RPC in live mode, litesvm in tests. */
export interface SetupChain {
  account(address: Address): Promise<{ owner: Address; data: Uint8Array } | null>;
  /** A recent slot, for a new lookup table's address (it must be in SlotHashes). */
  recentSlot(): Promise<bigint>;
  lifetime(): Promise<Lifetime>;
  /** Sends and resolves once it executed successfully; throws otherwise. */
  send(tx: SignedTransaction): Promise<void>;
  /** Lookup tables whose authority is `authority`. */
  lookupTables(authority: Address): Promise<Address[]>;
}

export interface WalletSetupOptions {
  readonly chain: SetupChain;
  readonly payer: TransactionSigner;
  readonly pools: readonly Address[];
  /** The venue of each pool that is not CP-Swap (venues/live.ts `poolVenues`). */
  readonly venues?: ReadonlyMap<string, LiveVenue>;
  readonly wsolTargetLamports: bigint;
  /** live.lookupTable when configured. */
  readonly lookupTable?: Address;
  /** Report what is missing and load the configured table; send nothing (dry run). */
  readonly readOnly?: boolean;
}

/** What the setup did (read-only: what it would do). */
export interface WalletSetupReport {
  readonly createdAccounts: Address[];
  readonly wrappedLamports: bigint;
  /** Null only in a read-only run that found no table. */
  readonly lookupTable: Address | null;
  readonly lookupTableCreated: boolean;
  readonly addressesAdded: number;
  readonly table: LookupTableState | null;
  readonly transactions: number;
}

interface Mint {
  readonly mint: Address;
  readonly program: Address;
}

export async function setupWallet(options: WalletSetupOptions): Promise<WalletSetupReport> {
  const { chain, payer } = options;
  const venues = options.venues ?? new Map<string, LiveVenue>();
  const cpPools = options.pools.filter((p) => !venues.has(p));
  const states = await Promise.all(cpPools.map((p) => poolState(chain, p)));
  const others = await Promise.all(
    options.pools.filter((p) => venues.has(p)).map((p) => venuePool(chain, p, venues)),
  );
  const mints = new Map<Address, Mint>([
    [WSOL_MINT as Address, { mint: WSOL_MINT as Address, program: TOKEN_PROGRAM }],
  ]);
  for (const s of states) {
    mints.set(s.token0Mint, { mint: s.token0Mint, program: s.token0Program });
    mints.set(s.token1Mint, { mint: s.token1Mint, program: s.token1Program });
  }
  for (const p of others) {
    for (const mint of [p.mintA, p.mintB]) {
      if (mints.has(mint)) continue;
      // A mint account is owned by its token program: the one its ATA is derived under.
      const account = await chain.account(mint);
      if (account === null) {
        throw new LandfallError(
          'LF_SOLANA_CONFIG',
          `pool ${p.address} trades mint ${mint}, which does not exist on this cluster`,
        );
      }
      mints.set(mint, { mint, program: account.owner });
    }
  }
  let transactions = 0;
  const send = async (instructions: Instruction[]) => {
    if (options.readOnly === true || instructions.length === 0) return;
    const lifetime = await chain.lifetime();
    await chain.send(await signV0(payer, lifetime, SETUP_COMPUTE_UNITS, 0n, instructions));
    transactions++;
  };

  const created: Address[] = [];
  const creates: Instruction[] = [];
  let wsolAccount: { address: Address; amount: bigint } | undefined;
  for (const m of mints.values()) {
    const ata = await associatedTokenAccount(payer.address, m.mint, m.program);
    const existing = await chain.account(ata);
    if (m.mint === WSOL_MINT) {
      wsolAccount = {
        address: ata,
        amount: existing === null ? 0n : tokenAccountAmount(existing.data, ata),
      };
    }
    if (existing !== null) continue;
    created.push(ata);
    creates.push(
      getCreateAssociatedTokenIdempotentInstruction({
        payer,
        ata,
        owner: payer.address,
        mint: m.mint,
        tokenProgram: m.program,
      }),
    );
  }
  for (let i = 0; i < creates.length; i += ATAS_PER_TRANSACTION)
    await send(creates.slice(i, i + ATAS_PER_TRANSACTION));

  const wsol = wsolAccount as { address: Address; amount: bigint };
  const wrap = options.wsolTargetLamports - wsol.amount;
  if (wrap > 0n) {
    await send([
      getTransferSolInstruction({
        source: payer,
        destination: wsol.address,
        amount: lamports(wrap),
      }),
      getSyncNativeInstruction({ account: wsol.address }),
    ]);
  }

  const wanted = [
    ...new Set([
      ...(await poolLookupAddresses(
        states.map((state, i) => ({ address: cpPools[i] as Address, state })),
        payer.address,
      )),
      ...(await venueLookupAddresses(others, payer.address)),
    ]),
  ];
  const table = await ensureLookupTable(options, wanted, send);
  return {
    createdAccounts: created,
    wrappedLamports: wrap > 0n ? wrap : 0n,
    ...table,
    transactions,
  };
}

async function poolState(chain: SetupChain, pool: Address): Promise<PoolState> {
  const account = await chain.account(pool);
  if (account === null) {
    throw new LandfallError(
      'LF_SOLANA_CONFIG',
      `live.pools names ${pool}, which does not exist on this cluster`,
    );
  }
  return decodePoolState(account.data, pool);
}

/**
 * A pool of another venue read whole through its venue, for its mints and its swap's accounts
 * only: no quote is taken, so the clock facts it is decoded under do not matter.
 */
async function venuePool(
  chain: SetupChain,
  pool: Address,
  venues: ReadonlyMap<string, LiveVenue>,
): Promise<LivePool> {
  const venue = venues.get(pool) as LiveVenue;
  const own = await chain.account(pool);
  if (own === null) {
    throw new LandfallError(
      'LF_SOLANA_CONFIG',
      `live.pools names ${pool}, which does not exist on this cluster`,
    );
  }
  const bytes = new Map<Address, Uint8Array>([[pool, own.data]]);
  for (const a of venue.watchedAccounts(pool, own.data)) {
    if (bytes.has(a)) continue;
    // An account that does not exist (an uninitialised tick array, no oracle) is empty bytes, as
    // the live book gives it: the venue's decode decides whether the pool can do without it.
    const account = await chain.account(a);
    bytes.set(a, account?.data ?? new Uint8Array(0));
  }
  const context = { unixTimestamp: 0n, epoch: 0n };
  const state = venue.decode(pool, (a) => bytes.get(a), context);
  const described = venue.snapshot(pool, state);
  return {
    address: pool,
    venue,
    state,
    context,
    mintA: described.mintA as Address,
    mintB: described.mintB as Address,
  };
}

async function ensureLookupTable(
  options: WalletSetupOptions,
  wanted: readonly Address[],
  send: (instructions: Instruction[]) => Promise<void>,
): Promise<
  Pick<WalletSetupReport, 'lookupTable' | 'lookupTableCreated' | 'addressesAdded' | 'table'>
> {
  const { chain, payer } = options;
  const read = async (address: Address): Promise<LookupTableState | null> => {
    const account = await chain.account(address);
    return account === null ? null : decodeLookupTable(account.data, address);
  };
  let address = options.lookupTable ?? null;
  let state = address === null ? null : await read(address);
  if (address !== null && state === null && options.lookupTable !== undefined) {
    throw new LandfallError(
      'LF_SOLANA_CONFIG',
      `live.lookupTable ${address} does not exist: remove it to let the setup create one`,
    );
  }
  // A dry run reads only the configured table: discovery scans the program's accounts.
  if (address === null && options.readOnly !== true) {
    for (const candidate of await chain.lookupTables(payer.address)) {
      const s = await read(candidate);
      if (s !== null && s.authority === payer.address && s.deactivationSlot === ACTIVE) {
        address = candidate;
        state = s;
        break;
      }
    }
  }
  if (state !== null && (state.authority !== payer.address || state.deactivationSlot !== ACTIVE)) {
    throw new LandfallError(
      'LF_SOLANA_CONFIG',
      `lookup table ${address} is not an active table of wallet ${payer.address}`,
    );
  }
  const held = new Set(state?.addresses ?? []);
  const missing = wanted.filter((a) => !held.has(a));
  if (held.size + missing.length > LOOKUP_TABLE_MAX_ADDRESSES) {
    throw new LandfallError(
      'LF_SOLANA_CONFIG',
      `the watched pools need ${held.size + missing.length} lookup-table addresses, over the ${LOOKUP_TABLE_MAX_ADDRESSES} one table holds: watch fewer pools`,
    );
  }
  let created = false;
  if (address === null) {
    if (options.readOnly === true) {
      return { lookupTable: null, lookupTableCreated: false, addressesAdded: 0, table: null };
    }
    const create = await createLookupTableInstruction(payer, await chain.recentSlot());
    address = create.address;
    await send([create.instruction]);
    created = true;
  }
  const table = address;
  for (let i = 0; i < missing.length; i += ADDRESSES_PER_EXTEND)
    await send([
      extendLookupTableInstruction(table, payer, missing.slice(i, i + ADDRESSES_PER_EXTEND)),
    ]);
  const final = options.readOnly === true ? state : await read(table);
  return {
    lookupTable: table,
    lookupTableCreated: created,
    addressesAdded: options.readOnly === true ? 0 : missing.length,
    table: final,
  };
}
