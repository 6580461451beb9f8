import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { inspect } from 'node:util';
import { type Address, createKeyPairSignerFromBytes, type KeyPairSigner } from '@solana/kit';
import { LandfallError } from '../errors.js';
import type { LiveConfig } from './config.js';

/**
 * The trading keypair. It is read from a Solana CLI keypair file (a JSON array of 64 bytes) or
 * from an environment variable holding the same array, imported as a non-extractable WebCrypto
 * key, and the bytes are zeroed at once. Nothing that can print — errors, `toJSON`, `inspect` —
 * ever includes key material: only the public address.
 */
export class Wallet {
  readonly address: Address;

  constructor(readonly signer: KeyPairSigner) {
    this.address = signer.address;
  }

  toJSON(): { address: Address } {
    return { address: this.address };
  }

  [inspect.custom](): string {
    return `Wallet(${this.address})`;
  }
}

export async function loadWallet(
  config: Pick<LiveConfig, 'keypairPath' | 'keypairEnv'>,
  env: NodeJS.ProcessEnv,
  cwd = process.cwd(),
): Promise<Wallet> {
  let text: string;
  let where: string;
  if (config.keypairPath !== undefined) {
    where = `live.keypairPath (${config.keypairPath})`;
    try {
      // `~/` as the Solana CLI writes it (~/.config/solana/id.json); the shell did not expand it.
      const path = config.keypairPath.startsWith('~/')
        ? join(homedir(), config.keypairPath.slice(2))
        : resolve(cwd, config.keypairPath);
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new LandfallError('LF_SOLANA_KEYPAIR', `${where}: cannot read the keypair file`, {
        cause: (err as NodeJS.ErrnoException).code,
      });
    }
  } else if (config.keypairEnv !== undefined) {
    where = `live.keypairEnv (${config.keypairEnv})`;
    const value = env[config.keypairEnv];
    if (value === undefined || value === '') {
      throw new LandfallError('LF_SOLANA_KEYPAIR', `${where}: the variable is not set`);
    }
    text = value;
  } else {
    throw new LandfallError(
      'LF_SOLANA_KEYPAIR',
      'live mode needs a keypair: set live.keypairPath (Solana CLI JSON file) or live.keypairEnv',
    );
  }
  const bytes = parseKeypair(text, where);
  try {
    return new Wallet(await createKeyPairSignerFromBytes(bytes));
  } catch {
    // The cause is not kept: a WebCrypto error may quote the input.
    throw new LandfallError(
      'LF_SOLANA_KEYPAIR',
      `${where}: the 64 bytes are not an Ed25519 keypair (secret and public halves disagree)`,
    );
  } finally {
    bytes.fill(0);
  }
}

/** A JSON array of exactly 64 integers 0..255; the error says what is wrong, never the values. */
function parseKeypair(text: string, where: string): Uint8Array {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new LandfallError(
      'LF_SOLANA_KEYPAIR',
      `${where}: expected a JSON array of 64 bytes (Solana CLI keypair format), got text that is not JSON`,
    );
  }
  const ok =
    Array.isArray(parsed) &&
    parsed.length === 64 &&
    parsed.every((b) => Number.isInteger(b) && b >= 0 && b <= 255);
  if (!ok) {
    const shape = Array.isArray(parsed) ? `an array of ${parsed.length} items` : typeof parsed;
    throw new LandfallError(
      'LF_SOLANA_KEYPAIR',
      `${where}: expected a JSON array of 64 integers 0..255, got ${shape}`,
    );
  }
  const bytes = Uint8Array.from(parsed as number[]);
  (parsed as number[]).fill(0);
  return bytes;
}
