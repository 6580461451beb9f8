import { createLogger, type Logger } from '../log.js';
import { assertOpen } from './closed.js';
import { Group, type Member, Partition } from './memory-group.js';
import { type RetainedPartition, Retention, type RetentionStats } from './memory-retention.js';
import type {
  Bus,
  BusHealth,
  Handler,
  PublishOptions,
  SubscribeOptions,
  Subscription,
} from './types.js';

export interface MemoryBusOptions {
  /** Partitions per topic: keys hash to one, each is handled in order. Default 8. */
  partitions?: number;
  /**
   * Bytes (estimated) of messages kept, over all topics: beyond it the oldest messages every
   * group has acknowledged are dropped (`bus.memory.retentionBytes`). What is left serves new
   * `earliest` groups. Messages a group still needs are never dropped. Default 64 MiB.
   */
  retentionBytes?: number;
  /** Where the over-bound warning goes; a stderr logger by default. */
  logger?: Logger;
  maxAttempts?: number;
  /** Default for subscriptions: messages a member holds unacknowledged. */
  maxInFlight?: number;
}

class MemoryTopic {
  readonly partitions: Partition[];
  readonly groups = new Map<string, Group>();

  constructor(partitions: number) {
    this.partitions = Array.from({ length: partitions }, () => new Partition());
  }

  /** Each partition with the offset every group has acknowledged (its end when none reads). */
  *retained(): Generator<RetainedPartition> {
    for (const [index, partition] of this.partitions.entries()) {
      let acknowledgedBefore = partition.end;
      for (const g of this.groups.values()) {
        acknowledgedBefore = Math.min(acknowledgedBefore, g.committed(index));
      }
      yield { partition, acknowledgedBefore };
    }
  }
}

/** FNV-1a, so a key always lands on the same partition. */
export function partitionOf(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

/** The embedded bus: a full peer of the server adapters, in one process, with no server. */
export class MemoryBus implements Bus {
  readonly kind = 'memory' as const;
  readonly #topics = new Map<string, MemoryTopic>();
  readonly #partitions: number;
  readonly #retention: Retention;
  #trimScheduled = false;
  /** The last trim could not get under the bound: only an acknowledgement can change that. */
  #stuck = false;
  readonly #maxAttempts: number;
  readonly #maxInFlight: number;
  #closed = false;

  constructor(options: MemoryBusOptions = {}) {
    this.#partitions = options.partitions ?? 8;
    let logger = options.logger;
    this.#retention = new Retention(
      options.retentionBytes ?? 64 * 1024 * 1024,
      () => (logger ??= createLogger('info', 'memory-bus')),
    );
    this.#maxAttempts = options.maxAttempts ?? 5;
    this.#maxInFlight = options.maxInFlight ?? 1024;
  }

  #topic(name: string): MemoryTopic {
    let topic = this.#topics.get(name);
    if (!topic) {
      topic = new MemoryTopic(this.#partitions);
      this.#topics.set(name, topic);
    }
    return topic;
  }

  async publish(topic: string, value: Uint8Array, options: PublishOptions): Promise<void> {
    assertOpen(this.#closed, 'publish to', topic);
    const t = this.#topic(topic);
    const index = partitionOf(options.key, this.#partitions);
    const partition = t.partitions[index] as Partition;
    const message = {
      topic,
      key: options.key,
      value: value.slice(),
      headers: { ...options.headers },
      offset: `${index}:${partition.end}`,
      timestamp: Date.now(),
      attempt: 1,
    };
    this.#retention.added(message);
    partition.append(message);
    this.#trimSoon();
  }

  /** Retained bytes against the bound (`bus.memory.retentionBytes`). */
  retention(): RetentionStats {
    return this.#retention.stats();
  }

  /**
   * Trims once per macrotask at most, after publishes or acknowledgements: a burst of either
   * costs one pass, and acknowledgements alone (no further publish) still release memory. A
   * burst that never yields to the event loop is trimmed at once past twice the bound, unless
   * the last pass found nothing acknowledged to drop (then it waits for an acknowledgement).
   */
  #trimSoon(): void {
    if (!this.#retention.over) return;
    if (!this.#stuck && this.#retention.bytes > 2 * this.#retention.bound) {
      this.#trimNow();
      return;
    }
    if (this.#trimScheduled) return;
    this.#trimScheduled = true;
    setImmediate(() => {
      this.#trimScheduled = false;
      this.#trimNow();
    });
  }

  #trimNow(): void {
    this.#retention.trim([...this.#topics.values()].flatMap((t) => [...t.retained()]));
    this.#stuck = this.#retention.over;
  }

  #acknowledged(): void {
    this.#stuck = false;
    this.#trimSoon();
  }

  async subscribe(
    topic: string,
    handler: Handler,
    options: SubscribeOptions,
  ): Promise<Subscription> {
    assertOpen(this.#closed, 'subscribe to', topic);
    const t = this.#topic(topic);
    let group = t.groups.get(options.group);
    if (!group) {
      group = new Group(
        options.group,
        t.partitions,
        options.start ?? 'earliest',
        (tp, v, o) => this.publish(tp, v, o),
        () => this.#acknowledged(),
      );
      t.groups.set(options.group, group);
    }
    const member: Member = {
      handler,
      maxAttempts: options.maxAttempts ?? this.#maxAttempts,
      maxInFlight: options.maxInFlight ?? this.#maxInFlight,
      inFlight: new Set(),
    };
    group.join(member);
    const owner = group;
    let closed = false;
    return {
      close: async () => {
        if (closed) return;
        closed = true;
        await owner.leave(member);
        // A transient group's positions go with its last member (the Bus rule).
        if (options.transient && owner.members.length === 0 && t.groups.get(owner.name) === owner) {
          t.groups.delete(owner.name);
          await owner.stop();
        }
      },
    };
  }

  async health(): Promise<BusHealth> {
    return {
      ok: !this.#closed,
      detail: this.#closed ? 'closed' : `${this.#topics.size} topics in memory`,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(
      [...this.#topics.values()].flatMap((t) => [...t.groups.values()].map((g) => g.stop())),
    );
  }
}
