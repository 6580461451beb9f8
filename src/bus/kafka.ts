import { Admin, ProduceAcks, Producer, stringSerializer } from '@platformatic/kafka';
import { LandfallError, reasonOf } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { assertOpen } from './closed.js';
import { sleep } from './delivery.js';
import { SendBatcher } from './kafka-batcher.js';
import { type KafkaSecurity, kafkaClientBase } from './kafka-security.js';
import { KafkaSubscription } from './kafka-subscription.js';
import {
  connectError,
  isNetworkError,
  isTopicExists,
  pickCompression,
  withTimeout,
} from './kafka-util.js';
import type {
  Bus,
  BusFeatures,
  BusHealth,
  Handler,
  PublishOptions,
  SubscribeOptions,
  Subscription,
} from './types.js';

export interface KafkaBusOptions {
  /** `host:port` of one or more brokers (`bus.kafka.brokers`). */
  brokers: string[];
  clientId: string;
  /** Partitions of a topic this bus creates. Default 8. */
  partitions?: number;
  /** Replicas of a topic this bus creates. Default -1: the broker's `default.replication.factor`. */
  replicationFactor?: number;
  /** Default for subscriptions (`bus.maxAttempts`). Default 5. */
  maxAttempts?: number;
  /** Default for subscriptions (`bus.maxInFlight`). Default 1024. */
  maxInFlight?: number;
  /** How long a publish waits for others to share its produce request. Default 5 ms. */
  lingerMs?: number;
  /** Limit for connecting, health checks and topic creation. Default 10 s. */
  timeoutMs?: number;
  logger?: Logger;
  /** SASL and TLS (bus.kafka.sasl / bus.kafka.tls, resolved by kafka-security.ts). */
  sasl?: KafkaSecurity['sasl'];
  tls?: KafkaSecurity['tls'];
}

export const kafkaFeatures: BusFeatures = {
  orderAcrossMembers: true,
  durable: true,
  transientGroups: true,
};

interface Outgoing {
  topic: string;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/**
 * The Kafka adapter (@platformatic/kafka). Publishes are acknowledged by all in-sync replicas
 * through an idempotent producer; each subscription is a consumer-group member that commits an
 * offset only once every message before it in its partition has been handled.
 */
export class KafkaBus implements Bus {
  readonly kind = 'kafka' as const;
  readonly features = kafkaFeatures;
  readonly #o: Required<Omit<KafkaBusOptions, 'logger' | 'sasl' | 'tls'>> & { logger: Logger };
  readonly #security: KafkaSecurity;
  readonly #admin: Admin;
  /** Subscriptions of transient groups, and their group, to delete on close. */
  readonly #transient = new Map<KafkaSubscription, string>();
  readonly #producer: Producer<string, Buffer, string, string>;
  readonly #batcher: SendBatcher<Outgoing>;
  /** Topics known to exist; a failed creation is forgotten so the next call tries again. */
  readonly #topics = new Map<string, Promise<void>>();
  readonly #subscriptions = new Set<KafkaSubscription>();
  readonly #publishing = new Set<Promise<void>>();
  #closed = false;
  #producerClosed = false;

  private constructor(options: KafkaBusOptions) {
    this.#o = {
      partitions: 8,
      replicationFactor: -1,
      maxAttempts: 5,
      maxInFlight: 1024,
      lingerMs: 5,
      timeoutMs: 10_000,
      ...options,
      logger: options.logger ?? createLogger('warn', 'bus.kafka'),
    };
    this.#security = {
      ...(options.sasl === undefined ? {} : { sasl: options.sasl }),
      ...(options.tls === undefined ? {} : { tls: options.tls }),
    };
    const base = kafkaClientBase(options.clientId, options.brokers, this.#security);
    this.#admin = new Admin(base);
    this.#producer = new Producer<string, Buffer, string, string>({
      ...base,
      // Idempotence (the client also forces one request in flight per broker, so retries
      // cannot reorder) with acks=all: a publish resolves once every in-sync replica has it.
      idempotent: true,
      acks: ProduceAcks.ALL,
      compression: pickCompression(),
      // Idempotent producers otherwise retry forever; give a dead cluster a bounded time.
      retries: 5,
      retryDelay: 250,
      serializers: {
        key: stringSerializer,
        headerKey: stringSerializer,
        headerValue: stringSerializer,
      },
    });
    this.#batcher = new SendBatcher<Outgoing>((messages) => this.#send(messages), {
      lingerMs: this.#o.lingerMs,
      maxMessages: 1_000,
      // Stays under the broker's default message.max.bytes (1 MiB) before compression.
      maxBytes: 768 * 1024,
      size: (m) => m.value.byteLength + m.key.length + 64,
    });
  }

  /** Connects and checks that the cluster answers; LF_BUS_CONNECT (naming the brokers) if not. */
  static async connect(options: KafkaBusOptions): Promise<KafkaBus> {
    const bus = new KafkaBus(options);
    try {
      await bus.#metadata();
    } catch (err) {
      await Promise.allSettled([bus.#producer.close(), bus.#admin.close()]);
      throw connectError(options.brokers, 'connect the Kafka bus', err);
    }
    return bus;
  }

  async publish(topic: string, value: Uint8Array, options: PublishOptions): Promise<void> {
    assertOpen(this.#closed, 'publish to', topic);
    // Tracked so close() lets publishes already accepted finish before the producer goes.
    const publishing = this.#publish(topic, value, options);
    this.#publishing.add(publishing);
    try {
      await publishing;
    } finally {
      this.#publishing.delete(publishing);
    }
  }

  /** Also used by subscriptions to dead-letter while close() waits for their last handlers. */
  async #publish(topic: string, value: Uint8Array, options: PublishOptions): Promise<void> {
    assertOpen(this.#producerClosed, 'publish to', topic);
    try {
      await this.#ensureTopic(topic);
      // A copy: the message may wait out the linger, and the caller may reuse its buffer.
      const bytes = Buffer.from(value);
      await this.#batcher.add({
        topic,
        key: options.key,
        value: bytes,
        headers: { ...options.headers },
      });
    } catch (err) {
      if (isNetworkError(err)) throw connectError(this.#o.brokers, `publish to ${topic}`, err);
      throw new LandfallError(
        'LF_BUS_PUBLISH',
        `Kafka did not accept a message for ${topic}: ${reasonOf(err)}`,
        {
          cause: err,
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
    const subscription = new KafkaSubscription({
      brokers: this.#o.brokers,
      clientId: this.#o.clientId,
      security: this.#security,
      topic,
      group: options.group,
      start: options.start ?? 'earliest',
      maxAttempts: options.maxAttempts ?? this.#o.maxAttempts,
      maxInFlight: options.maxInFlight ?? this.#o.maxInFlight,
      handler,
      publish: (t, v, o) => this.#publish(t, v, o),
      logger: this.#o.logger,
      onClosed: () => this.#subscriptions.delete(subscription),
    });
    this.#subscriptions.add(subscription);
    if (options.transient) this.#transient.set(subscription, options.group);
    try {
      await this.#ensureTopic(topic); // consuming a topic that does not exist yet fails the join
      await subscription.start();
    } catch (err) {
      await this.#closeSubscription(subscription);
      throw connectError(this.#o.brokers, `subscribe ${options.group} to ${topic}`, err);
    }
    return { close: () => this.#closeSubscription(subscription) };
  }

  /**
   * Closes (leaving the group), then deletes a transient group; one left by a crash expires
   * with the broker's `offsets.retention.minutes` once it has no members.
   */
  async #closeSubscription(subscription: KafkaSubscription): Promise<void> {
    await subscription.close().catch(() => {});
    const group = this.#transient.get(subscription);
    if (group === undefined) return;
    this.#transient.delete(subscription);
    await this.#admin.deleteGroups({ groups: [group] }).catch((err: unknown) => {
      this.#o.logger.warn(
        { err, group },
        'kafka: transient group not deleted (expires by retention)',
      );
    });
  }

  async health(): Promise<BusHealth> {
    if (this.#closed) return { ok: false, detail: 'closed' };
    try {
      const metadata = await this.#metadata();
      return {
        ok: true,
        detail: `kafka cluster ${metadata.id}: ${metadata.brokers.size} broker(s) answering`,
      };
    } catch (err) {
      return { ok: false, detail: `kafka brokers ${this.#o.brokers.join(', ')}: ${reasonOf(err)}` };
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Subscriptions first: their handlers may still dead-letter through the producer.
    await Promise.allSettled([...this.#subscriptions].map((s) => this.#closeSubscription(s)));
    await Promise.allSettled([...this.#publishing]);
    await this.#batcher.flush();
    this.#producerClosed = true;
    await Promise.allSettled([this.#producer.close(), this.#admin.close()]);
  }

  #metadata() {
    const call = this.#admin.metadata({ topics: [], forceUpdate: true });
    return withTimeout(
      call,
      this.#o.timeoutMs,
      () => new Error(`no answer in ${this.#o.timeoutMs} ms`),
    );
  }

  async #send(messages: Outgoing[]): Promise<void> {
    await this.#producer.send({ messages });
  }

  #ensureTopic(topic: string): Promise<void> {
    let ready = this.#topics.get(topic);
    if (ready === undefined) {
      ready = this.#createTopic(topic);
      this.#topics.set(topic, ready);
      ready.catch(() => this.#topics.delete(topic));
    }
    return ready;
  }

  /** Creates the topic (idempotently) and waits until every partition has a leader. */
  async #createTopic(topic: string): Promise<void> {
    const { partitions, replicationFactor: replicas, timeoutMs } = this.#o;
    try {
      await this.#admin.createTopics({ topics: [topic], partitions, replicas });
    } catch (err) {
      if (!isTopicExists(err)) throw err;
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const metadata = await this.#admin.metadata({
          topics: [topic],
          forceUpdate: true,
          retries: 0,
        });
        const t = metadata.topics.get(topic);
        if (t !== undefined && t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))
          return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
      }
      if (Date.now() > deadline)
        throw new Error(`topic ${topic} has no leader after ${timeoutMs} ms`);
      await sleep(100);
    }
  }
}
