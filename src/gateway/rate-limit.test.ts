import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type ApiHarness, apiHarness } from '../api/testing.js';
import { createVerifier } from '../auth/verify.js';
import { until } from '../testing/until.js';
import { attachGateway, type Gateway } from './gateway.js';
import { TestClient } from './testing/harness.js';

const MAX = 10;
const kill = { type: 'control', action: 'kill', module: 'arb', reason: 'flood test' };

let h: ApiHarness | undefined;
let gateway: Gateway | undefined;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await gateway?.stop();
  await h?.close();
  gateway = undefined;
  h = undefined;
});

/** The API with the gateway on its server, as `landfall up` runs them; a window no test outlives. */
async function start(): Promise<{ h: ApiHarness; wsUrl: string }> {
  const harness = await apiHarness({
    overrides: {
      api: { host: '127.0.0.1', port: 0, writeRateLimit: { max: MAX, windowMs: 3_600_000 } },
      gateway: { webtransport: { enabled: false } },
    },
  });
  h = harness;
  gateway = await attachGateway(harness.app, {
    config: harness.config,
    bus: harness.typed,
    verifier: await createVerifier(harness.config.auth),
    log: pino({ level: 'silent' }),
  });
  await harness.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = harness.app.server.address() as AddressInfo;
  return { h: harness, wsUrl: `ws://127.0.0.1:${port}${harness.config.gateway.path}` };
}

async function open(url: string, token: string): Promise<TestClient> {
  const c = new TestClient(url, token);
  clients.push(c);
  expect(await c.settled).toBe('open');
  return c;
}

describe('the WebSocket control path shares the REST write budget', () => {
  it('one admin token: REST and WebSocket writes draw on one budget; a flood is refused and audited once', async () => {
    const { h, wsUrl } = await start();
    const token = await h.token('admin', 'flooder');
    const rest = () =>
      h.app.inject({
        method: 'POST',
        url: '/api/control',
        payload: { action: 'kill', module: 'arb', reason: 'rest' },
        headers: { authorization: `Bearer ${token}` },
      });
    for (let i = 0; i < 4; i++) expect((await rest()).statusCode).toBe(202);
    const c = await open(wsUrl, token);
    const FLOOD = 500;
    for (let i = 0; i < FLOOD; i++) c.send({ ...kill, id: `c${i}` });
    await until(() => c.replies.length === FLOOD, 'every command answered');
    const ok = c.replies.filter((r) => r.ok === true);
    const limited = c.replies.filter((r) => r.code === 'LF_API_RATE_LIMITED');
    // Four of the ten went to REST.
    expect(ok).toHaveLength(MAX - 4);
    expect(limited).toHaveLength(FLOOD - (MAX - 4));
    expect(h.bus.count('control-proto')).toBe(MAX);
    // And REST is out of budget too.
    const after = await rest();
    expect(after.statusCode).toBe(429);
    expect(after.json().error.code).toBe('LF_API_RATE_LIMITED');

    await until(() => h.bus.audits().length >= MAX + 1, 'audit records published');
    const mine = h.bus.audits().filter((a) => a.subject === 'flooder');
    expect(mine.filter((a) => a.result === 'ok')).toHaveLength(MAX);
    const refusals = mine.filter((a) => a.result === 'rejected');
    // One record for the episode, not one per refused command.
    expect(refusals).toHaveLength(1);
    expect(refusals[0]?.detail).toContain('api.writeRateLimit');
    // Its count is written when the window ends, or when the API stops.
    c.close();
    await gateway?.stop();
    gateway = undefined;
    await h.app.close();
    const summary = h.bus
      .audits()
      .filter((a) => a.subject === 'flooder' && a.result === 'rejected');
    expect(summary).toHaveLength(2);
    expect(JSON.parse(summary[1]?.paramsJson ?? '{}')).toEqual({
      rateLimited: FLOOD - (MAX - 4) + 1,
    });
  });

  it('a viewer flooding commands writes at most the budget of forbidden records, plus the episode', async () => {
    const { h, wsUrl } = await start();
    const c = await open(wsUrl, await h.token('viewer', 'nosy'));
    const FLOOD = 300;
    for (let i = 0; i < FLOOD; i++) c.send({ ...kill, id: `v${i}` });
    await until(() => c.replies.length === FLOOD, 'every command answered');
    expect(c.replies.filter((r) => r.code === 'LF_AUTH_FORBIDDEN')).toHaveLength(MAX);
    expect(c.replies.filter((r) => r.code === 'LF_API_RATE_LIMITED')).toHaveLength(FLOOD - MAX);
    await until(() => h.bus.audits().length >= MAX + 1, 'audit records published');
    const mine = h.bus.audits().filter((a) => a.subject === 'nosy');
    expect(mine.map((a) => a.result).sort()).toEqual([...Array(MAX).fill('forbidden'), 'rejected']);
    expect(h.bus.count('control-proto')).toBe(0);
  });
});
