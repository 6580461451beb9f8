import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import type { BusConfig } from '../config/schema.js';
import { LandfallError, reasonOf } from '../errors.js';

/**
 * The connection options @platformatic/kafka takes for authentication and encryption (its
 * `sasl` and `tls`, on Admin, Producer and Consumer alike), the secret already read.
 */
export interface KafkaSecurity {
  sasl?: {
    mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
    username: string;
    password: string;
  };
  tls?: TlsConnectionOptions;
}

type ReadFile = (path: string) => string;

/**
 * `bus.kafka.sasl` and `bus.kafka.tls` as client options: the password from the variable
 * `passwordEnv` names, the PEM files read. Errors name the setting, never the secret.
 */
export function kafkaSecurityFrom(
  kafka: Pick<BusConfig['kafka'], 'sasl' | 'tls'>,
  env: NodeJS.ProcessEnv,
  read: ReadFile = (p) => readFileSync(p, 'utf8'),
): KafkaSecurity {
  const out: KafkaSecurity = {};
  if (kafka.sasl !== undefined) {
    const { mechanism, username, passwordEnv } = kafka.sasl;
    const password = env[passwordEnv];
    if (password === undefined || password === '')
      throw new LandfallError(
        'LF_CONFIG_INVALID',
        `environment variable ${passwordEnv} (bus.kafka.sasl.passwordEnv) is not set: export the SASL password there`,
      );
    out.sasl = { mechanism, username, password };
  }
  if (kafka.tls !== undefined) {
    const { caFile, certFile, keyFile, servername } = kafka.tls;
    const pem = (path: string | undefined, setting: string) =>
      path === undefined ? {} : { [setting]: readPem(read, path, setting) };
    out.tls = {
      ...pem(caFile, 'ca'),
      ...pem(certFile, 'cert'),
      ...pem(keyFile, 'key'),
      ...(servername === undefined ? {} : { servername }),
    };
  }
  return out;
}

/** A description for banners and errors: mechanism and user, never the password. */
export function describeKafkaSecurity(s: KafkaSecurity): string {
  const auth = s.sasl === undefined ? 'no SASL' : `SASL ${s.sasl.mechanism} as ${s.sasl.username}`;
  return `${auth}, ${s.tls === undefined ? 'plaintext' : 'TLS'}`;
}

function readPem(read: ReadFile, path: string, setting: string): string {
  try {
    return read(path);
  } catch (cause) {
    throw new LandfallError(
      'LF_CONFIG_UNREADABLE',
      `cannot read bus.kafka.tls.${setting}File ${path}: ${reasonOf(cause)}`,
      { cause },
    );
  }
}

/** What every client of the bus (admin, producer, consumers) is built from. */
export function kafkaClientBase(
  clientId: string,
  brokers: string[],
  security: KafkaSecurity,
): { clientId: string; bootstrapBrokers: string[] } & KafkaSecurity {
  return {
    clientId,
    bootstrapBrokers: brokers,
    ...(security.sasl === undefined ? {} : { sasl: { ...security.sasl } }),
    ...(security.tls === undefined ? {} : { tls: security.tls }),
  };
}
