import { LandfallError } from '../errors.js';
import { deliver, sleep } from './delivery.js';
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
  /** Messages kept per partition once every group has passed them (for new `earliest` groups). */
  retainPerPartition?: number;
  maxAttempts?: number;
}

interface Member {
  handler: Handler;
  maxAttempts: number;
  inFlight: Set<Promise<void>>;
}

class Partition {
  log: BusMessage[] = [];
  /** Offset of log[0]. */
  base = 0;
  #wake: Array<() => void> = [];

  get end(): number {
    return this.base + this.log.length;
  }

  append(message: BusMessage): void {
    this.log.push(message);
    for (const wake of this.#wake.splice(0)) wake();
  }

  changed(): Promise<void> {
    return new Promise((resolve) => this.#wake.push(resolve));
  }

  notify(): void {
    for (const wake of this.#wake.splice(0)) wake();
  }
}

/** One consumer group on one topic: a serial loop per partition, members take turns by partition. */
class Group {
  readonly members: Member[] = [];
  readonly cursors: number[];
  #loops: Promise<void>[] = [];
  #stopped = false;

  constructor(
    readonly name: string,
    readonly topic: MemoryTopic,
    start: 'earliest' | 'latest',
    readonly publish: Bus['publish'],
  ) {
    this.cursors = topic.partitions.map((p) => (start === 'earliest' ? p.base : p.end));
    this.#loops = topic.partitions.map((_, i) => this.#loop(i));
  }

  async #loop(index: number): Promise<void> {
    const partition = this.topic.partitions[index] as Partition;
    while (!this.#stopped) {
      const cursor = this.cursors[index] as number;
      const member =
        this.members.length > 0 ? this.members[index % this.members.length] : undefined;
      if (cursor >= partition.end || member === undefined) {
        await partition.changed();
        continue;
      }
      const message = partition.log[cursor - partition.base] as BusMessage;
      const run = deliver(message, member.handler, {
        group: this.name,
        maxAttempts: member.maxAttempts,
        publish: this.publish,
      });
      member.inFlight.add(run);
      try {
        await run;
        this.cursors[index] = cursor + 1;
        this.topic.trim(index);
      } catch {
        // The dead letter could not be published: keep the cursor, try again shortly.
        await sleep(50);
      } finally {
        member.inFlight.delete(run);
      }
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const p of this.topic.partitions) p.notify();
    await Promise.all(this.#loops);
  }
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
    for (const g of this.groups.values()) slowest = Math.min(slowest, g.cursors[index] as number);
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
  #closed = false;

  constructor(options: MemoryBusOptions = {}) {
    this.#partitions = options.partitions ?? 8;
    this.#retain = options.retainPerPartition ?? 10_000;
    this.#maxAttempts = options.maxAttempts ?? 5;
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
    if (this.#closed)
      throw new LandfallError('LF_BUS_CLOSED', `bus is closed; cannot publish to ${topic}`);
    const t = this.#topic(topic);
    const index = partitionOf(options.key, this.#partitions);
    const partition = t.partitions[index] as Partition;
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
    if (this.#closed)
      throw new LandfallError('LF_BUS_CLOSED', `bus is closed; cannot subscribe to ${topic}`);
    const t = this.#topic(topic);
    let group = t.groups.get(options.group);
    if (!group) {
      group = new Group(options.group, t, options.start ?? 'earliest', (tp, v, o) =>
        this.publish(tp, v, o),
      );
      t.groups.set(options.group, group);
    }
    const member: Member = {
      handler,
      maxAttempts: options.maxAttempts ?? this.#maxAttempts,
      inFlight: new Set(),
    };
    group.members.push(member);
    for (const p of t.partitions) p.notify();
    const owner = group;
    let closed = false;
    return {
      close: async () => {
        if (closed) return;
        closed = true;
        owner.members.splice(owner.members.indexOf(member), 1);
        await Promise.allSettled([...member.inFlight]);
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
