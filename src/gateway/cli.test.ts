import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { afterAll, describe, expect, it } from 'vitest';
import { mintToken } from '../auth/mint.js';
import { NatsBus } from '../bus/nats.js';
import { TypedBus } from '../bus/typed.js';
import { validateConfig } from '../config/load.js';
import { Module } from '../gen/landfall/v1/jobs_pb.js';
import { SloStateSchema } from '../gen/landfall/v1/realtime_pb.js';
import { LandfallProcess } from '../testing/landfall-process.js';
import { freePort, NatsServer } from '../testing/servers.js';
import { until } from '../testing/until.js';
import { TestClient } from './testing/harness.js';

const SECRET = 'gateway-cli-secret-0123456789abcdef0123456789';
const cleanup: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

describe('landfall gateway', () => {
  it('serves the bus to authenticated sockets on its own port and says why WebTransport is off', async () => {
    const nats = await NatsServer.start();
    cleanup.push(() => nats.dispose());
    const port = await freePort();
    const gw = new LandfallProcess(
      ['gateway'],
      {
        LANDFALL_HOME: mkdtempSync(join(tmpdir(), 'lf-gw-cli-')),
        LANDFALL_JWT_SECRET: SECRET,
        LANDFALL_BUS__KIND: 'nats',
        NATS_URL: nats.url,
        LANDFALL_GATEWAY__PORT: String(port),
        LANDFALL_LOG__LEVEL: 'info',
      },
      process.cwd(),
    );
    cleanup.push(() => gw.kill('SIGTERM'));
    await until(() => gw.stdout.includes('stop with Ctrl-C'), 'the banner', 60_000);
    expect(gw.stdout).toContain(`websocket ws://127.0.0.1:${port}/ws`);
    expect(gw.stdout).toContain(
      'WebTransport unavailable: @fails-components/webtransport is not installed; serving WebSocket only',
    );

    const auth = validateConfig({ auth: { hmacSecret: SECRET } }).auth;
    const token = await mintToken(auth, { role: 'viewer', subject: 'cli', ttlSeconds: 600 });
    const url = `ws://127.0.0.1:${port}/ws`;
    const client = new TestClient(url, token);
    const stranger = new TestClient(url, undefined);
    cleanup.push(async () => {
      client.close();
      stranger.close();
    });
    expect(await client.settled).toBe('open');
    expect(await stranger.settled).toBe('refused');

    const bus = new TypedBus(await NatsBus.connect({ servers: [nats.url] }));
    cleanup.push(() => bus.bus.close());
    await until(
      () => {
        void bus.publish(
          'slo-proto',
          create(SloStateSchema, { module: Module.MEV, violated: true, reason: 'cli test' }),
        );
        return client.envelopes.length > 0;
      },
      'an SLO envelope at the client',
      60_000,
      200,
    );
    expect(client.envelopes[0]?.payload.case).toBe('slo');
    expect(stranger.envelopes).toHaveLength(0);

    const { code } = await gw.kill('SIGTERM');
    expect(code).toBe(0);
    expect(gw.logs.some((l) => l.msg === 'gateway stopping')).toBe(true);
  });
});
