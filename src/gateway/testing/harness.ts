import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { SignJWT } from 'jose';
import { pino } from 'pino';
import WebSocket from 'ws';
import { mintToken } from '../../auth/mint.js';
import { createVerifier, type Role } from '../../auth/verify.js';
import { MemoryBus } from '../../bus/memory.js';
import type { TopicMessage, TopicName } from '../../bus/topics.js';
import { TypedBus } from '../../bus/typed.js';
import { validateConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { type Envelope, EnvelopeSchema } from '../../gen/landfall/v1/realtime_pb.js';
import { type StandaloneGateway, startGateway } from '../gateway.js';

export const SECRET = 'gateway-test-secret-0123456789abcdef0123456789';

/** A gateway on a free port over an in-process bus, with its logs kept for inspection. */
export class TestGateway {
  private constructor(
    readonly config: Config,
    readonly bus: TypedBus,
    readonly gateway: StandaloneGateway,
    /** The gateway's log lines (JSON). */
    readonly logs: string[],
  ) {}

  static async start(
    gateway: Record<string, unknown> = {},
    auth: Record<string, unknown> = {},
  ): Promise<TestGateway> {
    const home = mkdtempSync(join(tmpdir(), 'lf-gw-'));
    const config = validateConfig({
      home,
      auth: { hmacSecret: SECRET, clockSkewSeconds: 0, ...auth },
      gateway: { port: 0, webtransport: { enabled: false }, ...gateway },
    });
    const bus = new TypedBus(new MemoryBus());
    const logs: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void logs.push(line) });
    const started = await startGateway({
      config,
      bus,
      verifier: await createVerifier(config.auth),
      log,
    });
    return new TestGateway(config, bus, started, logs);
  }

  get wsUrl(): string {
    return `${this.gateway.url.replace(/^http/, 'ws')}${this.config.gateway.path}`;
  }

  token(role: Role, ttlSeconds = 3600, subject = `${role}-user`): Promise<string> {
    return mintToken(this.config.auth, { role, subject, ttlSeconds });
  }

  /** A correctly signed token whose `exp` is `secondsAgo` in the past. */
  expiredToken(secondsAgo: number): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject('late-user')
      .setIssuer(this.config.auth.issuer)
      .setAudience(this.config.auth.audience)
      .setIssuedAt(now - 3600)
      .setExpirationTime(now - secondsAgo)
      .sign(new TextEncoder().encode(SECRET));
  }

  publish<T extends TopicName>(topic: T, message: TopicMessage<T>): Promise<void> {
    return this.bus.publish(topic, message);
  }

  /** Every record published on `topic` from now on. */
  async record<T extends TopicName>(topic: T): Promise<Array<TopicMessage<T>>> {
    const seen: Array<TopicMessage<T>> = [];
    await this.bus.subscribe(topic, async (m) => void seen.push(m), {
      group: `test-${topic}-${Math.random()}`,
      start: 'latest',
    });
    return seen;
  }

  async stop(): Promise<void> {
    await this.gateway.stop();
    await this.bus.bus.close();
  }
}

export type Via = 'header' | 'protocol' | 'query';

/** A WebSocket client that keeps every frame, reply, refusal and close it sees. */
export class TestClient {
  readonly envelopes: Envelope[] = [];
  readonly replies: Array<Record<string, unknown>> = [];
  refusedStatus: number | undefined;
  closed: { code: number; reason: string } | undefined;
  readonly ws: WebSocket;
  readonly settled: Promise<'open' | 'refused' | 'error'>;

  constructor(url: string, token: string | undefined, via: Via = 'protocol') {
    const headers =
      token !== undefined && via === 'header' ? { authorization: `Bearer ${token}` } : {};
    const protocols =
      token !== undefined && via === 'protocol'
        ? ['landfall.v1', `bearer.${token}`]
        : ['landfall.v1'];
    const target = token !== undefined && via === 'query' ? `${url}?token=${token}` : url;
    this.ws = new WebSocket(target, protocols, { headers });
    this.ws.binaryType = 'nodebuffer';
    this.settled = new Promise((resolve) => {
      this.ws.once('open', () => resolve('open'));
      this.ws.once('unexpected-response', (_req, res) => {
        this.refusedStatus = res.statusCode;
        res.resume();
        resolve('refused');
      });
      this.ws.once('error', () => resolve('error'));
    });
    this.ws.on('message', (data, isBinary) => {
      if (isBinary) this.envelopes.push(fromBinary(EnvelopeSchema, data as Buffer));
      else this.replies.push(JSON.parse(String(data)) as Record<string, unknown>);
    });
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
    });
  }

  send(message: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(message));
  }

  close(): void {
    this.ws.terminate();
  }
}
