import type { ReadonlyUint8Array } from '@solana/kit';
import { LandfallError } from '../../../errors.js';

/** Anchor's account framing: an 8-byte discriminator, sha256("account:<Name>")[..8], then the struct. */

export const decodeError = (where: string, why: string) =>
  new LandfallError('LF_SOLANA_ACCOUNT_DECODE', `${where}: ${why}`);

export function hasDiscriminator(data: Uint8Array, discriminator: Uint8Array): boolean {
  return data.length >= 8 && discriminator.every((b, i) => data[i] === b);
}

export function withDiscriminator(discriminator: Uint8Array, body: ReadonlyUint8Array): Uint8Array {
  const out = new Uint8Array(8 + body.length);
  out.set(discriminator);
  out.set(body, 8);
  return out;
}
