import { busContract } from './contract.js';
import { MemoryBus } from './memory.js';
import { typedContract } from './typed-contract.js';

const target = {
  name: 'memory',
  features: { orderAcrossMembers: true, durable: false },
  create: async () => new MemoryBus({ maxAttempts: 3 }),
};

busContract(target);
typedContract(target);
