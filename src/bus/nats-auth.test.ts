import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentControl } from '../agent/control.js';
import { ephemeralControlKeys } from '../auth/control-signature.js';
import { configSchema } from '../config/schema.js';
import { isLandfallError } from '../errors.js';
import type { AuditRecord } from '../gen/landfall/v1/audit_pb.js';
import {
  type ControlAck,
  ControlAction,
  ControlCommandSchema,
} from '../gen/landfall/v1/control_pb.js';
import { Module } from '../gen/landfall/v1/jobs_pb.js';
import { MetricsUpdateSchema } from '../gen/landfall/v1/realtime_pb.js';
import { systemClock } from '../market/system-clock.js';
import { NatsServer } from '../testing/servers.js';
import { until } from '../testing/until.js';
import { createBus } from './create.js';
import type { NatsBus } from './nats.js';
import { natsCredentialsFrom } from './nats-auth.js';
import { topicNames } from './topics.js';
import { TypedBus } from './typed.js';
import type { Bus } from './types.js';

const CONF = new URL('../../deploy/nats/landfall.conf', import.meta.url);
const passwords = {
  LANDFALL_NATS_AGENT_PASSWORD: 'agent-secret',
  LANDFALL_NATS_API_PASSWORD: 'api-secret',
  LANDFALL_NATS_GUARD_PASSWORD: 'guard-secret',
  LANDFALL_NATS_SINK_PASSWORD: 'sink-secret',
  LANDFALL_NATS_TRAIN_PASSWORD: 'train-secret',
  LANDFALL_NATS_ADMIN_PASSWORD: 'admin-secret',
};
const passwordEnv = (user: string) => `LANDFALL_NATS_${user.toUpperCase()}_PASSWORD`;

/** A bus as the service `user` of deploy/nats/landfall.conf, configured the documented way. */
function busAs(server: NatsServer, user?: string): Promise<Bus> {
  const auth = user === undefined ? {} : { user, passwordEnv: passwordEnv(user) };
  const config = configSchema.parse({
    bus: { kind: 'nats', nats: { servers: [server.url], auth } },
  });
  return createBus(config.bus, passwords);
}

describe('NATS with deploy/nats/landfall.conf: authentication, permissions, signed control', () => {
  let server: NatsServer;
  const buses: Bus[] = [];
  beforeAll(async () => {
    server = await NatsServer.start({ config: readFileSync(CONF, 'utf8'), env: passwords });
    // Services may not create streams; the admin does, once (deploy/nats/README.md).
    const admin = (await busAs(server, 'admin')) as NatsBus;
    await admin.ensureTopics(topicNames.flatMap((t) => [t, `${t}.dlq`]));
    await admin.close();
  }, 60_000);
  afterAll(async () => {
    for (const b of buses) await b.close();
    await server?.dispose();
  });
  const open = async (user?: string) => {
    const bus = await busAs(server, user);
    buses.push(bus);
    return new TypedBus(bus);
  };

  it('refuses a client without credentials, or with a wrong password', async () => {
    const anonymous = await busAs(server).catch((e: unknown) => e);
    expect(isLandfallError(anonymous) && anonymous.code).toBe('LF_BUS_CONNECT');
    expect(String(anonymous)).toMatch(/refused no credentials: check bus\.nats\.auth/);
    const wrong = await createBus(
      configSchema.parse({
        bus: {
          kind: 'nats',
          nats: { servers: [server.url], auth: { user: 'agent', passwordEnv: 'P' } },
        },
      }).bus,
      { P: 'guess' },
    ).catch((e: unknown) => e);
    expect(String(wrong)).toMatch(/refused user agent/);
    expect(String(wrong)).not.toContain('guess');
  });

  it('an agent may not create streams (their config could republish onto control)', async () => {
    const agent = (await busAs(server, 'agent')) as NatsBus;
    buses.push(agent);
    const err = await agent.ensureTopics(['not-yet-a-topic']).catch((e: unknown) => e);
    expect(String(err)).toMatch(/may not create streams: create it as the NATS admin/);
  });

  it('lets an agent publish telemetry but not control (permission violation)', async () => {
    const agent = await open('agent');
    await agent.publish('metrics-proto', create(MetricsUpdateSchema, { agentId: 'arb-x' }));
    const forged = create(ControlCommandSchema, {
      commandId: 'from-an-agent',
      action: ControlAction.RESUME,
      module: Module.ARBITRAGE,
      source: 'operator',
    });
    const err = await agent.publish('control-proto', forged).catch((e: unknown) => e);
    expect(isLandfallError(err) && err.code).toBe('LF_BUS_PUBLISH');
    expect(String(err)).toMatch(/Permissions Violation for Publish to "lf\.control-proto"/);
  }, 30_000);

  it('the agent refuses unsigned and wrongly signed commands from a client allowed to publish control, and obeys a signed one', async () => {
    const api = ephemeralControlKeys('api');
    const agentBus = await open('agent');
    const control = new AgentControl({
      agentId: 'arb-signed',
      module: 'arb',
      home: mkdtempSync(join(tmpdir(), 'lf-nats-auth-')),
      throttleDefaults: { rateFraction: 0.5, thresholdRaise: 0 },
      clock: systemClock,
      trust: api.verifier,
    });
    const sub = await control.listen(agentBus);
    const sink = await open('sink');
    const acks: ControlAck[] = [];
    const audits: AuditRecord[] = [];
    await sink.subscribe('control-acks-proto', async (a) => void acks.push(a), { group: 'acks' });
    await sink.subscribe('audit-proto', async (a) => void audits.push(a), { group: 'audits' });

    // The guard's user may publish control; what it publishes must still carry the API's key.
    const guardBus = await open('guard');
    const command = (commandId: string) =>
      create(ControlCommandSchema, {
        commandId,
        action: ControlAction.KILL,
        module: Module.ARBITRAGE,
        issuer: 'mallory',
        reason: 'forged',
        source: 'operator',
      });
    const impostor = ephemeralControlKeys('api'); // claims the API's key id
    await guardBus.publish('control-proto', command('unsigned'));
    await guardBus.publish('control-proto', impostor.signer.sign(command('wrong-key')));
    const ackOf = (id: string) => acks.find((a) => a.commandId === id);
    await until(() => ackOf('unsigned') && ackOf('wrong-key'), 'the refusals acked', 30_000);
    expect(ackOf('unsigned')).toMatchObject({ applied: false, agentId: 'arb-signed' });
    expect(ackOf('unsigned')?.message).toMatch(/unsigned/);
    expect(ackOf('wrong-key')).toMatchObject({ applied: false });
    expect(ackOf('wrong-key')?.message).toMatch(/bad signature for key "api"/);
    expect(control.state).toBe('running');
    await until(() => audits.length >= 2, 'the refusals audited', 30_000);
    expect(audits.map((a) => [a.action, a.result, a.role])).toEqual([
      ['control.kill', 'forbidden', 'unverified'],
      ['control.kill', 'forbidden', 'unverified'],
    ]);

    await guardBus.publish('control-proto', api.signer.sign(command('signed')));
    await until(() => ackOf('signed'), 'the signed kill acked', 30_000);
    expect(ackOf('signed')).toMatchObject({ applied: true });
    expect(control.state).toBe('killed');
    await sub.close();
  }, 60_000);
});

describe('bus.nats.auth', () => {
  const env = { T: 'tok', P: 'pw', S: 'SUAseed' };
  it('reads each secret from the variable or file the config names, one method only', () => {
    expect(natsCredentialsFrom({}, env)).toBeUndefined();
    expect(natsCredentialsFrom({ tokenEnv: 'T' }, env)).toEqual({ kind: 'token', token: 'tok' });
    expect(natsCredentialsFrom({ user: 'u', passwordEnv: 'P' }, env)).toEqual({
      kind: 'user',
      user: 'u',
      password: 'pw',
    });
    expect(natsCredentialsFrom({ nkeySeedEnv: 'S' }, env)).toEqual({
      kind: 'nkey',
      seed: 'SUAseed',
    });
    const files = (p: string) => `contents of ${p}`;
    expect(natsCredentialsFrom({ credsFile: '/x.creds' }, env, files)).toEqual({
      kind: 'creds',
      creds: 'contents of /x.creds',
    });
    expect(() => natsCredentialsFrom({ tokenEnv: 'T', credsFile: '/x' }, env)).toThrow(
      /choose one way/,
    );
    expect(() => natsCredentialsFrom({ tokenEnv: 'MISSING' }, env)).toThrow(
      /MISSING .* is not set/,
    );
    expect(() => natsCredentialsFrom({ user: 'u' }, env)).toThrow(
      /needs both user and passwordEnv/,
    );
  });
});
