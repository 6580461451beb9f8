import type { Address } from '@solana/kit';
import { LandfallError } from '../../errors.js';
import type { AccountReader } from './venue.js';

/** The bytes of `address`, or an `LF_SOLANA_ACCOUNT_DECODE` naming the pool that needs them. */
export function requireAccount(
  read: AccountReader,
  address: Address,
  role: string,
  pool: Address,
): Uint8Array {
  const data = read(address);
  if (data === undefined) {
    throw new LandfallError(
      'LF_SOLANA_ACCOUNT_DECODE',
      `pool ${pool}: its ${role} account ${address} has not been read`,
    );
  }
  return data;
}
