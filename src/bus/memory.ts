import { createLogger, type Logger } from '../log.js';
import { assertOpen } from './closed.js';
import { Group, type Member, Partition } from './memory-group.js';
import { type RetainedPartition, Retention, type RetentionStats } from './memory-retention.js';
import type {
  Bus,
  BusHealth,
  BusMessage,
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

  /**
   * One slab per partition: a partition's chunks then hold only its own messages, so what a
   * group stuck on it pins is what retention counts (one partly used chunk aside), not the
   * traffic of every topic that shared the chunk.
   */
  readonly slabs: Slab[];

  constructor(partitions: number) {
    this.partitions = Array.from({ length: partitions }, () => new Partition());
    this.slabs = Array.from({ length: partitions }, () => new Slab());
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

/** Acknowledgements a stuck bus waits for before it trims again within the same macrotask. */
const TRIM_CHUNK = 1024;
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
const PUBLISHED = Promise.resolve();

/**
 * Copies small payloads into shared chunks: one ArrayBuffer per small payload was most of the
 * publish cost and much of the garbage. A chunk lives while any payload in it is referenced
 * (retention drops a partition's messages oldest first, and each partition has its own slab, so
 * chunks are freed in order); chunks are small so
 * that a consumer keeping one payload, or a decoded `bytes` field (a view into it), for long
 * pins 16 KiB at most. A consumer sees a view (byteOffset may be non-zero, `.buffer` is the
 * chunk), as with any Uint8Array it did not make.
 */
class Slab {
  static readonly SIZE = 16 * 1024;
  /** Payloads larger than this get their own buffer. */
  static readonly LARGE = 2 * 1024;
  #chunk = new Uint8Array(0);
  #used = 0;

  copy(value: Uint8Array): Uint8Array {
    const n = value.byteLength;
    if (n > Slab.LARGE) return value.slice();
    if (this.#used + n > this.#chunk.length) {
      this.#chunk = new Uint8Array(Slab.SIZE);
      this.#used = 0;
    }
    const view = this.#chunk.subarray(this.#used, this.#used + n);
    view.set(value);
    // Keeps views aligned to 8 bytes, so a consumer may read 64-bit words from them.
    this.#used += (n + 7) & ~7;
    return view;
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
  /** Acknowledgements since the last pass that left the bus stuck. */
  #acksWhileStuck = 0;
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

  publish(topic: string, value: Uint8Array, options: PublishOptions): Promise<void> {
    try {
      assertOpen(this.#closed, 'publish to', topic);
    } catch (err) {
      return Promise.reject(err);
    }
    const t = this.#topic(topic);
    const index = partitionOf(options.key, this.#partitions);
    const partition = t.partitions[index] as Partition;
    const message: BusMessage = {
      topic,
      key: options.key,
      value: (t.slabs[index] as Slab).copy(value),
      headers: options.headers === undefined ? NO_HEADERS : { ...options.headers },
      offset: `${index}:${partition.end}`,
      timestamp: Date.now(),
      attempt: 1,
    };
    this.#retention.added(message);
    partition.append(message);
    this.#trimSoon();
    return PUBLISHED;
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
    // Stuck behind a lagging group: each acknowledgement frees one message at most, so a pass
    // per acknowledgement would cost the whole set of partitions per message. Trim again at
    // once only after a chunk of them, else on the next macrotask.
    if (
      this.#stuck &&
      this.#acksWhileStuck >= TRIM_CHUNK &&
      this.#retention.bytes > 2 * this.#retention.bound
    ) {
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
    this.#acksWhileStuck = 0;
  }

  #acknowledged(): void {
    if (!this.#retention.over) return;
    this.#acksWhileStuck++;
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
      inFlight: 0,
      drained: [],
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
