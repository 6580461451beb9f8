import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Config } from '../config/schema.js';
import { LandfallError } from '../errors.js';
import { type Role, roles, secretBytes } from './verify.js';

export interface MintOptions {
  role: Role;
  subject: string;
  ttlSeconds: number;
}

/**
 * Mints an HS256 token from the configured secret, with the issuer and audience the verifier
 * expects and a fresh `jti` (the API's rate limits key on it). For development and paper mode:
 * production tokens come from the identity provider behind auth.jwksUrl.
 */
export async function mintToken(auth: Config['auth'], o: MintOptions): Promise<string> {
  if (auth.hmacSecret === undefined)
    throw new LandfallError(
      'LF_AUTH_NO_KEY',
      'cannot mint a token: no HMAC secret; set LANDFALL_JWT_SECRET (at least 32 bytes, e.g. openssl rand -hex 32)',
    );
  const key = secretBytes(auth.hmacSecret);
  if (!roles.includes(o.role))
    throw new LandfallError('LF_CLI_USAGE', `role must be admin or viewer, got "${o.role}"`);
  if (o.subject.trim() === '' || o.subject.length > 256)
    throw new LandfallError('LF_CLI_USAGE', 'subject must be 1-256 characters');
  if (!Number.isInteger(o.ttlSeconds) || o.ttlSeconds < 1 || o.ttlSeconds > auth.maxTtlSeconds)
    throw new LandfallError(
      'LF_CLI_USAGE',
      `ttl must be 1..${auth.maxTtlSeconds} seconds (auth.maxTtlSeconds), got ${o.ttlSeconds}`,
    );
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ role: o.role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(o.subject)
    .setIssuer(auth.issuer)
    .setAudience(auth.audience)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + o.ttlSeconds)
    .setJti(randomUUID())
    .sign(key);
}
