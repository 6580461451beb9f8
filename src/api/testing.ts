import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { mintToken } from '../auth/mint.js';
import { createVerifier, type Role } from '../auth/verify.js';
import { MemoryBus } from '../bus/memory.js';
import { decodeTopic, TypedBus } from '../bus/typed.js';
import type {
  Bus,
  BusHealth,
  Handler,
  PublishOptions,
  SubscribeOptions,
  Subscription,
} from '../bus/types.js';
import { validateConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { AuditRecord } from '../gen/landfall/v1/audit_pb.js';
import type { Module } from '../market/types.js';
import { buildHandModel, constantGolden } from '../model/hand-built.js';
import { publish } from '../model/registry.js';
import type { Store } from '../store/types.js';
import { createApiApp } from './app.js';

/** A real in-process bus that also remembers what was published where, for side-effect checks. */
export class RecordingBus implements Bus {
  readonly kind = 'memory' as const;
  readonly published: Array<{ topic: string; key: string; value: Uint8Array }> = [];

  constructor(readonly inner: Bus = new MemoryBus()) {}

  async publish(topic: string, value: Uint8Array, options: PublishOptions): Promise<void> {
    await this.inner.publish(topic, value, options);
    this.published.push({ topic, key: options.key, value });
  }
  subscribe(topic: string, handler: Handler, options: SubscribeOptions): Promise<Subscription> {
    return this.inner.subscribe(topic, handler, options);
  }
  health(): Promise<BusHealth> {
    return this.inner.health();
  }
  close(): Promise<void> {
    return this.inner.close();
  }

  count(topic: string): number {
    return this.published.filter((p) => p.topic === topic).length;
  }

  /** The audit records published so far, decoded. */
  audits(): AuditRecord[] {
    return this.published
      .filter((p) => p.topic === 'audit-proto')
      .map((p) => decodeTopic('audit-proto', p.value));
  }
}

export const TEST_SECRET = 'test-secret-0123456789abcdef-0123456789abcdef';

export interface ApiHarness {
  app: FastifyInstance;
  config: Config;
  bus: RecordingBus;
  typed: TypedBus;
  token(role: Role, subject?: string): Promise<string>;
  close(): Promise<void>;
}

/** The API app on an in-process bus with an HMAC key, for tests and the benchmark's server. */
export async function apiHarness(
  options: { store?: Store; home?: string; overrides?: Record<string, unknown> } = {},
): Promise<ApiHarness> {
  const config = validateConfig({
    home: options.home ?? '.landfall-test',
    api: { host: '127.0.0.1', port: 0 },
    auth: { hmacSecret: TEST_SECRET },
    log: { level: 'silent' },
    ...options.overrides,
  });
  const bus = new RecordingBus();
  const typed = new TypedBus(bus);
  const app = await createApiApp({
    config,
    bus: typed,
    verifier: await createVerifier(config.auth),
    ...(options.store ? { store: options.store } : {}),
  });
  return {
    app,
    config,
    bus,
    typed,
    token: (role, subject = `${role}-user`) =>
      mintToken(config.auth, { role, subject, ttlSeconds: 3600 }),
    close: async () => {
      await app.close();
      await bus.close();
    },
  };
}

/** Publishes `count` real constant-model libraries of `module`; returns their versions, oldest first. */
export async function publishModels(dir: string, module: Module, count: number): Promise<string[]> {
  const build = mkdtempSync(join(tmpdir(), 'lf-api-models-'));
  const versions: string[] = [];
  for (let i = 0; i < count; i++) {
    const so = join(build, `m${i}.so`);
    // Exactly representable in float32, so the golden vectors hold bit for bit.
    const p = ((i % 7) + 1) / 8;
    await buildHandModel({ module, p, nFeatures: 3 }, so);
    const manifest = publish(
      dir,
      {
        module,
        libraryPath: so,
        featureNames: ['a', 'b', 'c'],
        threshold: 0.5,
        golden: constantGolden(3, p),
      },
      10,
    );
    versions.push(manifest.version);
  }
  return versions;
}
