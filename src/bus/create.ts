import type { BusConfig } from '../config/schema.js';
import { MemoryBus } from './memory.js';
import { NatsBus } from './nats.js';
import type { Bus } from './types.js';

/** The one place that turns configuration into a concrete bus; nothing else names an adapter. */
export async function createBus(config: BusConfig): Promise<Bus> {
  const common = { maxAttempts: config.maxAttempts, maxInFlight: config.maxInFlight };
  switch (config.kind) {
    case 'memory':
      return new MemoryBus(common);
    case 'nats':
      return NatsBus.connect({
        servers: config.nats.servers,
        maxAgeSeconds: config.nats.maxAgeSeconds,
        replicas: config.nats.replicas,
        ...common,
      });
    case 'kafka': {
      const { KafkaBus } = await import('./kafka.js');
      return KafkaBus.connect({
        brokers: config.kafka.brokers,
        clientId: config.kafka.clientId,
        ...common,
      });
    }
  }
}
