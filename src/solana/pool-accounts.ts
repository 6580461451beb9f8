import type { Address } from '@solana/kit';
import type { AccountRecord, AccountUpdate } from './account-book.js';
import {
  type AmmConfig,
  decodeAmmConfig,
  decodePoolState,
  decodeTokenAccount,
  POOL_STATE_ADDRESSES_END,
  type PoolState,
  tokenAccountAmount,
  withPoolStateCounters,
} from './raydium-cp-layout.js';
import { decodeMint, type MintInfo } from './token-2022.js';

/**
 * The accounts of a Raydium CP-Swap pool as the live source watches them: the role each plays
 * (the pool state names the others), and each decoded for its role, incrementally where a
 * notification changes only part of it. A pool of another venue is held as raw bytes, its
 * `member` accounts (`Venue.watchedAccounts`), decoded by its venue once all are known.
 */
export type Role = 'state' | 'config' | 'vault0' | 'vault1' | 'mint0' | 'mint1' | 'member';
export type AccountRole = { readonly pool: Address; readonly kind: Role };

export type Decoded =
  | { readonly kind: 'state'; readonly state: PoolState }
  | { readonly kind: 'config'; readonly config: AmmConfig }
  | { readonly kind: 'vault'; readonly amount: bigint }
  | { readonly kind: 'mint'; readonly mint: MintInfo }
  | { readonly kind: 'raw' };

const RAW: Decoded = { kind: 'raw' };

/** Decodes an account for its role; throws LF_SOLANA_ACCOUNT_DECODE naming the account. */
export function decode(
  account: string,
  role: AccountRole,
  update: AccountUpdate,
  held?: AccountRecord<Decoded>,
): Decoded {
  const where = `account ${account} (${role.kind} of pool ${role.pool})`;
  const { data } = update;
  const prev = held?.value;
  switch (role.kind) {
    case 'state':
      // Decoding ten base58 addresses is the costly part (~0.3 ms): a swap changes only the
      // counters after them, so those are read in place when the addresses are unchanged.
      return {
        kind: 'state',
        state:
          prev?.kind === 'state' && sameAddresses(held?.data, data)
            ? withPoolStateCounters(prev.state, data, where)
            : decodePoolState(data, where),
      };
    case 'config':
      return { kind: 'config', config: decodeAmmConfig(data, where) };
    case 'vault0':
    case 'vault1':
      // The first read checks the whole account; later ones read the balance alone.
      return {
        kind: 'vault',
        amount:
          prev?.kind === 'vault'
            ? tokenAccountAmount(data, where)
            : decodeTokenAccount(data, where).amount,
      };
    case 'mint0':
    case 'mint1':
      return { kind: 'mint', mint: decodeMint(data, update.owner, where) };
    case 'member':
      return RAW;
  }
}

/** Whether two PoolState accounts name the same ten addresses (only their counters differ). */
export function sameAddresses(a: Uint8Array | undefined, b: Uint8Array): boolean {
  const end = POOL_STATE_ADDRESSES_END;
  return (
    a !== undefined &&
    a.length === b.length &&
    b.length >= end &&
    Buffer.compare(a.subarray(0, end), b.subarray(0, end)) === 0
  );
}
