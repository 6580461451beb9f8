import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
  StorageType,
} from '@nats-io/jetstream';
import {
  connect,
  errors,
  type NatsConnection,
  nanos,
  headers as natsHeaders,
} from '@nats-io/transport-node';
import { LandfallError, reasonOf } from '../errors.js';
import { assertOpen } from './closed.js';
import { deliver } from './delivery.js';
import { KeyLanes, type LaneTicket } from './key-lanes.js';
import { describeCredentials, type NatsSecurity, natsConnectSecurity } from './nats-auth.js';
import { AsyncPublisher } from './nats-publisher.js';
import type {
  Bus,
  BusHealth,
  BusMessage,
  Handler,
  PublishOptions,
  SubscribeOptions,
  Subscription,
} from './types.js';

export interface NatsBusOptions {
  servers: string[];
  maxAttempts?: number;
  maxInFlight?: number;
  /** Stream retention per topic. Default 7 days. */
  maxAgeSeconds?: number;
  replicas?: number;
  /** How long the server waits for an ack before redelivering. Default 30 s. */
  ackWaitMs?: number;
  /** How long a publish waits for the stream's acknowledgement. Default 5 s. */
  publishTimeoutMs?: number;
  /**
   * A `transient` group's consumer is removed by the server after this long without a pull
   * (`inactive_threshold`): what a process that died without closing leaves behind. Default 5 min.
   */
  transientIdleMs?: number;
  /** Credentials and TLS (bus.nats.auth / bus.nats.tls, resolved by nats-auth.ts). */
  security?: NatsSecurity;
  /** How long the first connection may take (a TLS handshake the server drops waits this). Default 20 s. */
  connectTimeoutMs?: number;
}

const KEY_HEADER = 'lf-key';

/** One JetStream stream per topic, subject `lf.<topic>`; stream and consumer names allow no dots. */
export function streamName(topic: string): string {
  return `LF_${topic.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

export function subjectOf(topic: string): string {
  return `lf.${topic}`;
}

/**
 * NATS JetStream adapter: streams per topic with file storage, durable pull consumers as
 * groups, explicit acks after the handler, publishes acknowledged by the stream.
 * Per-key order holds within a member (key lanes); JetStream does not partition a consumer's
 * messages by key, so two members of one group may interleave a key.
 */
export class NatsBus implements Bus {
  readonly kind = 'nats' as const;
  readonly #streams = new Map<string, Promise<void>>();
  /** Topics whose stream is known to exist: a publish to them awaits nothing before sending… */
  readonly #ready = new Set<string>();
  /**
   * …unless publishes are still waiting for a stream: one sent at once could overtake them (a
   * caller's earlier publish of the same key, not awaited), so until they have sent, all wait.
   */
  #awaitingStream = 0;
  readonly #subs = new Set<Subscription>();
  readonly #publisher: AsyncPublisher;
  #closed = false;

  private constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    readonly options: Required<
      Omit<NatsBusOptions, 'servers' | 'security' | 'connectTimeoutMs'>
    > & {
      servers: string[];
    },
  ) {
    this.#publisher = new AsyncPublisher(nc, options.publishTimeoutMs);
    this.#watchPermissions().catch(() => {});
  }

  /**
   * The server answers a publish it does not permit with an -ERR, not a missing PubAck: fail
   * that publish at once, naming the subject, instead of after the ack timeout.
   */
  async #watchPermissions(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type !== 'error' || !(s.error instanceof errors.PermissionViolationError)) continue;
      if (s.error.operation === 'publish') this.#publisher.refuse(s.error.subject, s.error);
    }
  }

  static async connect(options: NatsBusOptions): Promise<NatsBus> {
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: options.servers,
        name: 'landfall',
        maxReconnectAttempts: -1,
        reconnectTimeWait: 100,
        timeout: options.connectTimeoutMs ?? 20_000,
        ...natsConnectSecurity(options.security ?? {}),
      });
    } catch (cause) {
      const who = describeCredentials(options.security?.credentials);
      const fix =
        cause instanceof errors.AuthorizationError
          ? `; the server refused ${who}: check bus.nats.auth and the server's users`
          : '';
      throw new LandfallError(
        'LF_BUS_CONNECT',
        `cannot connect to NATS at ${options.servers.join(', ')} with ${who}: ${reasonOf(cause)}${fix}`,
        { cause },
      );
    }
    const jsm = await jetstreamManager(nc);
    return new NatsBus(nc, jetstream(nc), jsm, {
      servers: options.servers,
      maxAttempts: options.maxAttempts ?? 5,
      maxInFlight: options.maxInFlight ?? 1024,
      maxAgeSeconds: options.maxAgeSeconds ?? 7 * 24 * 3600,
      replicas: options.replicas ?? 1,
      ackWaitMs: options.ackWaitMs ?? 30_000,
      publishTimeoutMs: options.publishTimeoutMs ?? 5_000,
      transientIdleMs: options.transientIdleMs ?? 300_000,
    });
  }

  /**
   * Creates the topics' streams now (an existing stream is kept as it is). With per-service
   * users, services may not create streams (deploy/nats/landfall.conf): an admin runs this once.
   */
  async ensureTopics(topics: readonly string[]): Promise<void> {
    await Promise.all(topics.map((t) => this.#ensureStream(t)));
  }

  /** Creates the topic's stream once per process; an existing stream is kept as it is. */
  #ensureStream(topic: string): Promise<void> {
    let ready = this.#streams.get(topic);
    if (!ready) {
      ready = this.#createStream(topic).then(
        () => {
          this.#ready.add(topic);
        },
        (err) => {
          this.#streams.delete(topic);
          throw err;
        },
      );
      this.#streams.set(topic, ready);
    }
    return ready;
  }

  async #createStream(topic: string): Promise<void> {
    const name = streamName(topic);
    try {
      await this.jsm.streams.info(name);
      return;
    } catch {
      // not found (or not reachable: add() below reports that)
    }
    try {
      await this.jsm.streams.add({
        name,
        subjects: [subjectOf(topic)],
        storage: StorageType.File,
        max_age: nanos(this.options.maxAgeSeconds * 1000),
        num_replicas: this.options.replicas,
      });
    } catch (cause) {
      if (/already in use/i.test(reasonOf(cause))) return;
      const fix = /permissions violation/i.test(reasonOf(cause))
        ? `; this user may not create streams: create it as the NATS admin (deploy/nats/README.md)`
        : '';
      throw new LandfallError(
        'LF_BUS_CONNECT',
        `cannot create JetStream stream ${name}: ${reasonOf(cause)}${fix}`,
        {
          cause,
        },
      );
    }
  }

  async publish(topic: string, value: Uint8Array, options: PublishOptions): Promise<void> {
    assertOpen(this.#closed, 'publish to', topic);
    if (this.#awaitingStream > 0 || !this.#ready.has(topic)) {
      this.#awaitingStream++;
      try {
        await this.#ensureStream(topic);
      } finally {
        this.#awaitingStream--;
      }
    }
    const h = natsHeaders();
    h.set(KEY_HEADER, options.key);
    if (options.headers) for (const [k, v] of Object.entries(options.headers)) h.set(k, v);
    try {
      await this.#publisher.publish(subjectOf(topic), value, h);
    } catch (cause) {
      throw new LandfallError(
        'LF_BUS_PUBLISH',
        `publish to ${topic} was not acknowledged: ${reasonOf(cause)}`,
        {
          cause,
        },
      );
    }
  }

  async subscribe(
    topic: string,
    handler: Handler,
    options: SubscribeOptions,
  ): Promise<Subscription> {
    assertOpen(this.#closed, 'subscribe to', topic);
    await this.#ensureStream(topic);
    const stream = streamName(topic);
    const durable = options.group.replace(/[^A-Za-z0-9_-]/g, '_');
    const maxInFlight = options.maxInFlight ?? this.options.maxInFlight;
    try {
      await this.jsm.consumers.info(stream, durable);
    } catch {
      await this.jsm.consumers.add(stream, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: options.start === 'latest' ? DeliverPolicy.New : DeliverPolicy.All,
        ack_wait: nanos(this.options.ackWaitMs),
        max_ack_pending: maxInFlight,
        max_deliver: -1,
        // A live consume() pulls far more often than this, so only an abandoned consumer idles.
        ...(options.transient ? { inactive_threshold: nanos(this.options.transientIdleMs) } : {}),
      });
    }
    const consumer = await this.js.consumers.get(stream, durable);
    const messages = await consumer.consume({ max_messages: Math.min(maxInFlight, 1000) });
    const lanes = new KeyLanes();
    const maxAttempts = options.maxAttempts ?? this.options.maxAttempts;
    const publish = this.publish.bind(this);

    const acks = new AckBatcher();
    const handle = async (m: JsMsg, key: string, ticket: LaneTicket) => {
      try {
        await deliver(toBusMessage(topic, m, key), handler, {
          delivery: ticket,
          group: options.group,
          maxAttempts,
          publish,
          onRetry: () => m.working(),
        });
        acks.ack(m);
      } catch {
        // The dead letter could not be published: let the server redeliver it.
        m.nak(1000);
      }
    };
    const loop = (async () => {
      for await (const m of messages) {
        const key = messageKey(m);
        // handle() settles every outcome itself (ack or nak): nothing is left for the lane.
        lanes.submit(key, (ticket) => handle(m, key, ticket), ignoreSettled);
      }
    })();

    let closed = false;
    const subscription: Subscription = {
      close: async () => {
        if (closed) return;
        closed = true;
        this.#subs.delete(subscription);
        await messages.close();
        await loop.catch(() => {});
        await lanes.idle();
        acks.flush();
        if (options.transient) {
          // Best effort: a consumer left behind is removed by its inactive_threshold anyway.
          await this.jsm.consumers.delete(stream, durable).catch(() => {});
        }
      },
    };
    this.#subs.add(subscription);
    return subscription;
  }

  async health(): Promise<BusHealth> {
    if (this.#closed || this.nc.isClosed()) return { ok: false, detail: 'closed' };
    try {
      const rtt = await this.nc.rtt();
      const info = await this.jsm.getAccountInfo();
      return {
        ok: true,
        detail: `nats ${this.nc.getServer()} rtt ${rtt} ms, ${info.streams} streams`,
      };
    } catch (err) {
      return { ok: false, detail: `nats unreachable: ${reasonOf(err)}` };
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#subs].map((s) => s.close()));
    this.#publisher.close();
    await this.nc.drain().catch(() => this.nc.close());
  }
}

/**
 * The client flushes its socket once per microtask turn that wrote something; handlers finish
 * on different turns, so acking one by one costs a write per message. Acks are gathered and
 * sent together once per macrotask instead.
 */
class AckBatcher {
  #pending: JsMsg[] = [];
  #scheduled = false;

  ack(m: JsMsg): void {
    this.#pending.push(m);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.#scheduled = false;
    const batch = this.#pending;
    this.#pending = [];
    for (const m of batch) m.ack();
  }
}

function messageKey(m: JsMsg): string {
  return m.headers?.get(KEY_HEADER) ?? '';
}

const ignoreSettled = () => {};

function toBusMessage(topic: string, m: JsMsg, key: string): BusMessage {
  const headers: Record<string, string> = {};
  if (m.headers) {
    for (const [k, values] of m.headers) if (k !== KEY_HEADER) headers[k] = values[0] ?? '';
  }
  // The ack subject is the message's reply subject: the client has it, its JsMsg type omits it.
  const reply = (m as { reply?: unknown }).reply;
  const position = typeof reply === 'string' ? ackSubjectPosition(reply) : undefined;
  return {
    topic,
    key,
    value: m.data,
    headers,
    offset: position ? position.sequence : String(m.seq),
    timestamp: position ? position.timestampMs : Number(m.timestampNanos / 1_000_000n),
    attempt: 1,
  };
}

/**
 * The stream sequence and the stored time (ms) a JetStream message's ack subject carries, read
 * in one pass: `m.seq` and `m.timestampNanos` each split the subject again (the latter into a
 * BigInt), a measurable share of the consumer's time per message. The subject is
 * `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending>` or, from servers with
 * domains, `$JS.ACK.<domain>.<account>.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending>.<token>`;
 * the nanosecond time is cut to ms in its digits, so it stays exact past 2^53. Any other form
 * gives undefined, and the caller asks the client library.
 */
export function ackSubjectPosition(
  reply: string,
): { sequence: string; timestampMs: number } | undefined {
  const t = reply.split('.');
  if (t[0] !== '$JS' || t[1] !== 'ACK' || (t.length !== 9 && t.length < 11)) return undefined;
  const base = t.length === 9 ? 2 : 4;
  const sequence = t[base + 3] as string;
  const nanos = t[base + 5] as string;
  const ms = nanos.length > 6 ? Number(nanos.slice(0, -6)) : 0;
  if (sequence === '' || !Number.isSafeInteger(Number(sequence)) || !Number.isSafeInteger(ms)) {
    return undefined;
  }
  return { sequence, timestampMs: ms };
}
