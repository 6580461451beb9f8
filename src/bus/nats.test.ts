import { afterAll, beforeAll } from 'vitest';
import { NatsServer } from '../../test/servers.js';
import { busContract } from './contract.js';
import { NatsBus } from './nats.js';
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
  features: { orderAcrossMembers: false, durable: true },
  create: () => NatsBus.connect({ servers: [server.url], maxAttempts: 3 }),
};

busContract(target);
typedContract(target);
