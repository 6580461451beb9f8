import { create } from '@bufbuild/protobuf';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../auth/mint.js';
import { createVerifier } from '../auth/verify.js';
import { createBus } from '../bus/create.js';
import { TypedBus } from '../bus/typed.js';
import type { Bus } from '../bus/types.js';
import { validateConfig } from '../config/load.js';
import { ControlAckSchema, ControlAction } from '../gen/landfall/v1/control_pb.js';
import { Module } from '../gen/landfall/v1/jobs_pb.js';
import { MetricsUpdateSchema, SloStateSchema } from '../gen/landfall/v1/realtime_pb.js';
import { NatsServer } from '../testing/servers.js';
import { until } from '../testing/until.js';
import { createApiApp } from './app.js';
import { type ApiHarness, apiHarness, TEST_SECRET } from './testing.js';

const kill = { action: 'kill', module: 'mev', reason: 'views test' };

describe('status, control acks and /metrics follow the bus', () => {
  let h: ApiHarness;
  let viewer = '';
  beforeAll(async () => {
    h = await apiHarness();
    viewer = `Bearer ${await h.token('viewer')}`;
  });
  afterAll(() => h.close());

  it('shows the latest metrics per agent, the SLO verdict, control acks, and exports gauges', async () => {
    const ts = BigInt(Date.now());
    await h.typed.publish(
      'metrics-proto',
      create(MetricsUpdateSchema, {
        agentId: 'mev-test-1',
        module: Module.MEV,
        tsMs: ts,
        hotpathP99Ms: 3.25,
        landedPct: 71.5,
        landedPctWindow: 40,
        decidedWindow: 10n,
        windowMs: 300_000n,
        pnl1h: 0.75,
        state: 'throttled',
        modelVersion: 'abcd1234',
      }),
    );
    await h.typed.publish(
      'slo-proto',
      create(SloStateSchema, {
        module: Module.MEV,
        violated: true,
        reason: 'landed 65% < 70%',
        lastAction: ControlAction.THROTTLE,
        lastActionTsMs: ts,
        tsMs: ts,
      }),
    );
    const admin = `Bearer ${await h.token('admin')}`;
    const cmd = await h.app.inject({
      method: 'POST',
      url: '/api/control',
      payload: kill,
      headers: { authorization: admin },
    });
    const { commandId } = cmd.json() as { commandId: string };
    await h.typed.publish(
      'control-acks-proto',
      create(ControlAckSchema, {
        commandId,
        action: ControlAction.KILL,
        module: Module.MEV,
        agentId: 'mev-test-1',
        applied: true,
        tsMs: ts,
      }),
    );

    const status = await until(async () => {
      const res = await h.app.inject({
        method: 'GET',
        url: '/api/status',
        headers: { authorization: viewer },
      });
      const body = res.json();
      return body.agents.length === 1 && body.slo.mev !== null ? body : undefined;
    }, 'status with the agent and the SLO verdict');
    expect(status.agents[0]).toMatchObject({
      agentId: 'mev-test-1',
      module: 'mev',
      state: 'throttled',
      hotpathP99Ms: 3.25,
      // The SLO window's share, as the guard judges it; the lifetime one beside it.
      landedPct: 40,
      decidedWindow: 10,
      landedPctLifetime: 71.5,
      modelVersion: 'abcd1234',
    });
    expect(status.slo.mev).toMatchObject({
      violated: true,
      reason: 'landed 65% < 70%',
      lastAction: 'throttle',
      lastActionTsMs: Number(ts),
    });
    expect(status.slo.arb).toBeNull();
    expect(status.bus).toMatchObject({ kind: 'memory', ok: true });

    const acks = await until(async () => {
      const res = await h.app.inject({
        method: 'GET',
        url: `/api/control/${commandId}/acks`,
        headers: { authorization: viewer },
      });
      const body = res.json();
      return body.acks.length === 1 ? body.acks : undefined;
    }, 'the control ack');
    expect(acks[0]).toMatchObject({ agentId: 'mev-test-1', applied: true, action: 'kill' });

    const metrics = await h.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: viewer },
    });
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toContain(
      'landfall_agent_hotpath_p99_ms{agent="mev-test-1",module="mev"} 3.25',
    );
    expect(metrics.body).toContain('landfall_agent_landed_pct{agent="mev-test-1",module="mev"} 40');
    expect(metrics.body).toContain(
      'landfall_agent_landed_lifetime_pct{agent="mev-test-1",module="mev"} 71.5',
    );
    expect(metrics.body).toMatch(
      /landfall_api_requests_total\{method="POST",route="\/api\/control",status="202"\} 1/,
    );
    expect(metrics.body).toMatch(
      /landfall_api_request_duration_seconds_count\{method="GET",route="\/api\/status",status="200"\} \d+/,
    );
  });
});

describe('every API instance sees every message (NATS JetStream)', () => {
  let server: NatsServer;
  const buses: Bus[] = [];
  const apps: FastifyInstance[] = [];
  beforeAll(async () => {
    server = await NatsServer.start();
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    for (const bus of buses) await bus.close();
    await server?.stop();
  });

  it('two API processes on one bus both show an agent that reported once', async () => {
    const config = validateConfig({
      auth: { hmacSecret: TEST_SECRET },
      bus: { kind: 'nats', nats: { servers: [server.url] } },
    });
    for (let i = 0; i < 2; i++) {
      const bus = await createBus(config.bus);
      buses.push(bus);
      apps.push(
        await createApiApp({
          config,
          bus: new TypedBus(bus),
          verifier: await createVerifier(config.auth),
        }),
      );
    }
    const producer = await createBus(config.bus);
    buses.push(producer);
    await new TypedBus(producer).publish(
      'metrics-proto',
      create(MetricsUpdateSchema, {
        agentId: 'arb-nats-1',
        module: Module.ARBITRAGE,
        tsMs: BigInt(Date.now()),
        state: 'running',
      }),
    );
    const token = await mintToken(config.auth, { role: 'viewer', subject: 'v', ttlSeconds: 60 });
    for (const app of apps) {
      await until(async () => {
        const res = await app.inject({
          method: 'GET',
          url: '/api/status',
          headers: { authorization: `Bearer ${token}` },
        });
        const agents = (res.json() as { agents: Array<{ agentId: string }> }).agents;
        return agents.some((a) => a.agentId === 'arb-nats-1');
      }, 'the agent on this instance');
    }
  });
});
