import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ephemeralControlKeys } from '../auth/control-signature.js';
import { createBus } from '../bus/create.js';
import { TypedBus } from '../bus/typed.js';
import type { Bus } from '../bus/types.js';
import { configSchema } from '../config/schema.js';
import { type ControlAck, ControlAction } from '../gen/landfall/v1/control_pb.js';
import type { SloState } from '../gen/landfall/v1/realtime_pb.js';
import { systemClock } from '../market/system-clock.js';
import { LandfallProcess } from '../testing/landfall-process.js';
import { NatsServer } from '../testing/servers.js';
import { until } from '../testing/until.js';
import { operatorCommand } from './testing/loop.js';

const procs: LandfallProcess[] = [];

describe('landfall up', () => {
  it('runs the guard beside the agents, which listen for control commands', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lf-guard-up-'));
    const up = new LandfallProcess(
      ['up', '--for', '4', '--no-warm-start'],
      { LANDFALL_LOG__LEVEL: 'warn', LANDFALL_API__PORT: '0' },
      cwd,
    );
    procs.push(up);
    const { code } = await up.exited;
    expect(code, up.logs.map((l) => JSON.stringify(l)).join('\n')).toBe(0);
    expect(up.stdout).toMatch(/guard {2}metrics-proto → control-proto, slo-proto, audit-proto/);
    expect(up.stdout).toMatch(/policy throttle_then_kill/);
    expect(up.stdout).toMatch(/control arb-paper-1: running, obeys control-proto/);
    expect(up.stdout).toMatch(/control mev-paper-1: running, obeys control-proto/);
  }, 180_000);
});

describe('landfall guard and landfall agent as services on NATS', () => {
  let server: NatsServer;
  let bus: Bus;
  beforeAll(async () => {
    server = await NatsServer.start();
  }, 60_000);
  afterAll(async () => {
    for (const p of procs) await p.kill('SIGTERM');
    await bus?.close();
    await server?.dispose();
  });

  it('an operator kill is obeyed, acknowledged, seen by the guard, and survives an agent restart', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lf-guard-cli-'));
    // The operator's key (the API's, in production); the agent trusts it through its config.
    const operator = ephemeralControlKeys('operator');
    const env = {
      LANDFALL_LOG__LEVEL: 'warn',
      LANDFALL_BUS__KIND: 'nats',
      LANDFALL_BUS__NATS__SERVERS: JSON.stringify([server.url]),
      LANDFALL_BUS__CONTROL__TRUSTED_KEYS: JSON.stringify([
        { keyId: 'operator', publicKey: operator.signer.publicKey },
      ]),
    };
    const config = configSchema.parse({ bus: { kind: 'nats', nats: { servers: [server.url] } } });
    bus = await createBus(config.bus);
    const typed = new TypedBus(bus);
    const acks: ControlAck[] = [];
    const slo: SloState[] = [];
    await typed.subscribe('control-acks-proto', async (a) => void acks.push(a), {
      group: 't-acks',
    });
    await typed.subscribe('slo-proto', async (s) => void slo.push(s), { group: 't-slo' });

    const guard = new LandfallProcess(['guard'], env, cwd);
    procs.push(guard);
    const start = (p: LandfallProcess) =>
      until(() => p.stdout.includes('stop with Ctrl-C'), 'banner', 60_000);
    const agentProcess = () => {
      const p = new LandfallProcess(['agent', '--module', 'arb'], env, cwd);
      procs.push(p);
      return p;
    };
    let agent = agentProcess();
    await Promise.all([start(guard), start(agent)]);
    expect(guard.stdout).toContain('landfall guard: bus nats');
    // Paper mode (the default): landed and negative EV are shown, not judged (guard.slo.paper*).
    expect(guard.stdout).toMatch(/hot path p99 < 20 ms, landed not judged, negative EV not judged/);
    expect(agent.stdout).toMatch(/control arb-paper-1: running, obeys control-proto/);

    const kill = operator.signer.sign(operatorCommand(ControlAction.KILL, systemClock));
    await typed.publish('control-proto', kill);
    await until(() => acks.some((a) => a.commandId === kill.commandId), 'the kill ack', 60_000);
    const ack = acks.find((a) => a.commandId === kill.commandId);
    expect(ack).toMatchObject({ applied: true, agentId: 'arb-paper-1' });
    await until(
      () => slo.some((s) => s.lastAction === ControlAction.KILL && s.violated),
      'the guard to report the kill',
      60_000,
    );
    expect(slo.at(-1)?.reason).toMatch(/killed; an operator must resume/);

    expect((await agent.kill('SIGINT')).code).toBe(0);
    agent = agentProcess();
    await start(agent);
    expect(agent.stdout).toMatch(/control arb-paper-1: killed/);
    const resume = operator.signer.sign(operatorCommand(ControlAction.RESUME, systemClock));
    await typed.publish('control-proto', resume);
    await until(() => acks.some((a) => a.commandId === resume.commandId), 'the resume ack', 60_000);
    expect(acks.find((a) => a.commandId === resume.commandId)?.applied).toBe(true);
    expect((await agent.kill('SIGINT')).code).toBe(0);
    expect((await guard.kill('SIGINT')).code).toBe(0);
    expect(guard.stdout).toMatch(/stopped \(SIGINT\): 0 control commands sent/);
  }, 180_000);
});
