import { z } from 'zod';
import { agentConfigSchema } from '../agent/config.js';
import { simConfigSchema } from '../sim/config.js';

/**
 * The whole configuration, validated in one place. Defaults give the embedded mode: one
 * process, no servers. Each service reads only its own section.
 */
const natsSchema = z.strictObject({
  servers: z.array(z.string().min(1)).min(1).default(['nats://127.0.0.1:4222']),
  /** JetStream stream retention per topic, in seconds. */
  maxAgeSeconds: z
    .number()
    .int()
    .positive()
    .default(7 * 24 * 3600),
  replicas: z.number().int().min(1).max(5).default(1),
});

const kafkaSchema = z.strictObject({
  brokers: z.array(z.string().min(1)).min(1).default(['127.0.0.1:9092']),
  clientId: z.string().min(1).default('landfall'),
});

export const busSchema = z.strictObject({
  kind: z.enum(['memory', 'nats', 'kafka']).default('memory'),
  /** Attempts a handler gets before its message goes to `<topic>.dlq`. */
  maxAttempts: z.number().int().min(1).max(100).default(5),
  /** Messages a subscriber holds in flight before it stops pulling (backpressure). */
  maxInFlight: z.number().int().min(1).max(100_000).default(1024),
  nats: natsSchema.prefault({}),
  kafka: kafkaSchema.prefault({}),
});

export const storeSchema = z.strictObject({
  kind: z.enum(['chdb', 'server']).default('chdb'),
  /** chDB data directory; relative paths are under `home`. */
  path: z.string().min(1).default('clickhouse'),
  url: z.string().url().default('http://127.0.0.1:8123'),
  username: z.string().default('default'),
  password: z.string().default(''),
  database: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a ClickHouse identifier')
    .default('landfall'),
  ttl: z
    .strictObject({
      moveToColdDays: z.number().int().positive().default(14),
      deleteDays: z.number().int().positive().default(400),
    })
    .prefault({}),
  /**
   * Hot→cold tiering (the `hot_cold` storage policy and the TTL move to volume `cold`), decided
   * when a table is created. `auto`: always for chDB (Landfall writes the policy itself); for a
   * server, only when it defines `hot_cold` with a `cold` volume (deploy/clickhouse/storage.xml).
   * `on`: required (migration fails without the policy). `off`: never; the delete TTL still applies.
   */
  tiering: z.enum(['auto', 'on', 'off']).default('auto'),
  /** The bus→ClickHouse sink (`landfall sink`). */
  sink: z
    .strictObject({
      group: z.string().min(1).default('clickhouse-sink'),
      /** A table's batch is inserted when it holds this many rows… */
      batchRows: z.number().int().min(1).max(1_000_000).default(5_000),
      /** …or when its oldest row has waited this long. */
      flushMs: z.number().int().min(1).max(60_000).default(200),
      /** Rows accepted but not yet inserted, over all tables; handlers wait beyond it. */
      maxPendingRows: z.number().int().min(1).max(10_000_000).default(50_000),
      /**
       * Messages each subscription holds unacknowledged (bus `maxInFlight` for the sink). A
       * batch is sealed at min(batchRows, maxInFlight): the bus delivers no more until it is.
       */
      maxInFlight: z.number().int().min(1).max(100_000).default(10_000),
      /**
       * Inserts running at once per table. One keeps the engine busy while the next batch fills;
       * more helped nothing on chDB with 2 cores (measured), but may on a many-core server.
       */
      insertConcurrency: z.number().int().min(1).max(16).default(1),
    })
    .prefault({}),
  /** ClickHouse's own Kafka consumers (`landfall store migrate --kafka-engine`); brokers from bus.kafka. */
  kafkaEngine: z
    .strictObject({
      group: z.string().min(1).default('landfall-clickhouse'),
      /** Prepended to every topic name, as the bus's topic prefix. */
      topicPrefix: z.string().default(''),
    })
    .prefault({}),
});

export const queueSchema = z.strictObject({
  kind: z.enum(['memory', 'bullmq']).default('memory'),
  redisUrl: z.string().default('redis://127.0.0.1:6379'),
  concurrency: z.number().int().min(1).max(64).default(1),
});

export const apiSchema = z.strictObject({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8787),
});

export const authSchema = z.strictObject({
  issuer: z.string().min(1).default('landfall'),
  audience: z.string().min(1).default('landfall-api'),
  /** HMAC secret for single-host use; comes from LANDFALL_JWT_SECRET, never from a file. */
  hmacSecret: z.string().optional(),
  jwksUrl: z.string().url().optional(),
});

/** Compiled models: the registry directory agents watch for hot reload. */
export const modelSchema = z.strictObject({
  /** Registry of `lib<module>_v<sha>.so` + manifests + `lib<module>_latest.so`; under `home`. */
  dir: z.string().min(1).default('models'),
  /** Versions kept per module after a publish (the live one is always kept). */
  keep: z.number().int().min(1).max(1000).default(5),
  /**
   * Coalescing window for model-directory events before the live model is reloaded; 0 takes
   * the events of one event-loop turn (publication is one rename, so one event) and loads.
   */
  debounceMs: z.number().int().min(0).max(10_000).default(0),
  /** C compiler for `landfall model compile`. */
  cc: z.string().min(1).default('cc'),
});

export const configSchema = z.strictObject({
  /** Where embedded state lives (chDB data, models, kill state). Relative to the cwd. */
  home: z.string().min(1).default('.landfall'),
  mode: z.enum(['paper', 'live']).default('paper'),
  log: z
    .strictObject({
      level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    })
    .prefault({}),
  bus: busSchema.prefault({}),
  store: storeSchema.prefault({}),
  queue: queueSchema.prefault({}),
  api: apiSchema.prefault({}),
  auth: authSchema.prefault({}),
  /** The market simulator (paper mode and backtests); every knob documented in src/sim/config.ts. */
  sim: simConfigSchema.prefault({}),
  /** The agents' policies and thresholds (src/agent/config.ts). */
  agent: agentConfigSchema.prefault({}),
  /** Compiled models and their hot reload (src/model). */
  model: modelSchema.prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type BusConfig = Config['bus'];
export type StoreConfig = Config['store'];
