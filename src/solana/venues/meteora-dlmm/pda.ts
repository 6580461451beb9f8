import { createHash } from 'node:crypto';
import {
  type Address,
  getAddressDecoder,
  getAddressEncoder,
  getI64Encoder,
  isOffCurveAddress,
} from '@solana/kit';
import { DLMM_PROGRAM } from './layout.js';

/**
 * The pair's program-derived accounts (MeteoraAg/dlmm-sdk `commons/src/pda.rs`, `seeds.rs`),
 * found synchronously because `watchedAccounts` is: the runtime's search, bump 255 down, the
 * first sha256(seeds ‖ bump ‖ program ‖ "ProgramDerivedAddress") off the ed25519 curve.
 */

const MARKER = new TextEncoder().encode('ProgramDerivedAddress');
const addressBytes = getAddressEncoder();
const addresses = getAddressDecoder();
const i64 = getI64Encoder();
const PROGRAM_BYTES = new Uint8Array(addressBytes.encode(DLMM_PROGRAM));

function findAddress(seeds: readonly Uint8Array[]): Address {
  for (let bump = 255; bump >= 0; bump--) {
    const hash = createHash('sha256');
    for (const s of seeds) hash.update(s);
    hash.update(Uint8Array.of(bump));
    hash.update(PROGRAM_BYTES);
    hash.update(MARKER);
    const candidate = addresses.decode(new Uint8Array(hash.digest()));
    if (isOffCurveAddress(candidate)) return candidate;
  }
  throw new Error('no program address for these seeds under the DLMM program');
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
