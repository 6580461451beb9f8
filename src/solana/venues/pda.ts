import { createHash } from 'node:crypto';
import { type Address, getAddressDecoder, getAddressEncoder, isOffCurveAddress } from '@solana/kit';
import { LandfallError } from '../../errors.js';

/**
 * `find_program_address`, synchronously: `watchedAccounts` is synchronous, and the accounts a
 * venue watches (a Whirlpool's tick arrays and oracle, a DLMM pair's bin arrays) are PDAs of the
 * pool. The runtime's search (and kit's async `getProgramDerivedAddress`): bump 255 down,
 * sha256(seeds ‖ bump ‖ program ‖ "ProgramDerivedAddress"), the first hash off the ed25519 curve.
 */
const MARKER = new TextEncoder().encode('ProgramDerivedAddress');
const encoder = getAddressEncoder();
const decoder = getAddressDecoder();

export function findProgramAddressSync(
  programAddress: Address,
  seeds: readonly (Uint8Array | string)[],
): [Address, number] {
  const program = new Uint8Array(encoder.encode(programAddress));
  const bytes = seeds.map((s) => (typeof s === 'string' ? new TextEncoder().encode(s) : s));
  for (let bump = 255; bump >= 0; bump--) {
    const hash = createHash('sha256');
    for (const s of bytes) hash.update(s);
    hash.update(Uint8Array.of(bump));
    hash.update(program);
    hash.update(MARKER);
    const candidate = decoder.decode(new Uint8Array(hash.digest()));
    if (isOffCurveAddress(candidate)) return [candidate, bump];
  }
  // Each bump is off the curve with probability ½: 256 misses do not happen.
  throw new LandfallError(
    'LF_INTERNAL',
    `no program address for these seeds under ${programAddress}`,
  );
}
