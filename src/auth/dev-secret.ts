import { randomBytes } from 'node:crypto';
import type { Config } from '../config/schema.js';

export interface SecuredConfig {
  config: Config;
  /** True when the secret was generated for this process (paper mode without a key). */
  generated: boolean;
}

/**
 * Paper mode must be secure without any setup: with no key configured, `landfall up` signs and
 * verifies with a random 256-bit secret that lives only in this process. Nothing is written to
 * disk, so no file permission can leak it, and every restart revokes the tokens it printed; an
 * operator who wants tokens to outlive a restart (or to mint them with `landfall token`) sets
 * LANDFALL_JWT_SECRET. Live mode never gets a generated key: there a missing key is an error.
 */
export function withPaperSecret(config: Config): SecuredConfig {
  const { hmacSecret, jwksUrl, publicKey } = config.auth;
  if (config.mode !== 'paper' || hmacSecret || jwksUrl || publicKey)
    return { config, generated: false };
  const auth = { ...config.auth, hmacSecret: randomBytes(32).toString('base64url') };
  return { config: { ...config, auth }, generated: true };
}
