import { z } from 'zod';
import { agentConfigSchema } from '../agent/config.js';
import { guardConfigSchema } from '../guard/config.js';
import { opsConfigSchema } from '../ops/config.js';
import { simConfigSchema } from '../sim/config.js';
import { liveConfigSchema } from '../solana/config.js';
import { cronProblem } from '../train/queue/ticker.js';

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
  /**
   * How this service proves who it is (deploy/nats/landfall.conf grants each user its
   * subjects). Secrets are never in the file: each `*Env` names the environment variable that
   * holds one, each `*File` a file to read (a `.creds` file, an NKey seed file).
   */
  auth: z
    .strictObject({
      user: z.string().min(1).optional(),
      passwordEnv: z.string().min(1).optional(),
      tokenEnv: z.string().min(1).optional(),
      nkeySeedEnv: z.string().min(1).optional(),
      nkeySeedFile: z.string().min(1).optional(),
      credsFile: z.string().min(1).optional(),
    })
    .prefault({}),
  /** TLS to the server: present (even empty) means TLS is required. PEM files. */
  tls: z
    .strictObject({
      caFile: z.string().min(1).optional(),
      certFile: z.string().min(1).optional(),
      keyFile: z.string().min(1).optional(),
    })
    .optional(),
});

const kafkaSchema = z.strictObject({
  brokers: z.array(z.string().min(1)).min(1).default(['127.0.0.1:9092']),
  clientId: z.string().min(1).default('landfall'),
  /** SASL over the broker connection; the password comes from the variable `passwordEnv` names. */
  sasl: z
    .strictObject({
      mechanism: z.enum(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']),
      username: z.string().min(1),
      passwordEnv: z.string().min(1),
    })
    .optional(),
  /** TLS to the brokers: present (even empty) means TLS. PEM files. */
  tls: z
    .strictObject({
      caFile: z.string().min(1).optional(),
      certFile: z.string().min(1).optional(),
      keyFile: z.string().min(1).optional(),
      servername: z.string().min(1).optional(),
    })
    .optional(),
});

/** An issuer key agents trust; `sources` (if set) limits which `source` it may sign for. */
const trustedControlKeySchema = z.strictObject({
  keyId: z.string().min(1),
  /** Ed25519 public key: base64url of the 32 raw bytes, or a PEM SPKI block. */
  publicKey: z.string().min(1),
  sources: z.array(z.string().min(1)).optional(),
});

/**
 * Control commands are signed by their issuer and obeyed only when the signature verifies
 * (src/auth/control-signature.ts): the bus alone is not trusted.
 */
const controlSigningSchema = z.strictObject({
  /** Names this service's key in the commands it signs (`api`, `guard`, `live-safety`…). */
  keyId: z.string().min(1).default('landfall'),
  /**
   * This service's Ed25519 private key (base64url 32-byte seed or PEM PKCS8); comes from
   * LANDFALL_CONTROL_SIGNING_KEY, never from a file. Paper mode without one generates a key per
   * process, which that process's own agents trust.
   */
  signingKey: z.string().min(1).optional(),
  /** Issuer keys the agents obey, besides this process's own signing key. */
  trustedKeys: z.array(trustedControlKeySchema).default([]),
});

export const busSchema = z.strictObject({
  kind: z.enum(['memory', 'nats', 'kafka']).default('memory'),
  /** Attempts a handler gets before its message goes to `<topic>.dlq`. */
  maxAttempts: z.number().int().min(1).max(100).default(5),
  /** Messages a subscriber holds in flight before it stops pulling (backpressure). */
  maxInFlight: z.number().int().min(1).max(100_000).default(1024),
  nats: natsSchema.prefault({}),
  kafka: kafkaSchema.prefault({}),
  control: controlSigningSchema.prefault({}),
  memory: z
    .strictObject({
      /**
       * Bytes (estimated) the in-process bus keeps over all topics: past it the oldest messages
       * every group has acknowledged are dropped (what is left serves new `earliest` groups).
       * Messages a group has not acknowledged are never dropped; past the bound it warns.
       */
      retentionBytes: z
        .number()
        .int()
        .min(1024 * 1024)
        .default(64 * 1024 * 1024),
    })
    .prefault({}),
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
  /**
   * Where chDB's `cold` volume keeps its parts: `local` (a second directory under the store
   * path) or `s3`. A server's cold volume is its own storage.xml's (deploy/clickhouse/).
   */
  cold: z
    .discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('local') }),
      z.strictObject({
        kind: z.literal('s3'),
        /** Bucket URL with a prefix ending in `/`, as a ClickHouse S3 disk takes it. */
        endpoint: z.string().url().endsWith('/', 'expected the bucket URL with a trailing /'),
        region: z.string().min(1).optional(),
        /** Secrets only from the environment: these name the variables that hold them. */
        accessKeyIdEnv: z.string().min(1).default('LANDFALL_S3_ACCESS_KEY_ID'),
        secretAccessKeyEnv: z.string().min(1).default('LANDFALL_S3_SECRET_ACCESS_KEY'),
      }),
    ])
    .default({ kind: 'local' }),
  /** The bus→ClickHouse sink (`landfall sink`). */
  sink: z
    .strictObject({
      group: z.string().min(1).default('clickhouse-sink'),
      /** A table's batch is inserted when it holds this many rows… */
      batchRows: z.number().int().min(1).max(1_000_000).default(5_000),
      /** …or this many payload bytes (protobuf, before encoding)… */
      batchBytes: z
        .number()
        .int()
        .min(1024)
        .max(256 * 1024 * 1024)
        .default(8 * 1024 * 1024),
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
      /**
       * Worker threads that decode payloads and encode rows, off the thread that runs the bus,
       * the store and (in `landfall up`) everything else; 0 (the default) does it on that
       * thread. Protobuf decoding is most of a row's cost: one worker does ~300k rows/s on a
       * quiet core. On a 2-core machine shared with other work, workers did not raise the
       * sink's throughput reliably (inline won some runs), so they are opt-in until measured on
       * more cores (`npm run bench -- store` reports inline, 2 and 4 workers side by side).
       */
      rowWorkers: z.number().int().min(0).max(16).default(0),
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

/** The job queue (src/train/queue/types.ts states what each kind guarantees). */
export const queueSchema = z.strictObject({
  /** `memory`: in-process, one process (embedded mode); `bullmq`: BullMQ on Redis. */
  kind: z.enum(['memory', 'bullmq']).default('memory'),
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\//, 'expected redis://host:port or rediss://host:port')
    .default('redis://127.0.0.1:6379'),
  /** Jobs one worker runs at once. */
  concurrency: z.number().int().min(1).max(64).default(1),
  /** Runs a job gets, the first included; a handler that throws on the last one fails the job. */
  attempts: z.number().int().min(1).max(100).default(3),
  /** Wait before the first retry; it doubles for each retry after (exponential backoff). */
  backoffMs: z.number().int().min(0).max(3_600_000).default(10_000),
  /**
   * bullmq: a worker holds a job's lock this long and renews it every half of it. A worker that
   * dies loses its jobs' locks after this, and they are run again elsewhere; a handler that
   * blocks the event loop longer than half of it may lose its lock too (and its job run twice).
   */
  lockDurationMs: z.number().int().min(100).max(3_600_000).default(30_000),
  /** bullmq: how often each worker looks for active jobs whose lock expired (a dead worker's). */
  stalledIntervalMs: z.number().int().min(100).max(3_600_000).default(30_000),
  /** bullmq: times a job is taken back from a dead worker before it fails (a job that kills its worker). */
  maxStalledCount: z.number().int().min(0).max(100).default(1),
  /** bullmq: namespace of every Redis key (`<prefix>:<queue name>:…`). */
  prefix: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'expected letters, digits, _ . or -')
    .default('landfall'),
});

export const trainScheduleSchema = z
  .strictObject({
    /** Names the schedule in job ids (`sched-<id>-<window end ms>`), the API and the audit. */
    id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1-64 letters, digits, _ . or -'),
    module: z.enum(['arb', 'mev']),
    everyMs: z.number().int().min(1_000).optional(),
    /** 5 fields, or 6 with seconds first; UTC. */
    cron: z.string().min(1).optional(),
    /** Length of the sliding window of telemetry each job trains on. */
    windowMs: z.number().int().min(1_000),
    features: z.enum(['default', 'extended']).default('default'),
    /** Hyper-parameters; 0 or absent takes the request defaults (src/train/request.ts). */
    maxDepth: z.number().int().min(0).max(16).default(0),
    nEstimators: z.number().int().min(0).max(5000).default(0),
    learningRate: z.number().min(0).max(1).default(0),
  })
  .superRefine((s, ctx) => {
    if ((s.everyMs === undefined) === (s.cron === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'set exactly one of everyMs and cron' });
    }
    const problem = s.cron === undefined ? undefined : cronProblem(s.cron);
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['cron'], message: `invalid cron: ${problem}` });
    }
  });

/** The training pipeline: dispatcher (`landfall dispatcher`) and trainer (`landfall worker`). */
export const trainSchema = z.strictObject({
  /** The dispatchers' consumer group on train-requests-proto. */
  group: z.string().min(1).default('train-dispatcher'),
  /** Queue name the dispatcher enqueues on and workers take jobs from. */
  queueName: z.string().min(1).default('landfall-train'),
  /**
   * Directories a request's output_dir may name (relative paths are under `home`); the model
   * registry (`model.dir`) is always allowed and is where an empty output_dir publishes.
   */
  outputDirs: z.array(z.string().min(1)).default([]),
  /** Fewer labelled rows than this in the range fails the job (nothing to learn from). */
  minRows: z.number().int().min(10).default(200),
  /** The latest fraction of the range, by time, held out for validation. */
  validationFraction: z.number().gt(0).lt(1).default(0.2),
  /** libxgboost threads; 0 takes every core. */
  threads: z.number().int().min(0).max(256).default(0),
  seed: z.number().int().min(0).default(0),
  /**
   * Champion/challenger (src/model/promotion.ts): a trained model goes live only when it earns
   * more than the live one on the job's validation window by more than
   * max(marginSol, marginFraction × |live profit|); otherwise it stays a candidate.
   */
  promotion: z
    .strictObject({
      marginSol: z.number().min(0).default(0),
      marginFraction: z.number().min(0).max(10).default(0.05),
    })
    .prefault({}),
  /**
   * Scheduled retraining (src/train/schedule.ts): each entry requests a job on its schedule
   * (`everyMs` or a UTC `cron`) over the sliding window of `windowMs` ending at the tick. The
   * job id is the entry's id and the window's end: one job per window however many
   * dispatchers run the schedule.
   */
  schedule: z
    .array(trainScheduleSchema)
    .default([])
    .superRefine((entries, ctx) => {
      const seen = new Set<string>();
      for (const [i, e] of entries.entries()) {
        if (seen.has(e.id)) {
          ctx.addIssue({
            code: 'custom',
            path: [i, 'id'],
            message: `duplicate schedule id ${e.id}`,
          });
        }
        seen.add(e.id);
      }
    }),
});

export const apiSchema = z.strictObject({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8787),
  /** Largest request body accepted, in bytes; a larger one gets 413. */
  bodyLimitBytes: z.number().int().min(1024).max(16_777_216).default(65_536),
  /**
   * Deepest nesting of objects and arrays a JSON body (or WebSocket command) may have; deeper is
   * refused with 400 before it is parsed, so nothing downstream recurses over it.
   */
  bodyMaxDepth: z.number().int().min(4).max(256).default(32),
  /**
   * Write requests (REST POSTs and WebSocket commands together) per token (JWT id, else
   * subject) per window; beyond it, 429 / LF_API_RATE_LIMITED.
   */
  writeRateLimit: z
    .strictObject({
      max: z.number().int().min(1).max(1_000_000).default(600),
      windowMs: z.number().int().min(100).max(3_600_000).default(60_000),
    })
    .prefault({}),
  /** Audit rows per page of `GET /api/audit` at most. */
  auditPageMax: z.number().int().min(1).max(10_000).default(500),
});

export const authSchema = z.strictObject({
  issuer: z.string().min(1).default('landfall'),
  audience: z.string().min(1).default('landfall-api'),
  /** HMAC secret for single-host use; comes from LANDFALL_JWT_SECRET, never from a file. */
  hmacSecret: z.string().optional(),
  /** Production keys: a JWKS URL (LANDFALL_JWKS_URL) or one SPKI PEM public key (RSA, P-256, Ed25519). */
  jwksUrl: z.string().url().optional(),
  publicKey: z.string().min(1).optional(),
  /** Leeway for `exp` and `nbf` between hosts' clocks, in seconds. */
  clockSkewSeconds: z.number().int().min(0).max(300).default(30),
  /**
   * Longest token lifetime, in seconds: `landfall token` mints no longer, and the verifier
   * refuses a token whose `exp - iat` (or, without `iat`, whose time left) is longer.
   */
  maxTtlSeconds: z
    .number()
    .int()
    .min(1)
    .max(30 * 24 * 3600)
    .default(7 * 24 * 3600),
});

const shadowChoice = z
  .string()
  .regex(
    /^(candidate|[0-9a-f]{4,64})$/,
    "expected 'candidate' or a version (hex, at least 4 characters)",
  );

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
  /**
   * The sandbox every candidate library is validated in, in a child process, before any
   * serving process (agent, CLI, trainer) maps it (src/model/probe.ts).
   */
  sandbox: z
    .strictObject({
      /** Wall-clock limit of one validation, child start to verdict. */
      timeoutMs: z.number().int().min(100).max(600_000).default(15_000),
      /** Random vectors (with NaN, ±Inf, 0, huge values) whose answers must be finite, in [0, 1]. */
      randomVectors: z.number().int().min(0).max(1_000_000).default(2_000),
      /**
       * Median single-call predict latency allowed, µs (the median, not a tail: a loaded host
       * preempts the child, and the model's own cost is what is judged).
       */
      predictBudgetUs: z.number().positive().max(1_000_000).default(200),
    })
    .prefault({}) /**
   * A candidate run in shadow beside each module's live model (src/model/shadow.ts): it scores
   * every opportunity's vector after the decision, never acting, and its score is stored with
   * the opportunity (GET /api/models/:module/shadow compares the two). `candidate`: the newest
   * candidate in the registry, followed while the agent runs (a candidate a scheduled job
   * publishes is scored from then on); otherwise a version (a unique prefix).
   */,
  shadow: z
    .strictObject({
      arb: shadowChoice.optional(),
      mev: shadowChoice.optional(),
    })
    .prefault({}),
});

/** The realtime gateway (`landfall gateway`, and inside `landfall up` on the API's server). */
export const gatewaySchema = z.strictObject({
  /** Where `landfall gateway` listens on its own; inside `landfall up` it shares the API's port. */
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8788),
  /** WebSocket path on the server. */
  path: z
    .string()
    .regex(/^\/[A-Za-z0-9/_-]*$/, 'expected an absolute URL path')
    .default('/ws'),
  /** Ping every this often; a peer that has not answered the previous ping is closed. */
  heartbeatMs: z.number().int().min(50).max(600_000).default(15_000),
  /** Per-client send queue, in bytes the socket has not yet written (ws bufferedAmount). */
  queue: z
    .strictObject({
      /** Beyond this the client is sampled down (see `sampling`) until it drains. */
      softBytes: z.number().int().min(1024).max(1_073_741_824).default(262_144),
      /** Beyond this the client is disconnected with close code 4008. */
      hardBytes: z.number().int().min(2048).max(1_073_741_824).default(8_388_608),
      /** Frames held back for a sampled client at most; beyond, it is disconnected (4008). */
      maxHeldFrames: z.number().int().min(1).max(1_000_000).default(2_000),
      /** How often held-back frames are retried for a sampled client. */
      flushMs: z.number().int().min(1).max(10_000).default(50),
    })
    .prefault({})
    .refine((q) => q.hardBytes > q.softBytes, {
      message: 'hardBytes must be greater than softBytes',
      path: ['hardBytes'],
    }),
  /**
   * `latest`: a sampled client keeps only the latest metrics per agent, SLO state per module and
   * training ack per job (control commands and acks are all kept); outcomes and opportunities are
   * dropped. `disconnect`: no sampling, a client past softBytes is disconnected at once.
   */
  sampling: z.enum(['latest', 'disconnect']).default('latest'),
  /** Largest message a client may send (control commands), in bytes. */
  maxClientMessageBytes: z.number().int().min(256).max(1_048_576).default(16_384),
  /** The built dashboard to serve at `/`; empty: the one `npm run build:web` writes (dist/web). */
  webDir: z.string().default(''),
  /** HTTP/3 WebTransport, when the optional `@fails-components/webtransport` is installed. */
  webtransport: z
    .strictObject({
      enabled: z.boolean().default(true),
      port: z.number().int().min(0).max(65535).default(4433),
      /** PEM certificate and key (relative paths are under `home`); see README (Dashboard). */
      certFile: z.string().default('gateway/cert.pem'),
      keyFile: z.string().default('gateway/key.pem'),
    })
    .prefault({}),
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
  train: trainSchema.prefault({}),
  api: apiSchema.prefault({}),
  auth: authSchema.prefault({}),
  gateway: gatewaySchema.prefault({}),
  /** The market simulator (paper mode and backtests); every knob documented in src/sim/config.ts. */
  sim: simConfigSchema.prefault({}),
  /** The agents' policies and thresholds (src/agent/config.ts). */
  agent: agentConfigSchema
    .extend({
      /**
       * Beside other services in one process (`landfall up`): the market and the agents run on
       * a worker thread of their own (src/agent/agent-thread.ts), so the store, sink, API,
       * gateway, guard and trainer cannot delay the hot path; `agent.cpus` then pins that
       * thread. false runs them on the main thread (debugging: one stack, one inspector).
       */
      thread: z.boolean().default(true),
    })
    .prefault({}),
  /** `landfall up` (src/system/warm-start.ts). */
  up: z
    .strictObject({
      /**
       * Paper mode: simulated minutes run at virtual pace before the market follows the wall
       * clock, so the store, the policies and the dashboard start with that much history
       * ending now, and `landfall train` has rows at once; 0 starts at the wall clock.
       */
      warmStartMinutes: z.number().min(0).max(1_440).default(60),
    })
    .prefault({}),
  /** SLO guardrails and the kill switch (src/guard/config.ts). */
  guard: guardConfigSchema.prefault({}),
  /** Compiled models and their hot reload (src/model). */
  model: modelSchema.prefault({}),
  /** Host checks (`landfall doctor`) and the kernel send-path probe (src/ops/config.ts). */
  ops: opsConfigSchema.prefault({}),
  /** Live Solana: endpoints, keypair, watched pools, safety caps (src/solana/config.ts). */
  live: liveConfigSchema.prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type BusConfig = Config['bus'];
export type StoreConfig = Config['store'];
export type QueueConfig = Config['queue'];
