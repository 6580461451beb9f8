import type { BusConfig } from '../config/schema.js';
import { MemoryBus } from './memory.js';
import { NatsBus } from './nats.js';
import { natsSecurityFrom } from './nats-auth.js';
import type { Bus } from './types.js';

/**
 * The one place that turns configuration into a concrete bus; nothing else names an adapter.
 * Secrets are read here from the variables (or files) the config names, and nowhere deeper.
 */
export async function createBus(
  config: BusConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Bus> {
  const common = { maxAttempts: config.maxAttempts, maxInFlight: config.maxInFlight };
  switch (config.kind) {
    case 'memory':
      return new MemoryBus({ ...common, retentionBytes: config.memory.retentionBytes });
    case 'nats':
      return NatsBus.connect({
        servers: config.nats.servers,
        maxAgeSeconds: config.nats.maxAgeSeconds,
        replicas: config.nats.replicas,
        security: natsSecurityFrom(config.nats, env),
        ...common,
      });
    case 'kafka': {
      const { KafkaBus } = await import('./kafka.js');
      const { kafkaSecurityFrom } = await import('./kafka-security.js');
      return KafkaBus.connect({
        brokers: config.kafka.brokers,
        clientId: config.kafka.clientId,
        ...kafkaSecurityFrom(config.kafka, env),
        ...common,
      });
    }
  }
}
