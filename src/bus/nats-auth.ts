import { readFileSync } from 'node:fs';
import {
  type Authenticator,
  credsAuthenticator,
  nkeyAuthenticator,
  type TlsOptions,
  tokenAuthenticator,
  usernamePasswordAuthenticator,
} from '@nats-io/transport-node';
import type { BusConfig } from '../config/schema.js';
import { LandfallError, reasonOf } from '../errors.js';

type NatsAuthConfig = BusConfig['nats']['auth'];
type NatsTlsConfig = NonNullable<BusConfig['nats']['tls']>;

/** How a NATS client proves who it is, with its secret already read (never logged). */
export type NatsCredentials =
  | { readonly kind: 'user'; readonly user: string; readonly password: string }
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'nkey'; readonly seed: string }
  | { readonly kind: 'creds'; readonly creds: string };

export interface NatsSecurity {
  readonly credentials?: NatsCredentials;
  /** PEM files; present (even empty) means the connection must be TLS. */
  readonly tls?: {
    readonly caFile?: string | undefined;
    readonly certFile?: string | undefined;
    readonly keyFile?: string | undefined;
  };
}

type ReadFile = (path: string) => string;

/**
 * Resolves `bus.nats.auth` into credentials: each secret from the environment variable the
 * config names or from a file, one method only. Errors name the setting and the fix, never
 * the secret.
 */
export function natsCredentialsFrom(
  auth: NatsAuthConfig,
  env: NodeJS.ProcessEnv,
  read: ReadFile = (p) => readFileSync(p, 'utf8'),
): NatsCredentials | undefined {
  const methods = [
    auth.user !== undefined || auth.passwordEnv !== undefined ? 'user/passwordEnv' : undefined,
    auth.tokenEnv !== undefined ? 'tokenEnv' : undefined,
    auth.nkeySeedEnv !== undefined || auth.nkeySeedFile !== undefined ? 'nkeySeed' : undefined,
    auth.credsFile !== undefined ? 'credsFile' : undefined,
  ].filter((m) => m !== undefined);
  if (methods.length === 0) return undefined;
  if (methods.length > 1)
    invalid(`bus.nats.auth sets ${methods.join(' and ')}: choose one way to authenticate`);
  if (auth.tokenEnv !== undefined) return { kind: 'token', token: secret(env, auth.tokenEnv) };
  if (auth.credsFile !== undefined)
    return { kind: 'creds', creds: fileSecret(read, auth.credsFile, 'bus.nats.auth.credsFile') };
  if (auth.nkeySeedEnv !== undefined && auth.nkeySeedFile !== undefined)
    invalid('bus.nats.auth sets nkeySeedEnv and nkeySeedFile: choose one');
  if (auth.nkeySeedEnv !== undefined)
    return { kind: 'nkey', seed: secret(env, auth.nkeySeedEnv).trim() };
  if (auth.nkeySeedFile !== undefined)
    return {
      kind: 'nkey',
      seed: fileSecret(read, auth.nkeySeedFile, 'bus.nats.auth.nkeySeedFile').trim(),
    };
  if (auth.user === undefined || auth.passwordEnv === undefined)
    invalid('bus.nats.auth needs both user and passwordEnv (the variable holding the password)');
  return { kind: 'user', user: auth.user, password: secret(env, auth.passwordEnv) };
}

export function natsSecurityFrom(
  nats: { auth: NatsAuthConfig; tls?: NatsTlsConfig | undefined },
  env: NodeJS.ProcessEnv,
  read?: ReadFile,
): NatsSecurity {
  const credentials = natsCredentialsFrom(nats.auth, env, read);
  return {
    ...(credentials === undefined ? {} : { credentials }),
    ...(nats.tls === undefined ? {} : { tls: nats.tls }),
  };
}

/** The client options that carry `security` (authenticator and TLS). */
export function natsConnectSecurity(security: NatsSecurity): {
  authenticator?: Authenticator;
  tls?: TlsOptions;
} {
  const c = security.credentials;
  const encoder = new TextEncoder();
  const authenticator =
    c === undefined
      ? undefined
      : c.kind === 'user'
        ? usernamePasswordAuthenticator(c.user, c.password)
        : c.kind === 'token'
          ? tokenAuthenticator(c.token)
          : c.kind === 'nkey'
            ? nkeyAuthenticator(encoder.encode(c.seed))
            : credsAuthenticator(encoder.encode(c.creds));
  return {
    ...(authenticator === undefined ? {} : { authenticator }),
    ...(security.tls === undefined ? {} : { tls: definedOnly(security.tls) }),
  };
}

/** Who connects, for messages: the method and user, never the secret. */
export function describeCredentials(c: NatsCredentials | undefined): string {
  if (c === undefined) return 'no credentials';
  return c.kind === 'user' ? `user ${c.user}` : c.kind;
}

function definedOnly(tls: NonNullable<NatsSecurity['tls']>): TlsOptions {
  const out: TlsOptions = {};
  if (tls.caFile !== undefined) out.caFile = tls.caFile;
  if (tls.certFile !== undefined) out.certFile = tls.certFile;
  if (tls.keyFile !== undefined) out.keyFile = tls.keyFile;
  return out;
}

function secret(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '')
    invalid(`environment variable ${name} (named in bus.nats.auth) is not set: export it`);
  return value;
}

function fileSecret(read: ReadFile, path: string, setting: string): string {
  try {
    return read(path);
  } catch (cause) {
    throw new LandfallError(
      'LF_CONFIG_UNREADABLE',
      `cannot read ${setting} ${path}: ${reasonOf(cause)}`,
      {
        cause,
      },
    );
  }
}

function invalid(message: string): never {
  throw new LandfallError('LF_CONFIG_INVALID', message);
}
