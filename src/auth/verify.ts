import { createPublicKey, type KeyObject, webcrypto } from 'node:crypto';
import {
  createRemoteJWKSet,
  errors,
  importSPKI,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import type { Config } from '../config/schema.js';
import { LandfallError, reasonOf } from '../errors.js';

export type Role = 'admin' | 'viewer';
export const roles: readonly Role[] = ['admin', 'viewer'];

/** Who is calling, as a verified token says. */
export interface Principal {
  readonly subject: string;
  readonly role: Role;
  /** The token's `jti`, when it has one. */
  readonly tokenId?: string;
}

export interface TokenVerifier {
  /** Resolves the caller, or throws LF_AUTH_UNAUTHENTICATED (401) with the reason; never echoes the token. */
  verify(token: string): Promise<Principal>;
}

/** A verifier that also says how it finds keys, for banners and logs ("HS256 secret", "JWKS …"). */
export interface DescribedVerifier extends TokenVerifier {
  readonly describe: string;
}

type AuthConfig = Config['auth'];
type VerifyKey = webcrypto.CryptoKey | JWTVerifyGetKey;

/** HS256 keys shorter than this are guessable offline from one token (RFC 7518 §3.2). */
export const MIN_SECRET_BYTES = 32;
/** Longer tokens are refused before parsing: a JWT with two short claims is a few hundred bytes. */
const MAX_TOKEN_CHARS = 8192;
const ASYMMETRIC = ['RS256', 'ES256', 'EdDSA'];

/**
 * Builds the verifier for the configured key. Each key type pins its own algorithms: a secret
 * verifies HS256 only, a public key or JWKS verifies RS256/ES256/EdDSA only. So `alg: none` never
 * passes, and an HS256 token signed with a public key's bytes (the HS/RS confusion) is refused.
 */
export async function createVerifier(auth: AuthConfig): Promise<DescribedVerifier> {
  const { key, algorithms, describe } = await resolveKey(auth);
  const options = {
    algorithms,
    issuer: auth.issuer,
    audience: auth.audience,
    clockTolerance: auth.clockSkewSeconds,
    requiredClaims: ['exp', 'sub'],
  };
  return {
    describe,
    async verify(token: string): Promise<Principal> {
      if (token.length === 0) throw unauthenticated('empty token');
      if (token.length > MAX_TOKEN_CHARS) throw unauthenticated('token too long');
      let payload: JWTPayload;
      try {
        // Two calls because jose's overloads take a key or a key getter, not their union.
        payload =
          typeof key === 'function'
            ? (await jwtVerify(token, key, options)).payload
            : (await jwtVerify(token, key, options)).payload;
      } catch (err) {
        throw translate(err);
      }
      assertLifetime(payload, auth.maxTtlSeconds, auth.clockSkewSeconds);
      return principalOf(payload);
    },
  };
}

/** Throws LF_AUTH_FORBIDDEN (403) unless the caller holds `role`; admin holds every role. */
export function requireRole(p: Principal, role: Role): void {
  if (role === 'viewer' || p.role === 'admin') return;
  throw new LandfallError(
    'LF_AUTH_FORBIDDEN',
    `role ${p.role} may not do this; it needs role ${role} (subject ${p.subject})`,
  );
}

/** The token of an `Authorization: Bearer <token>` header; 401 when absent or of another scheme. */
export function bearerToken(header: string | undefined): string {
  if (header === undefined || header.trim() === '')
    throw unauthenticated('missing Authorization: Bearer token');
  const match = /^Bearer[ \t]+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw unauthenticated('Authorization header must be "Bearer <token>"');
  return match[1];
}

/**
 * The key as a WebCrypto key, imported once: handing jose raw bytes or a KeyObject would import
 * it again on every request.
 */
async function resolveKey(
  auth: AuthConfig,
): Promise<{ key: VerifyKey; algorithms: string[]; describe: string }> {
  const sources = [auth.hmacSecret, auth.jwksUrl, auth.publicKey].filter((s) => s !== undefined);
  if (sources.length === 0)
    throw new LandfallError(
      'LF_AUTH_NO_KEY',
      'no key to verify tokens: set LANDFALL_JWT_SECRET (HS256, single host) or auth.jwksUrl / auth.publicKey (LANDFALL_AUTH__PUBLIC_KEY)',
    );
  if (sources.length > 1)
    throw new LandfallError(
      'LF_AUTH_NO_KEY',
      'auth: set exactly one of hmacSecret (LANDFALL_JWT_SECRET), jwksUrl, publicKey; one key source keeps the accepted algorithms unambiguous',
    );
  if (auth.hmacSecret !== undefined)
    return {
      key: await webcrypto.subtle.importKey(
        'raw',
        secretBytes(auth.hmacSecret),
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['verify'],
      ),
      algorithms: ['HS256'],
      describe: 'HS256 secret',
    };
  if (auth.jwksUrl !== undefined)
    return {
      key: createRemoteJWKSet(new URL(auth.jwksUrl), { timeoutDuration: 5000 }),
      algorithms: ASYMMETRIC,
      describe: `JWKS ${auth.jwksUrl} (${ASYMMETRIC.join('/')})`,
    };
  const pem = auth.publicKey ?? '';
  const alg = algorithmOf(publicKeyOf(pem));
  return { key: await importSPKI(pem, alg), algorithms: [alg], describe: `${alg} public key` };
}

/** The secret's bytes; refused when too short to resist offline guessing. */
export function secretBytes(secret: string): Uint8Array {
  const bytes = new TextEncoder().encode(secret);
  if (bytes.length < MIN_SECRET_BYTES)
    throw new LandfallError(
      'LF_AUTH_NO_KEY',
      `LANDFALL_JWT_SECRET (auth.hmacSecret) must be at least ${MIN_SECRET_BYTES} bytes, got ${bytes.length}; e.g. openssl rand -hex 32`,
    );
  return bytes;
}

function publicKeyOf(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (cause) {
    throw new LandfallError(
      'LF_AUTH_NO_KEY',
      `auth.publicKey is not a PEM public key: ${reasonOf(cause)}`,
      { cause },
    );
  }
  if (key.type !== 'public')
    throw new LandfallError(
      'LF_AUTH_NO_KEY',
      `auth.publicKey is not a PEM public key: expected a public key, got a ${key.type} key`,
    );
  return key;
}

/** One algorithm per key type, so a key never verifies a signature scheme it was not made for. */
function algorithmOf(key: KeyObject): string {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') return 'RS256';
  if (type === 'ed25519') return 'EdDSA';
  if (type === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new LandfallError(
    'LF_AUTH_NO_KEY',
    `auth.publicKey: unsupported key type ${type ?? 'unknown'}${
      type === 'ec' ? ` (${key.asymmetricKeyDetails?.namedCurve})` : ''
    }; use RSA (RS256), EC P-256 (ES256) or Ed25519 (EdDSA)`,
  );
}

/**
 * Refuses a token that lives longer than auth.maxTtlSeconds: `exp - iat`, or without `iat` the
 * time it has left. A leaked long-lived token would otherwise stay good for years.
 */
function assertLifetime(payload: JWTPayload, maxSeconds: number, skewSeconds: number): void {
  const exp = payload.exp ?? 0;
  const from = typeof payload.iat === 'number' ? payload.iat : Math.floor(Date.now() / 1000);
  const lifetime = exp - from;
  if (lifetime > maxSeconds + skewSeconds)
    throw unauthenticated(
      `token lifetime ${lifetime} s exceeds the maximum ${maxSeconds} s (auth.maxTtlSeconds); get a shorter-lived token`,
    );
}

function principalOf(payload: JWTPayload): Principal {
  const subject = payload.sub;
  if (typeof subject !== 'string' || subject.trim() === '')
    throw unauthenticated('token has no subject (sub)');
  const role = roleOf(payload);
  return typeof payload.jti === 'string' && payload.jti !== ''
    ? { subject, role, tokenId: payload.jti }
    : { subject, role };
}

const RANK: Readonly<Record<Role, number>> = { viewer: 0, admin: 1 };

/**
 * The token's role, from Landfall's scalar `role` claim and the seed's `roles` array, by one
 * least-privilege rule: each claim grants the highest role it names (admin includes viewer);
 * a name outside admin/viewer grants nothing; when both claims grant, the lower of the two
 * wins, so a token never gains from the claims disagreeing. No role granted: refused.
 */
export function roleOf(payload: JWTPayload): Role {
  const granted: Role[] = [];
  if (payload.role !== undefined) {
    if (typeof payload.role !== 'string')
      throw unauthenticated('token role claim must be a string');
    const role = highest([payload.role]);
    if (role) granted.push(role);
  }
  if (payload.roles !== undefined) {
    const list = payload.roles;
    if (!Array.isArray(list) || !list.every((r) => typeof r === 'string'))
      throw unauthenticated('token roles claim must be an array of strings');
    const role = highest(list);
    if (role) granted.push(role);
  }
  const lowest = granted.sort((a, b) => RANK[a] - RANK[b])[0];
  if (lowest === undefined)
    throw unauthenticated(
      'token grants no role: its role claim or roles array must name "admin" or "viewer"',
    );
  return lowest;
}

function highest(names: readonly string[]): Role | undefined {
  if (names.includes('admin')) return 'admin';
  return names.includes('viewer') ? 'viewer' : undefined;
}

function unauthenticated(reason: string, cause?: unknown): LandfallError {
  return new LandfallError(
    'LF_AUTH_UNAUTHENTICATED',
    `unauthenticated: ${reason}`,
    cause === undefined ? undefined : { cause },
  );
}

/** jose's error → a reason a client can act on, without the token or key material. */
function translate(err: unknown): LandfallError {
  if (err instanceof errors.JWTExpired) return unauthenticated('token expired', err);
  if (err instanceof errors.JWTClaimValidationFailed) {
    const claim = err.claim;
    if (claim === 'nbf') return unauthenticated('token not yet valid (nbf)', err);
    if (claim === 'iss') return unauthenticated('wrong issuer (iss)', err);
    if (claim === 'aud') return unauthenticated('wrong audience (aud)', err);
    return unauthenticated(
      `claim ${claim} ${err.reason === 'missing' ? 'missing' : 'invalid'}`,
      err,
    );
  }
  if (err instanceof errors.JOSEAlgNotAllowed)
    return unauthenticated('signature algorithm not allowed for the configured key', err);
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return unauthenticated('bad signature', err);
  if (err instanceof errors.JWKSNoMatchingKey)
    return unauthenticated('no key in the key set matches the token', err);
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid)
    return unauthenticated('malformed token', err);
  if (err instanceof errors.JOSENotSupported)
    return unauthenticated('unsupported token algorithm or key', err);
  if (
    err instanceof errors.JWKSTimeout ||
    err instanceof errors.JWKSInvalid ||
    err instanceof TypeError ||
    (err instanceof errors.JOSEError && err.code === 'ERR_JOSE_GENERIC')
  )
    return new LandfallError(
      'LF_AUTH_KEYS_UNAVAILABLE',
      `cannot fetch the signing keys (JWKS): ${reasonOf(err)}`,
      { cause: err },
    );
  if (err instanceof errors.JOSEError) return unauthenticated('invalid token', err);
  return unauthenticated('invalid token', err);
}
