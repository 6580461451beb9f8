import { busContract } from './contract.js';
import { MemoryBus } from './memory.js';
import { typedContract } from './typed-contract.js';

const target = {
  name: 'memory',
  features: { orderAcrossMembers: true, durable: false, transientGroups: true },
  create: async () => new MemoryBus({ maxAttempts: 3 }),
};

busContract(target);
typedContract(target);
