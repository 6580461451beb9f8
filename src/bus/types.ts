/**
 * The bus: topics of bytes with a key and headers, consumed by named groups.
 *
 * Rules every adapter keeps (the contract suite in `contract.ts` checks them):
 * - `publish` resolves only once the message is durably accepted (in memory for `memory`,
 *   stored by the stream for `nats`, acknowledged by all in-sync replicas for `kafka`).
 * - Delivery is at-least-once. A message is acknowledged only after its handler resolves.
 * - Messages with the same key are handled in publish order, one at a time, within a group.
 * - Members of one group share the load: each message goes to one member.
 * - A group seen for the first time starts at the earliest retained message or at the end
 *   (`start`); a known group resumes where it left off.
 * - A handler that throws is retried up to `maxAttempts` times in place (later messages of
 *   the same key wait); then the message goes to `<topic>.dlq` with the reason, the original
 *   topic, offset, group and attempt count in headers, and is acknowledged.
 * - `close()` stops taking new messages and waits for the handlers already running.
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

export type Handler = (message: BusMessage) => Promise<void>;

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
