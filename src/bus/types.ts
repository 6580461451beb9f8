/**
 * The bus: topics of bytes with a key and headers, consumed by named groups.
 *
 * Rules every adapter keeps (the contract suite in `contract.ts` checks them):
 * - `publish` resolves only once the message is durably accepted (in memory for `memory`,
 *   stored by the stream for `nats`, acknowledged by all in-sync replicas for `kafka`).
 * - Delivery is at-least-once. A message is acknowledged only after its handler resolves.
 * - Messages with the same key are handled in publish order, one at a time, within a group —
 *   unless a handler calls `delivery.release()`: then the next message of its key may start
 *   while this handler still runs (its ack still waits for it). A handler releases once it has
 *   taken its message in order (the sink: once the row is in the batch), so one key is not
 *   capped at one message per batch. A message retried or dead-lettered after its release may
 *   come after later messages of its key.
 * - Members of one group share the load: each message goes to one member.
 * - A group seen for the first time starts at the earliest retained message or at the end
 *   (`start`); a known group resumes where it left off.
 * - A handler that throws is retried up to `maxAttempts` times in place (later messages of
 *   the same key wait); then the message goes to `<topic>.dlq` with the reason, the original
 *   topic, offset, group and attempt count in headers, and is acknowledged.
 * - `close()` stops taking new messages and waits for the handlers already running.
 * - Retention never drops a message some group has not acknowledged. The memory bus keeps at
 *   most `retentionBytes`, dropping the oldest messages every group has acknowledged first;
 *   when unacknowledged ones alone exceed it, it keeps them and warns (a consumer is stuck).
 * - A `transient` group (one process's own view, e.g. `api-view-<pid>-…`) leaves nothing behind:
 *   its state is removed when its subscription closes, and, when the process dies without
 *   closing, after a bounded idle time (NATS: the consumer's `inactive_threshold`; Kafka: the
 *   broker's `offsets.retention.minutes`). Never use it for a group that must resume.
 */
export interface BusMessage {
  readonly topic: string;
  readonly key: string;
  readonly value: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  /** Adapter position of the message (partition/offset or stream sequence), for logs and DLQ headers. */
  readonly offset: string;
  /** Publish time in ms since the epoch. */
  readonly timestamp: number;
  /** 1 on first delivery to this process; counts in-place retries. */
  readonly attempt: number;
}

/** What a handler may tell the adapter about its message while it runs. */
export interface Delivery {
  /** Lets the next message of this key start now; idempotent. The ack still waits for the handler. */
  release(): void;
}

export type Handler = (message: BusMessage, delivery: Delivery) => Promise<void>;

export interface PublishOptions {
  key: string;
  headers?: Record<string, string>;
}

export interface SubscribeOptions {
  /** Consumer group; members with the same group share the topic. */
  group: string;
  /** Where a new group starts. Default `earliest`. */
  start?: 'earliest' | 'latest';
  /** Handler attempts before dead-lettering. Default from config (`bus.maxAttempts`). */
  maxAttempts?: number;
  /** Messages held in flight by this member. Default from config (`bus.maxInFlight`). */
  maxInFlight?: number;
  /**
   * The group belongs to this one subscription (a per-process view named with its pid): the
   * adapter removes it on close — memory drops the group's positions; NATS deletes the consumer
   * and creates it with an `inactive_threshold` so the server removes it if the process dies;
   * Kafka deletes the consumer group. A later subscription under the name starts afresh.
   */
  transient?: boolean;
}

export interface Subscription {
  /** Stops taking messages, waits for running handlers, leaves the group. */
  close(): Promise<void>;
}

export interface BusHealth {
  ok: boolean;
  detail: string;
}

export interface Bus {
  readonly kind: 'memory' | 'nats' | 'kafka';
  publish(topic: string, value: Uint8Array, options: PublishOptions): Promise<void>;
  subscribe(topic: string, handler: Handler, options: SubscribeOptions): Promise<Subscription>;
  health(): Promise<BusHealth>;
  /** Closes every subscription (waiting for their handlers), then the connection. */
  close(): Promise<void>;
}

/** What an adapter can promise beyond the rules above; the contract suite skips what is absent. */
export interface BusFeatures {
  /** Per-key order holds across several members of one group (partitioned delivery). */
  orderAcrossMembers: boolean;
  /** Messages survive a restart of the server. */
  durable: boolean;
  /** Closing a `transient` subscription removes its group (checked by re-subscribing). */
  transientGroups: boolean;
}

export const DLQ_SUFFIX = '.dlq';

/** Header names set on dead-lettered messages. */
export const DlqHeaders = {
  reason: 'x-dlq-reason',
  topic: 'x-dlq-topic',
  offset: 'x-dlq-offset',
  group: 'x-dlq-group',
  attempts: 'x-dlq-attempts',
  key: 'x-dlq-key',
} as const;

export function dlqTopic(topic: string): string {
  return `${topic}${DLQ_SUFFIX}`;
}
