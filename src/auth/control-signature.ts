import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import type { Config } from '../config/schema.js';
import { LandfallError, reasonOf } from '../errors.js';
import { type ControlCommand, ControlCommandSchema } from '../gen/landfall/v1/control_pb.js';

type ControlKeyConfig = Config['bus']['control'];
type TrustedKey = ControlKeyConfig['trustedKeys'][number];

// DER prefixes that turn a raw Ed25519 seed / public key into PKCS8 / SPKI (RFC 8410).
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * The bytes a signature covers: the command's protobuf binary with `signature` cleared. Every
 * other field (key_id included) is covered, so no field can be changed or re-attributed.
 */
export function signedBytes(command: ControlCommand): Uint8Array {
  return toBinary(ControlCommandSchema, { ...command, signature: new Uint8Array(0) });
}

/** Signs control commands with one issuer's Ed25519 key (API, guard, live safety). */
export class ControlSigner {
  constructor(
    readonly keyId: string,
    private readonly key: KeyObject,
  ) {}

  /** The public key agents must trust, as base64url of its 32 raw bytes. */
  get publicKey(): string {
    return rawPublicKey(createPublicKey(this.key));
  }

  /** A copy of `command` carrying this key's id and signature. */
  sign(command: ControlCommand): ControlCommand {
    const unsigned = create(ControlCommandSchema, { ...command, keyId: this.keyId });
    const signature = sign(null, signedBytes(unsigned), this.key);
    return create(ControlCommandSchema, { ...unsigned, signature });
  }
}

export type ControlVerdict =
  | { readonly ok: true; readonly keyId: string }
  | { readonly ok: false; readonly reason: string };

/** Checks a command against the issuer keys an agent trusts; refuses everything else. */
export class ControlVerifier {
  readonly #keys = new Map<string, { key: KeyObject; sources: readonly string[] | undefined }>();

  constructor(trusted: readonly TrustedKey[]) {
    for (const t of trusted) {
      this.#keys.set(t.keyId, { key: publicKeyOf(t.publicKey, t.keyId), sources: t.sources });
    }
  }

  get keyIds(): string[] {
    return [...this.#keys.keys()];
  }

  verify(command: ControlCommand): ControlVerdict {
    if (command.signature.length === 0)
      return { ok: false, reason: 'refused: unsigned control command' };
    const trusted = this.#keys.get(command.keyId);
    if (trusted === undefined)
      return { ok: false, reason: `refused: key "${command.keyId}" is not a trusted issuer key` };
    let valid = false;
    try {
      valid = verify(null, signedBytes(command), trusted.key, command.signature);
    } catch {
      valid = false;
    }
    if (!valid) return { ok: false, reason: `refused: bad signature for key "${command.keyId}"` };
    if (trusted.sources !== undefined && !trusted.sources.includes(command.source))
      return {
        ok: false,
        reason: `refused: key "${command.keyId}" may not sign for source "${command.source}"`,
      };
    return { ok: true, keyId: command.keyId };
  }
}

/** A fresh key pair: the seed as LANDFALL_CONTROL_SIGNING_KEY takes it, the public key raw. */
export function generateControlKey(): { signingKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  return {
    signingKey: der.subarray(PKCS8_PREFIX.length).toString('base64url'),
    publicKey: rawPublicKey(publicKey),
  };
}

/**
 * Paper mode must be safe without setup: with no signing key, `landfall up` signs with a key
 * that lives only in this process, which its own agents trust (like the JWT secret in
 * dev-secret.ts). Live trading never gets a generated key (`generate` is for dry runs).
 */
export function withPaperControlKey(config: Config, generate = config.mode === 'paper'): Config {
  if (!generate || config.bus.control.signingKey !== undefined) return config;
  const control = { ...config.bus.control, signingKey: generateControlKey().signingKey };
  return { ...config, bus: { ...config.bus, control } };
}

/**
 * This service's signer. Without a key, paper mode (and a dry run, which trades nothing)
 * generates one for the process — agents in other processes will not trust it; live mode
 * refuses to start.
 */
export function controlSignerFrom(
  config: Config,
  allowGenerated = config.mode === 'paper',
): ControlSigner {
  const c = config.bus.control;
  const signingKey = c.signingKey ?? (allowGenerated ? undefined : missingKey());
  const key =
    signingKey === undefined
      ? generateKeyPairSync('ed25519').privateKey
      : privateKeyOf(signingKey, c.keyId);
  return new ControlSigner(c.keyId, key);
}

/** What the agents of this process trust: `trustedKeys`, and this process's own signing key. */
export function controlVerifierFrom(config: Config): ControlVerifier {
  const c = config.bus.control;
  const own: TrustedKey[] =
    c.signingKey === undefined
      ? []
      : [{ keyId: c.keyId, publicKey: controlSignerFrom(config).publicKey }];
  return new ControlVerifier([...c.trustedKeys.filter((t) => t.keyId !== c.keyId), ...own]);
}

function missingKey(): never {
  throw new LandfallError(
    'LF_CONTROL_KEY_MISSING',
    'live mode needs a control signing key: set LANDFALL_CONTROL_SIGNING_KEY to an Ed25519 seed ' +
      '(`landfall`-generated or `openssl genpkey -algorithm ed25519`) and list its public key ' +
      'in the agents’ bus.control.trustedKeys',
  );
}

function privateKeyOf(text: string, keyId: string): KeyObject {
  try {
    if (text.includes('-----BEGIN')) return createPrivateKey(text);
    const seed = Buffer.from(text, 'base64url');
    if (seed.length !== 32) throw new Error(`expected a 32-byte seed, got ${seed.length} bytes`);
    return createPrivateKey({
      key: Buffer.concat([PKCS8_PREFIX, seed]),
      format: 'der',
      type: 'pkcs8',
    });
  } catch (cause) {
    throw new LandfallError(
      'LF_CONTROL_KEY_INVALID',
      `control signing key "${keyId}" (LANDFALL_CONTROL_SIGNING_KEY) is not an Ed25519 key: ${reasonOf(cause)}; give a base64url 32-byte seed or a PEM PKCS8 block`,
      { cause },
    );
  }
}

function publicKeyOf(text: string, keyId: string): KeyObject {
  try {
    if (text.includes('-----BEGIN')) return createPublicKey(text);
    const raw = Buffer.from(text, 'base64url');
    if (raw.length !== 32) throw new Error(`expected 32 raw bytes, got ${raw.length}`);
    return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new LandfallError(
      'LF_CONTROL_KEY_INVALID',
      `bus.control.trustedKeys "${keyId}" is not an Ed25519 public key: ${reasonOf(cause)}; give base64url of its 32 raw bytes or a PEM SPKI block`,
      { cause },
    );
  }
}

function rawPublicKey(key: KeyObject): string {
  const der = key.export({ format: 'der', type: 'spki' });
  return der.subarray(SPKI_PREFIX.length).toString('base64url');
}

/** A signer and the verifier that trusts only it: one process's issuer and agents, and tests. */
export function ephemeralControlKeys(keyId = 'ephemeral'): {
  signer: ControlSigner;
  verifier: ControlVerifier;
} {
  const signer = new ControlSigner(keyId, generateKeyPairSync('ed25519').privateKey);
  return { signer, verifier: new ControlVerifier([{ keyId, publicKey: signer.publicKey }]) };
}
