import { once } from 'node:events';
import {
  Consumer,
  type ConsumerGroupJoinPayload,
  type ConsumerOptions,
  type Message,
  type MessagesStream,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
  stringDeserializer,
} from '@platformatic/kafka';
import type { Logger } from '../log.js';
import { deliver, sleep } from './delivery.js';
import { Committer } from './kafka-committer.js';
import { type KafkaSecurity, kafkaClientBase } from './kafka-security.js';
import { Gate } from './kafka-util.js';
import { KeyLanes } from './key-lanes.js';
import { PartitionTracker } from './offset-tracker.js';
import type { BusMessage, Handler, PublishOptions, Subscription } from './types.js';

type KafkaMessage = Message<string, Buffer, string, string>;
type KafkaConsumer = Consumer<string, Buffer, string, string>;
/** Leader epoch of the last handled record: OffsetCommit carries it (KIP-320). */
type Tracker = PartitionTracker<number>;

export interface KafkaSubscriptionOptions {
  brokers: string[];
  clientId: string;
  /** SASL and TLS, as the bus's own clients use them. */
  security?: KafkaSecurity;
  topic: string;
  group: string;
  start: 'earliest' | 'latest';
  maxAttempts: number;
  maxInFlight: number;
  handler: Handler;
  publish: (topic: string, value: Uint8Array, options: PublishOptions) => Promise<void>;
  logger: Logger;
  onClosed: () => void;
  /** Seam for unit tests (a fake group member); the real client otherwise. */
  createConsumer?: (options: ConsumerOptions<string, Buffer, string, string>) => KafkaConsumer;
}

/** JoinGroup user data: we use the hook for its timing only. */
const NO_USER_DATA = Buffer.alloc(0);
/** How long a rebalance or close waits for commits; past it the cost is redelivery, not loss. */
const COMMIT_FLUSH_MS = 5_000;
const EMPTY = new Uint8Array(0);

/**
 * One subscription: its own consumer-group member, so `close()` leaves the group for this
 * subscription alone. Keys run in parallel lanes (per-key order; a key lives on one partition),
 * and each partition commits only the prefix of offsets whose handlers have all finished.
 */
export class KafkaSubscription implements Subscription {
  readonly #o: KafkaSubscriptionOptions;
  readonly #consumer: KafkaConsumer;
  #stream: MessagesStream<string, Buffer, string, string> | undefined;
  readonly #lanes = new KeyLanes();
  /** Closed from the start of a JoinGroup until its assignment arrives: no handler starts. */
  readonly #gate = new Gate();
  readonly #running = new Set<Promise<boolean>>();
  readonly #trackers = new Map<number, Tracker>();
  #assigned = new Set<number>();
  #memberId: string | null = null;
  readonly #committer: Committer<Tracker>;
  /** Messages taken from the stream and not finished: queued in a lane or running. */
  #queued = 0;
  #paused = false;
  #stopping = false;
  #closed: Promise<void> | undefined;
  #restarting = false;

  constructor(options: KafkaSubscriptionOptions) {
    this.#o = options;
    const create =
      options.createConsumer ?? ((o) => new Consumer<string, Buffer, string, string>(o));
    this.#consumer = create({
      ...kafkaClientBase(options.clientId, options.brokers, options.security ?? {}),
      groupId: options.group,
      autocommit: false,
      deserializers: {
        key: stringDeserializer,
        headerKey: stringDeserializer,
        headerValue: stringDeserializer,
      },
      // Short heartbeats so members notice a rebalance quickly. The client sends none while
      // #beforeJoin waits for handlers, so the session and rebalance timeouts bound that wait.
      // A short fetch wait keeps close() and rebalances prompt.
      sessionTimeout: 30_000,
      heartbeatInterval: 1_000,
      rebalanceTimeout: 60_000,
      maxWaitTime: 500,
      highWaterMark: Math.min(options.maxInFlight, 1024),
      protocolsMetadata: () => this.#beforeJoin(),
    });
    this.#committer = new Committer<Tracker>({
      commit: (offsets) => this.#consumer.commit({ offsets }),
      owns: (partition, tracker) => this.#trackers.get(partition) === tracker,
      onError: (err) => this.#o.logger.warn({ err, ...this.#where() }, 'kafka: commit failed'),
    });
    this.#consumer.on('consumer:group:join', (payload) => this.#afterJoin(payload));
    this.#consumer.on('error', (err) => this.#failed('consumer', err));
  }

  /** Joins the group; resolves once the starting offsets are known (so `latest` means "after this"). */
  async start(): Promise<void> {
    const stream = await this.#consumer.consume({
      topics: [this.#o.topic],
      // A known group resumes at its committed offsets; a new one starts where `start` says.
      mode: MessagesStreamModes.COMMITTED,
      fallbackMode:
        this.#o.start === 'latest'
          ? MessagesStreamFallbackModes.LATEST
          : MessagesStreamFallbackModes.EARLIEST,
      autocommit: false,
    });
    const ready = once(stream, 'offsets', { signal: AbortSignal.timeout(15_000) }).catch(() => {});
    this.#stream = stream;
    this.#paused = false;
    stream.on('data', (m) => this.#onData(m));
    stream.on('error', (err) => this.#failed('stream', err));
    await ready;
  }

  close(): Promise<void> {
    this.#closed ??= this.#shutdown();
    return this.#closed;
  }

  async #shutdown(): Promise<void> {
    this.#stopping = true;
    this.#stream?.pause();
    this.#gate.open(); // queued tasks wake, see #stopping, and leave their messages uncommitted
    await this.#settle();
    await this.#lanes.idle();
    await this.#flushCommits();
    this.#committer.stop();
    try {
      await this.#stream?.close();
      await this.#consumer.close(); // leaves the group, so the others take over at once
    } catch (err) {
      this.#o.logger.warn({ err, ...this.#where() }, 'kafka: unclean close');
      await this.#consumer.close(true).catch(() => {});
    }
    this.#o.onClosed();
  }

  /**
   * Runs before every JoinGroup. The group is eager (roundrobin): any partition may move once the
   * join completes. As Kafka's onPartitionsRevoked does, start nothing new, let running handlers
   * finish and commit what finished, so the next owner resumes exactly there. Queued messages
   * wait at the gate; #afterJoin lets them run if their partition stayed with this member.
   */
  async #beforeJoin(): Promise<Buffer> {
    this.#gate.close();
    await this.#settle();
    await this.#flushCommits();
    return NO_USER_DATA;
  }

  #afterJoin(payload: ConsumerGroupJoinPayload): void {
    const assignments = payload.assignments ?? this.#consumer.assignments ?? [];
    this.#assigned = new Set(assignments.find((a) => a.topic === this.#o.topic)?.partitions ?? []);
    // A new member id means this member was out of the group for a while and others may have
    // handled its partitions meanwhile: restart every partition from the committed offsets.
    if (payload.memberId !== this.#memberId) this.#trackers.clear();
    this.#memberId = payload.memberId;
    for (const p of [...this.#trackers.keys()])
      if (!this.#assigned.has(p)) this.#trackers.delete(p);
    this.#committer.prune();
    // Where this member has no record (a partition new to it), reading must start at the group's
    // committed offset, not where this stream last read it in an earlier generation.
    const positions = this.#stream?.offsetsToFetch;
    for (const p of this.#assigned)
      if (!this.#trackers.has(p)) positions?.delete(`${this.#o.topic}:${p}`);
    this.#gate.open();
  }

  #onData(m: KafkaMessage): void {
    // A fetch answered after a rebalance can carry partitions this member no longer owns.
    if (this.#stopping || m.topic !== this.#o.topic || !this.#assigned.has(m.partition)) return;
    let tracker = this.#trackers.get(m.partition);
    if (tracker === undefined) {
      tracker = new PartitionTracker();
      this.#trackers.set(m.partition, tracker);
    }
    if (!tracker.accept(m.offset, m.leaderEpoch)) return; // refetched after a rebalance: already here
    const message: BusMessage = {
      topic: m.topic,
      key: m.key ?? '',
      value: m.value ?? EMPTY,
      headers: Object.fromEntries(m.headers),
      offset: `${m.partition}:${m.offset}`,
      timestamp: Number(m.timestamp),
      attempt: 1,
    };
    this.#queued++;
    if (this.#queued >= this.#o.maxInFlight && !this.#paused) {
      this.#paused = true;
      this.#stream?.pause();
    }
    const owner = tracker;
    this.#lanes
      .run(message.key, (release) => this.#handle(message, m.partition, m.offset, owner, release))
      .catch((err) =>
        this.#o.logger.error({ err, topic: this.#o.topic }, 'kafka: handler task failed'),
      );
  }

  async #handle(
    m: BusMessage,
    partition: number,
    offset: bigint,
    tracker: Tracker,
    release: () => void,
  ): Promise<void> {
    try {
      for (let wait = this.#gate.closed; wait !== undefined; wait = this.#gate.closed) await wait;
      // No await between this check and registering the run: a JoinGroup starting now must see it.
      if (this.#stopping || this.#trackers.get(partition) !== tracker) return;
      // The run includes recording the commit point, so a JoinGroup that waited for it commits it.
      const run = this.#deliver(m, release).then(
        (ok) => ok && this.#completed(partition, offset, tracker),
      );
      this.#running.add(run);
      await run.finally(() => this.#running.delete(run));
    } finally {
      this.#queued--;
      if (this.#paused && !this.#stopping && this.#queued < this.#o.maxInFlight) {
        this.#paused = false;
        this.#stream?.resume();
      }
    }
  }

  /** Handler with retries and dead-lettering; false if it must stay unacknowledged. */
  async #deliver(message: BusMessage, release: () => void): Promise<boolean> {
    const { group, maxAttempts, publish } = this.#o;
    for (;;) {
      try {
        await deliver(message, this.#o.handler, { group, maxAttempts, publish, release });
        return true;
      } catch (err) {
        // The dead letter was not accepted. Committing past the message would lose it, and later
        // offsets of this partition cannot commit before it: try again, as the memory bus does.
        this.#o.logger.warn(
          { err, topic: message.topic, offset: message.offset },
          'kafka: dead letter failed',
        );
        if (this.#stopping) return false;
        await sleep(1_000);
      }
    }
  }

  #completed(partition: number, offset: bigint, tracker: Tracker): boolean {
    if (this.#trackers.get(partition) !== tracker) return false;
    const point = tracker.complete(offset);
    if (point === undefined) return false;
    const commit = {
      topic: this.#o.topic,
      partition,
      offset: point.offset,
      leaderEpoch: point.meta,
    };
    this.#committer.set(commit, tracker);
    return true;
  }

  async #flushCommits(): Promise<void> {
    if (!(await this.#committer.flush(COMMIT_FLUSH_MS))) {
      this.#o.logger.warn(this.#where(), 'kafka: offsets left uncommitted, to be redelivered');
    }
  }

  #where() {
    return { topic: this.#o.topic, group: this.#o.group };
  }

  async #settle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  /** The client gave up (a rejoin or fetch failed for good): start a fresh stream, with backoff. */
  #failed(source: string, err: Error): void {
    if (this.#stopping) return;
    this.#o.logger.error({ err, ...this.#where() }, `kafka: ${source} failed`);
    if (this.#restarting) return;
    this.#restarting = true;
    void (async () => {
      for (let delay = 500; !this.#stopping; delay = Math.min(delay * 2, 10_000)) {
        await sleep(delay);
        try {
          await this.#stream?.close();
          if (!this.#stopping) await this.start();
          break;
        } catch (e) {
          this.#o.logger.warn({ err: e, topic: this.#o.topic }, 'kafka: restart failed');
        }
      }
      this.#restarting = false;
    })();
  }
}
