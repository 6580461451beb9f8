import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus } from '../bus/create.js';
import { configSchema } from '../config/schema.js';
import { ControlAction } from '../gen/landfall/v1/control_pb.js';
import { NatsServer } from '../testing/servers.js';
import { MispricedStrategy } from './testing/faults.js';
import { guardAction, runLoop } from './testing/loop.js';

describe('guard and agent control loop over NATS JetStream', () => {
  let server: NatsServer;
  beforeAll(async () => {
    server = await NatsServer.start();
  }, 60_000);
  afterAll(async () => {
    await server?.dispose();
  });

  it('metrics, the kill command and its acknowledgement all travel through the server', async () => {
    const config = configSchema.parse({ bus: { kind: 'nats', nats: { servers: [server.url] } } });
    const faultAt = 60_000;
    const run = await runLoop({
      seed: 11,
      home: mkdtempSync(join(tmpdir(), 'lf-guard-nats-')),
      schedule: [{ regime: 'quiet', minutes: 10 }],
      durationMs: faultAt + 40_000,
      bus: await createBus(config.bus),
      pollMs: 2,
      strategy: (base, clock) =>
        new MispricedStrategy(
          base,
          clock,
          { fromMs: clock.now() + faultAt, untilMs: Infinity },
          8n,
        ),
    });
    const first = run.commands.find((c) => c.source === 'guard');
    expect(first?.reason).toMatch(/negative EV/);
    expect(Number(first?.tsMs) - run.startMs - faultAt).toBeGreaterThanOrEqual(0);
    expect(Number(first?.tsMs) - run.startMs - faultAt).toBeLessThanOrEqual(31_000);
    const { command: kill, ack } = guardAction(run, ControlAction.KILL);
    expect(ack?.ack.applied).toBe(true);
    expect(run.ackMessages.find((m) => m.commandId === kill?.commandId)?.agentId).toBe('arb-loop');
    expect(run.engine.counters.submissions).toBe(ack?.submissions);
    expect(run.slo.at(-1)?.lastAction).toBe(ControlAction.KILL);
    expect(run.audit.some((a) => a.subject === 'guard' && a.action === 'control.kill')).toBe(true);
  }, 180_000);
});
