import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsServer } from '../../test/servers.js';
import { until } from '../testing/until.js';
import { busContract, uniqueTopic } from './contract.js';
import { NatsBus, streamName } from './nats.js';
import { typedContract } from './typed-contract.js';

let server: NatsServer;
beforeAll(async () => {
  server = await NatsServer.start();
});
afterAll(async () => {
  await server?.dispose();
});

const target = {
  name: 'nats',
  features: { orderAcrossMembers: false, durable: true, transientGroups: true },
  create: () => NatsBus.connect({ servers: [server.url], maxAttempts: 3 }),
};

busContract(target);
typedContract(target);

describe('nats transient groups', () => {
  it('creates a transient consumer with an inactive threshold, so one left by a dead process goes', async () => {
    const dying = await NatsBus.connect({ servers: [server.url], transientIdleMs: 1_000 });
    const watcher = await NatsBus.connect({ servers: [server.url] });
    try {
      const topic = uniqueTopic('abandoned');
      await dying.subscribe(topic, async () => {}, {
        group: 'api-view-1234-abcd',
        start: 'latest',
        transient: true,
      });
      const info = await watcher.jsm.consumers.info(streamName(topic), 'api-view-1234-abcd');
      expect(info.config.inactive_threshold).toBe(1_000_000_000);
      // The process dies without closing its subscription: only the threshold removes it.
      await dying.nc.close();
      await until(
        () =>
          watcher.jsm.consumers.info(streamName(topic), 'api-view-1234-abcd').then(
            () => false,
            () => true,
          ),
        'the abandoned consumer to be removed by the server',
        20_000,
        200,
      );
    } finally {
      await watcher.close();
    }
  }, 30_000);
});
