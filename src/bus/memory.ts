import { assertOpen } from './closed.js';
import { Group, type Member, Partition } from './memory-group.js';
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
   * Messages a partition keeps beyond what every group still needs, for new `earliest` groups.
   * A topic no group reads keeps only its newest messages: count retention, as on a broker.
   * Default 10,000.
   */
  retainPerPartition?: number;
  maxAttempts?: number;
  /** Default for subscriptions: messages a member holds unacknowledged. */
  maxInFlight?: number;
}

class MemoryTopic {
  readonly partitions: Partition[];
  readonly groups = new Map<string, Group>();

  constructor(
    partitions: number,
    readonly retain: number,
  ) {
    this.partitions = Array.from({ length: partitions }, () => new Partition());
  }

  trim(index: number): void {
    const partition = this.partitions[index] as Partition;
    if (partition.log.length <= this.retain * 2) return;
    let slowest = partition.end;
    for (const g of this.groups.values()) slowest = Math.min(slowest, g.committed(index));
    const drop = Math.min(slowest - partition.base, partition.log.length - this.retain);
    if (drop <= 0) return;
    partition.log.splice(0, drop);
    partition.base += drop;
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
  readonly #retain: number;
  readonly #maxAttempts: number;
  readonly #maxInFlight: number;
  #closed = false;

  constructor(options: MemoryBusOptions = {}) {
    this.#partitions = options.partitions ?? 8;
    this.#retain = options.retainPerPartition ?? 10_000;
    this.#maxAttempts = options.maxAttempts ?? 5;
    this.#maxInFlight = options.maxInFlight ?? 1024;
  }

  #topic(name: string): MemoryTopic {
    let topic = this.#topics.get(name);
    if (!topic) {
      topic = new MemoryTopic(this.#partitions, this.#retain);
      this.#topics.set(name, topic);
    }
    return topic;
  }

  async publish(topic: string, value: Uint8Array, options: PublishOptions): Promise<void> {
    assertOpen(this.#closed, 'publish to', topic);
    const t = this.#topic(topic);
    const index = partitionOf(options.key, this.#partitions);
    const partition = t.partitions[index] as Partition;
    t.trim(index);
    partition.append({
      topic,
      key: options.key,
      value: value.slice(),
      headers: { ...options.headers },
      offset: `${index}:${partition.end}`,
      timestamp: Date.now(),
      attempt: 1,
    });
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
      group = new Group(options.group, t.partitions, options.start ?? 'earliest', (tp, v, o) =>
        this.publish(tp, v, o),
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
