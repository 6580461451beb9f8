import { create } from '@bufbuild/protobuf';
import { nkeys } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { isLandfallError } from '../errors.js';
import { Module } from '../gen/landfall/v1/jobs_pb.js';
import { type MetricsUpdate, MetricsUpdateSchema } from '../gen/landfall/v1/realtime_pb.js';
import { NatsServer } from '../testing/servers.js';
import { until } from '../testing/until.js';
import { createBus } from './create.js';
import type { NatsBus } from './nats.js';
import { TypedBus } from './typed.js';
import type { Bus } from './types.js';

const JETSTREAM = 'jetstream { store_dir: $LANDFALL_NATS_STORE_DIR }';
const seedOf = (pair: ReturnType<typeof nkeys.createUser>) =>
  new TextDecoder().decode(pair.getSeed());

function natsBus(server: NatsServer, auth: Record<string, string>, env: Record<string, string>) {
  const config = configSchema.parse({
    bus: { kind: 'nats', nats: { servers: [server.url], auth } },
  });
  return createBus(config.bus, env);
}

/** Publishes one metrics update and reads it back: the connection really works. */
async function roundTrip(bus: Bus): Promise<MetricsUpdate> {
  await (bus as NatsBus).ensureTopics(['metrics-proto', 'metrics-proto.dlq']);
  const typed = new TypedBus(bus);
  const got: MetricsUpdate[] = [];
  const sub = await typed.subscribe('metrics-proto', async (m) => void got.push(m), {
    group: `creds-${Date.now()}`,
    start: 'earliest',
  });
  await typed.publish(
    'metrics-proto',
    create(MetricsUpdateSchema, { agentId: 'nkey-agent', module: Module.ARBITRAGE }),
  );
  await until(() => got.length > 0, 'the update read back');
  await sub.close();
  return got[0] as MetricsUpdate;
}

describe('NATS NKey authentication against a real server', () => {
  const user = nkeys.createUser();
  let server: NatsServer;
  beforeAll(async () => {
    const config = `${JETSTREAM}\nauthorization { users = [ { nkey: "${user.getPublicKey()}" } ] }\n`;
    server = await NatsServer.start({ config });
  }, 60_000);
  afterAll(() => server?.dispose());

  it('connects with the seed from the environment and carries messages', async () => {
    const bus = await natsBus(server, { nkeySeedEnv: 'SEED' }, { SEED: seedOf(user) });
    expect((await roundTrip(bus)).agentId).toBe('nkey-agent');
    await bus.close();
  });

  it('refuses another key, and a client without one; the error never shows the seed', async () => {
    const stranger = seedOf(nkeys.createUser());
    const refused = await natsBus(server, { nkeySeedEnv: 'SEED' }, { SEED: stranger }).catch(
      (e: unknown) => e,
    );
    expect(isLandfallError(refused) && refused.code).toBe('LF_BUS_CONNECT');
    expect(String(refused)).not.toContain(stranger);
    const anonymous = await natsBus(server, {}, {}).catch((e: unknown) => e);
    expect(isLandfallError(anonymous) && anonymous.code).toBe('LF_BUS_CONNECT');
  });
});

describe('NATS token authentication against a real server', () => {
  const token = 'a-long-random-token-for-the-test';
  let server: NatsServer;
  beforeAll(async () => {
    server = await NatsServer.start({
      config: `${JETSTREAM}\nauthorization { token: "${token}" }\n`,
    });
  }, 60_000);
  afterAll(() => server?.dispose());

  it('connects with the token from the environment; a wrong one is refused', async () => {
    const bus = await natsBus(server, { tokenEnv: 'TOKEN' }, { TOKEN: token });
    expect((await roundTrip(bus)).agentId).toBe('nkey-agent');
    await bus.close();
    const wrong = await natsBus(server, { tokenEnv: 'TOKEN' }, { TOKEN: 'guess' }).catch(
      (e: unknown) => e,
    );
    expect(isLandfallError(wrong) && wrong.code).toBe('LF_BUS_CONNECT');
    expect(String(wrong)).not.toContain('guess');
  });
});
