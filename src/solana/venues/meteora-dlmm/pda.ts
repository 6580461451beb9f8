import { type Address, getAddressEncoder, getI64Encoder } from '@solana/kit';
import { findProgramAddressSync } from '../pda.js';
import { DLMM_PROGRAM } from './layout.js';

/**
 * The pair's program-derived accounts (MeteoraAg/dlmm-sdk `commons/src/pda.rs`, `seeds.rs`),
 * found synchronously because `watchedAccounts` is.
 */

const addressBytes = getAddressEncoder();
const i64 = getI64Encoder();

function findAddress(seeds: readonly Uint8Array[]): Address {
  return findProgramAddressSync(DLMM_PROGRAM, seeds)[0];
}

const text = (s: string) => new TextEncoder().encode(s);
const key = (a: Address) => new Uint8Array(addressBytes.encode(a));

/** `["bin_array", lb_pair, index as i64 LE]`. */
export function binArrayAddress(lbPair: Address, index: number): Address {
  return findAddress([text('bin_array'), key(lbPair), new Uint8Array(i64.encode(BigInt(index)))]);
}

/** `["bitmap", lb_pair]`: the BinArrayBitmapExtension. */
export function bitmapExtensionAddress(lbPair: Address): Address {
  return findAddress([text('bitmap'), key(lbPair)]);
}

/** Anchor's `#[event_cpi]` authority, `["__event_authority"]`. */
export const EVENT_AUTHORITY = findAddress([text('__event_authority')]);
