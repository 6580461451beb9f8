import { connect } from 'node:net';
import { create } from '@bufbuild/protobuf';
import { afterEach, describe, expect, it } from 'vitest';
import { Module } from '../gen/landfall/v1/jobs_pb.js';
import { MetricsUpdateSchema } from '../gen/landfall/v1/realtime_pb.js';
import { until } from '../testing/until.js';
import { SCHEMA_VERSION } from './envelope.js';
import { CLOSE_TOKEN_EXPIRED } from './hub.js';
import { TestClient, TestGateway } from './testing/harness.js';

let gw: TestGateway | undefined;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await gw?.stop();
  gw = undefined;
});

function client(url: string, token: string | undefined, via?: 'header' | 'protocol' | 'query') {
  const c = new TestClient(url, token, via);
  clients.push(c);
  return c;
}

function metrics(i: number) {
  return create(MetricsUpdateSchema, {
    agentId: 'arb-test',
    module: Module.ARBITRAGE,
    tsMs: BigInt(Date.now()),
    landedPct: i,
    state: 'running',
  });
}

/** Publishes metrics until `done` holds, so refused clients had every chance to see a frame. */
async function streamUntil(g: TestGateway, done: () => boolean, what: string): Promise<number> {
  let i = 0;
  await until(
    () => {
      void g.publish('metrics-proto', metrics(i++));
      return done();
    },
    what,
    30_000,
  );
  return i;
}

describe('gateway authentication', () => {
  it('refuses missing, invalid and expired tokens on the upgrade; none of them gets a frame', async () => {
    gw = await TestGateway.start();
    const g = gw;
    const good = client(g.wsUrl, await g.token('viewer'));
    expect(await good.settled).toBe('open');
    const refused = [
      client(g.wsUrl, undefined),
      client(g.wsUrl, 'not-a-jwt'),
      client(g.wsUrl, `${(await g.token('admin')).slice(0, -4)}AAAA`),
      client(g.wsUrl, await g.expiredToken(3600), 'header'),
      client(g.wsUrl, await g.expiredToken(1), 'query'),
    ];
    for (const c of refused) expect(await c.settled).toBe('refused');
    // The stream is live: the valid client receives frames while the refused ones got none.
    await streamUntil(g, () => good.envelopes.length >= 20, 'frames at the valid client');
    for (const c of refused) {
      expect(c.refusedStatus).toBe(401);
      expect(c.envelopes).toHaveLength(0);
    }
    expect(good.envelopes[0]?.schemaVersion).toBe(SCHEMA_VERSION);
    expect(good.envelopes[0]?.type).toBe('metrics');
    expect(good.envelopes[0]?.payload.case).toBe('metrics');
    expect(g.gateway.hub.size).toBe(1);
  });

  it('refuses a token past its exp even within the clock skew the API allows', async () => {
    gw = await TestGateway.start({}, { clockSkewSeconds: 60 });
    const g = gw;
    const good = client(g.wsUrl, await g.token('viewer'));
    const late = client(g.wsUrl, await g.expiredToken(5));
    expect(await good.settled).toBe('open');
    expect(await late.settled).toBe('refused');
    await streamUntil(g, () => good.envelopes.length >= 10, 'frames at the valid client');
    expect(late.refusedStatus).toBe(401);
    expect(late.envelopes).toHaveLength(0);
    expect(g.logs.join('\n')).toContain('token expired');
  });

  it('takes the token from a header, the sub-protocol or the query, echoes only landfall.v1, never logs it', async () => {
    gw = await TestGateway.start();
    const g = gw;
    const tokens = [await g.token('viewer'), await g.token('viewer'), await g.token('admin')];
    const viaHeader = client(g.wsUrl, tokens[0], 'header');
    const viaProtocol = client(g.wsUrl, tokens[1], 'protocol');
    const viaQuery = client(g.wsUrl, tokens[2], 'query');
    for (const c of [viaHeader, viaProtocol, viaQuery]) {
      expect(await c.settled).toBe('open');
      expect(c.ws.protocol).toBe('landfall.v1');
    }
    await streamUntil(
      g,
      () => [viaHeader, viaProtocol, viaQuery].every((c) => c.envelopes.length >= 3),
      'frames at every client',
    );
    const logs = g.logs.join('\n');
    expect(logs).toContain('gateway client connected');
    for (const t of tokens as string[]) {
      expect(logs).not.toContain(t);
      expect(logs).not.toContain(t.split('.')[2] as string);
    }
  });

  it('closes a socket with 4001 when its token expires, and sends nothing after', async () => {
    gw = await TestGateway.start();
    const g = gw;
    const c = client(g.wsUrl, await g.token('viewer', 5));
    expect(await c.settled).toBe('open');
    await streamUntil(g, () => c.closed !== undefined, 'the expiry close');
    expect(c.closed?.code).toBe(CLOSE_TOKEN_EXPIRED);
    expect(c.envelopes.length).toBeGreaterThan(0);
    const before = c.envelopes.length;
    for (let i = 0; i < 20; i++) await g.publish('metrics-proto', metrics(i));
    await new Promise((r) => setTimeout(r, 200));
    expect(c.envelopes.length).toBe(before);
    expect(g.gateway.hub.size).toBe(0);
  });

  it('terminates a peer that stops answering pings', async () => {
    gw = await TestGateway.start({ heartbeatMs: 100 });
    const g = gw;
    const token = await g.token('viewer');
    // A raw TCP peer: it completes the handshake, then never reads a frame or answers a ping.
    const socket = connect(Number(new URL(g.gateway.url).port), '127.0.0.1');
    let response = '';
    let closed = false;
    socket.on('data', (d: Buffer) => {
      response += d.toString('latin1');
    });
    socket.on('close', () => {
      closed = true;
    });
    socket.write(
      `GET ${g.config.gateway.path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${Buffer.from('0123456789abcdef').toString('base64')}\r\n` +
        `Sec-WebSocket-Version: 13\r\nAuthorization: Bearer ${token}\r\n\r\n`,
    );
    await until(() => response.startsWith('HTTP/1.1 101'), 'the 101 response', 30_000);
    await until(() => g.gateway.hub.size === 1, 'the client in the hub', 30_000);
    await until(() => closed, 'the server to drop the silent peer', 30_000);
    await until(() => g.gateway.hub.size === 0, 'the hub to forget it', 30_000);
    expect(g.logs.join('\n')).toContain('missed a heartbeat');
  });
});

describe('control over the socket', () => {
  it("refuses a viewer's command with an error frame, audits it as forbidden, publishes nothing", async () => {
    gw = await TestGateway.start();
    const g = gw;
    const audits = await g.record('audit-proto');
    const commands = await g.record('control-proto');
    const viewer = client(g.wsUrl, await g.token('viewer', 3600, 'vera'));
    expect(await viewer.settled).toBe('open');
    viewer.send({ type: 'control', id: 'k1', action: 'kill', module: 'arb', reason: 'try' });
    await until(() => viewer.replies.length === 1, 'the reply', 30_000);
    expect(viewer.replies[0]).toMatchObject({ type: 'error', id: 'k1', code: 'LF_AUTH_FORBIDDEN' });
    await until(() => audits.length === 1, 'the audit record', 30_000);
    expect(audits[0]).toMatchObject({
      subject: 'vera',
      role: 'viewer',
      action: 'control.kill',
      result: 'forbidden',
    });
    expect(audits[0]?.requestId).toMatch(/^ws-/);

    // The same command from an admin goes out, so the viewer's refusal was about the role.
    const admin = client(g.wsUrl, await g.token('admin', 3600, 'ada'));
    expect(await admin.settled).toBe('open');
    admin.send({ type: 'control', id: 'k2', action: 'kill', module: 'arb', reason: 'drill' });
    await until(() => admin.replies.length === 1, 'the admin reply', 30_000);
    expect(admin.replies[0]).toMatchObject({ type: 'control-result', id: 'k2', ok: true });
    await until(
      () => commands.length === 1 && audits.length === 2,
      'the command and its audit',
      30_000,
    );
    expect(commands[0]?.issuer).toBe('ada');
    expect(commands[0]?.commandId).toBe(admin.replies[0]?.commandId);
    expect(audits[1]).toMatchObject({ subject: 'ada', result: 'ok', action: 'control.kill' });
    // Admins see the command itself on the stream (control-proto is forwarded).
    await until(
      () => admin.envelopes.some((e) => e.type === 'control'),
      'the control envelope',
      30_000,
    );
  });

  it('answers bad messages with an error naming what is wrong', async () => {
    gw = await TestGateway.start();
    const g = gw;
    const audits = await g.record('audit-proto');
    const admin = client(g.wsUrl, await g.token('admin'));
    expect(await admin.settled).toBe('open');
    admin.ws.send('{not json');
    admin.send({ type: 'subscribe', id: 'a' });
    admin.send({ type: 'control', id: 'b', action: 'kill', module: 'solana', reason: 'x' });
    admin.ws.send(Buffer.from([1, 2, 3]));
    await until(() => admin.replies.length === 4, 'four replies', 30_000);
    expect(admin.replies.map((r) => r.code)).toEqual([
      'LF_GATEWAY_BAD_MESSAGE',
      'LF_GATEWAY_BAD_MESSAGE',
      'LF_API_INVALID_BODY',
      'LF_GATEWAY_BAD_MESSAGE',
    ]);
    expect(admin.replies[2]).toMatchObject({ id: 'b', field: 'module' });
    await until(() => audits.length === 1, 'the rejected command audited', 30_000);
    expect(audits[0]?.result).toBe('rejected');
  });
});
