import {
  type AccountMeta,
  AccountRole,
  type AccountSignerMeta,
  type Address,
  type AddressesByLookupTableAddress,
  getAddressDecoder,
  getAddressEncoder,
  getProgramDerivedAddress,
  getU64Encoder,
  type Instruction,
  isSignerRole,
  type TransactionSigner,
} from '@solana/kit';
import { LandfallError } from '../errors.js';
import type { LivePool } from './live-pool.js';
import type { RaydiumCpPool } from './raydium-cp-pool.js';
import { associatedTokenAccount, poolAuthority } from './raydium-cp-swap.js';

/**
 * The wallet's own address lookup table (the Address Lookup Table program, a runtime builtin):
 * its instructions, its account layout, and which addresses it holds — every static account of
 * the watched pools' swaps. It is created and extended only by the wallet setup, never by a
 * submission; a transaction over the packet limit is compiled against it.
 *
 * Encodings follow the program's bincode (programs/address-lookup-table, instruction.rs and
 * state.rs): a u32 instruction tag; `CreateLookupTable { recent_slot: u64, bump_seed: u8 }` = 0,
 * `ExtendLookupTable { new_addresses: Vec<Pubkey> }` = 2 (u64 length, then the keys); the table
 * address is the PDA of [authority, recent_slot (u64 LE)]. The account is a 56-byte meta
 * (u32 state tag 1, deactivation slot u64, last extended slot u64, its start index u8,
 * Option<authority> at byte 21, 2 bytes padding) followed by the addresses.
 */
export const ADDRESS_LOOKUP_TABLE_PROGRAM =
  'AddressLookupTab1e1111111111111111111111111' as Address;
export const LOOKUP_TABLE_META_SIZE = 56;
/** The program's `LOOKUP_TABLE_MAX_ADDRESSES`. */
export const LOOKUP_TABLE_MAX_ADDRESSES = 256;
/** Addresses per extend: keeps an extend transaction well inside one packet. */
export const ADDRESSES_PER_EXTEND = 20;
/** `deactivation_slot` of a table that was never deactivated. */
export const ACTIVE = (1n << 64n) - 1n;
const SYSTEM_PROGRAM = '11111111111111111111111111111111' as Address;

const addressEncoder = getAddressEncoder();

/** Both instructions' accounts: the table, its authority (signs), the payer of rent, system. */
function tableAccounts(
  table: Address,
  authority: TransactionSigner,
): Array<AccountMeta | AccountSignerMeta> {
  return [
    { address: table, role: AccountRole.WRITABLE },
    { address: authority.address, role: AccountRole.READONLY_SIGNER, signer: authority },
    { address: authority.address, role: AccountRole.WRITABLE_SIGNER, signer: authority },
    { address: SYSTEM_PROGRAM, role: AccountRole.READONLY },
  ];
}
const addressDecoder = getAddressDecoder();
const u64 = getU64Encoder();

export interface LookupTableState {
  readonly authority: Address | null;
  readonly deactivationSlot: bigint;
  readonly lastExtendedSlot: bigint;
  readonly addresses: readonly Address[];
}

export async function lookupTableAddress(
  authority: Address,
  recentSlot: bigint,
): Promise<{ address: Address; bump: number }> {
  const [address, bump] = await getProgramDerivedAddress({
    programAddress: ADDRESS_LOOKUP_TABLE_PROGRAM,
    seeds: [addressEncoder.encode(authority), u64.encode(recentSlot)],
  });
  return { address, bump };
}

/** `CreateLookupTable` for a table `authority` owns; `recentSlot` must be in SlotHashes. */
export async function createLookupTableInstruction(
  authority: TransactionSigner,
  recentSlot: bigint,
): Promise<{ instruction: Instruction; address: Address }> {
  const { address, bump } = await lookupTableAddress(authority.address, recentSlot);
  const data = new Uint8Array(13);
  const view = new DataView(data.buffer);
  view.setUint32(0, 0, true);
  view.setBigUint64(4, recentSlot, true);
  data[12] = bump;
  return {
    address,
    instruction: {
      programAddress: ADDRESS_LOOKUP_TABLE_PROGRAM,
      accounts: tableAccounts(address, authority),
      data,
    },
  };
}

/** `ExtendLookupTable`: appends `addresses`; the authority pays the added rent. */
export function extendLookupTableInstruction(
  table: Address,
  authority: TransactionSigner,
  addresses: readonly Address[],
): Instruction {
  const data = new Uint8Array(12 + 32 * addresses.length);
  const view = new DataView(data.buffer);
  view.setUint32(0, 2, true);
  view.setBigUint64(4, BigInt(addresses.length), true);
  for (const [i, a] of addresses.entries()) data.set(addressEncoder.encode(a), 12 + 32 * i);
  return {
    programAddress: ADDRESS_LOOKUP_TABLE_PROGRAM,
    accounts: tableAccounts(table, authority),
    data,
  };
}

export function decodeLookupTable(data: Uint8Array, where: string): LookupTableState {
  const fail = (why: string) =>
    new LandfallError('LF_SOLANA_ACCOUNT_DECODE', `lookup table ${where}: ${why}`);
  if (data.length < LOOKUP_TABLE_META_SIZE) throw fail(`${data.length} bytes, below the meta`);
  if ((data.length - LOOKUP_TABLE_META_SIZE) % 32 !== 0) throw fail('a partial address');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (view.getUint32(0, true) !== 1) throw fail('not an initialised lookup table');
  const hasAuthority = data[21] === 1;
  const addresses: Address[] = [];
  for (let o = LOOKUP_TABLE_META_SIZE; o < data.length; o += 32)
    addresses.push(addressDecoder.decode(data.subarray(o, o + 32)));
  return {
    authority: hasAuthority ? addressDecoder.decode(data.subarray(22, 54)) : null,
    deactivationSlot: view.getBigUint64(4, true),
    lastExtendedSlot: view.getBigUint64(12, true),
    addresses,
  };
}

/**
 * The static accounts of every swap on `pools` by `owner`: the pool authority, each pool's
 * config, state, vaults, observation and mints, the token programs and the owner's token
 * accounts. The payer (a signer) and the swap program (invoked, so static) are never looked up.
 */
export async function poolLookupAddresses(
  pools: ReadonlyArray<Pick<RaydiumCpPool, 'address' | 'state'>>,
  owner: Address,
): Promise<Address[]> {
  const out = new Set<Address>([await poolAuthority()]);
  for (const p of pools) {
    const s = p.state;
    for (const a of [
      p.address,
      s.ammConfig,
      s.token0Vault,
      s.token1Vault,
      s.observationKey,
      s.token0Mint,
      s.token1Mint,
      s.token0Program,
      s.token1Program,
    ])
      out.add(a);
    out.add(await associatedTokenAccount(owner, s.token0Mint, s.token0Program));
    out.add(await associatedTokenAccount(owner, s.token1Mint, s.token1Program));
  }
  return [...out];
}

/**
 * The static accounts of every swap on `pools` (any venue) by `owner`: every account its venue's
 * swap instruction names in either direction, less signers (the payer signs, so stays static)
 * and the venue's program (invoked, so static). A venue is read through its own instruction
 * builder, so this follows whatever accounts each program takes.
 */
export async function venueLookupAddresses(
  pools: readonly LivePool[],
  owner: Address,
): Promise<Address[]> {
  const payer = { address: owner } as TransactionSigner;
  const out = new Set<Address>();
  for (const p of pools) {
    for (const direction of ['aToB', 'bToA'] as const) {
      const ix = await p.venue.swapInstruction({
        payer,
        pool: p.address,
        state: p.state,
        direction,
        amountIn: 1n,
        minimumAmountOut: 0n,
      });
      for (const a of ix.accounts ?? [])
        if (!isSignerRole(a.role) && a.address !== ix.programAddress) out.add(a.address);
    }
  }
  return [...out];
}

/** The loaded table the pipeline compiles against; replaced only by the setup path. */
export class WalletLookupTable {
  current: AddressesByLookupTableAddress | undefined;

  load(address: Address, state: LookupTableState): void {
    this.current = { [address]: [...state.addresses] };
  }
}
