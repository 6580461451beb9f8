import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { isLandfallError } from '../errors.js';
import { NatsServer } from '../testing/servers.js';
import { createBus } from './create.js';
import { NatsBus } from './nats.js';
import { natsSecurityFrom } from './nats-auth.js';

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
function certificates(dir: string) {
  const f = (name: string) => join(dir, name);
  // Paths under tmpdir() hold no spaces, so each command line splits on them.
  const ssl = (line: string) => execFileSync('openssl', line.split(' '), { stdio: 'ignore' });
  const ec = '-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes';
  ssl(`req -x509 ${ec} -days 1 -subj /CN=test-ca -keyout ${f('ca.key')} -out ${f('ca.pem')}`);
  for (const [name, ext] of [
    ['server', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
    ['client', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    writeFileSync(f(`${name}.ext`), ext);
    ssl(`req ${ec} -subj /CN=${name} -keyout ${f(`${name}.key`)} -out ${f(`${name}.csr`)}`);
    ssl(
      `x509 -req -in ${f(`${name}.csr`)} -CA ${f('ca.pem')} -CAkey ${f('ca.key')} -CAcreateserial ` +
        `-days 1 -extfile ${f(`${name}.ext`)} -out ${f(`${name}.pem`)}`,
    );
  }
  return {
    ca: f('ca.pem'),
    server: f('server.pem'),
    serverKey: f('server.key'),
    client: f('client.pem'),
    clientKey: f('client.key'),
  };
}

describe('NATS over TLS with client certificates (bus.nats.tls)', () => {
  let server: NatsServer;
  let certs: ReturnType<typeof certificates>;
  beforeAll(async () => {
    certs = certificates(mkdtempSync(join(tmpdir(), 'lf-nats-tls-')));
    server = await NatsServer.start({
      config: `tls { cert_file: "${certs.server}", key_file: "${certs.serverKey}", ca_file: "${certs.ca}", verify: true }\n`,
    });
  }, 60_000);
  afterAll(async () => {
    await server?.dispose();
  });
  const connect = (tls: object | undefined) =>
    createBus(
      configSchema.parse({
        bus: { kind: 'nats', nats: { servers: [server.url], ...(tls ? { tls } : {}) } },
      }).bus,
      {},
    );

  it('connects with the CA and a client certificate; refuses a client without one', async () => {
    const bus = await connect({
      caFile: certs.ca,
      certFile: certs.client,
      keyFile: certs.clientKey,
    });
    expect((await bus.health()).ok).toBe(true);
    await bus.close();
    // The server drops a handshake without a client certificate; the client notices at its timeout.
    const noCert = await NatsBus.connect({
      servers: [server.url],
      security: natsSecurityFrom({ auth: {}, tls: { caFile: certs.ca } }, {}),
      connectTimeoutMs: 2_000,
    }).catch((e: unknown) => e);
    expect(isLandfallError(noCert) && noCert.code).toBe('LF_BUS_CONNECT');
    // Without bus.nats.tls the client still upgrades (the server requires TLS) but cannot verify it.
    const plain = await connect(undefined).catch((e: unknown) => e);
    expect(String(plain)).toMatch(
      /cannot connect to NATS .*unable to verify the first certificate/,
    );
  }, 60_000);
});
