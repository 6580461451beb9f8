import { deliver, sleep } from './delivery.js';
import { KeyLanes } from './key-lanes.js';
import type { Bus, BusMessage, Handler } from './types.js';

export interface Member {
  handler: Handler;
  maxAttempts: number;
  maxInFlight: number;
  /** Messages handed to this member and not yet handled. */
  inFlight: Set<Promise<void>>;
}

/** An append-only log with waiters: one partition of a topic. */
export class Partition {
  log: BusMessage[] = [];
  /** Offset of log[0]. */
  base = 0;
  #wake: Array<() => void> = [];

  get end(): number {
    return this.base + this.log.length;
  }

  append(message: BusMessage): void {
    this.log.push(message);
    this.notify();
  }

  /**
   * Forgets messages before `offset`. Copies what is left into a fresh array rather than
   * splicing in place, so the old backing store (sized for the burst) can be freed.
   */
  dropBefore(offset: number): void {
    const n = offset - this.base;
    if (n <= 0) return;
    this.log = this.log.slice(n);
    this.base = offset;
  }

  changed(): Promise<void> {
    return new Promise((resolve) => this.#wake.push(resolve));
  }

  notify(): void {
    for (const wake of this.#wake.splice(0)) wake();
  }
}

/** Per partition: where the group has committed to, what it has handed out, what finished early. */
interface Position {
  committed: number;
  next: number;
  done: Set<number>;
  lanes: KeyLanes;
}

/**
 * One consumer group on one topic. Each partition belongs to one member at a time (partition
 * index modulo members); up to `maxInFlight` of a member's messages run at once, one at a time
 * per key — the key lanes belong to the partition, so order per key holds even while members
 * come and go. The committed position moves only over a contiguous handled prefix.
 */
export class Group {
  readonly members: Member[] = [];
  readonly #positions: Position[];
  readonly #loops: Promise<void>[];
  #stopped = false;

  constructor(
    readonly name: string,
    readonly partitions: readonly Partition[],
    start: 'earliest' | 'latest',
    readonly publish: Bus['publish'],
    /** Called when the group's committed position moves (retention may drop what it passed). */
    readonly onCommit: () => void = () => {},
  ) {
    this.#positions = partitions.map((p) => {
      const at = start === 'earliest' ? p.base : p.end;
      return { committed: at, next: at, done: new Set(), lanes: new KeyLanes() };
    });
    this.#loops = partitions.map((_, i) => this.#loop(i));
  }

  /** The lowest offset this group may still need in partition `index` (for trimming). */
  committed(index: number): number {
    return (this.#positions[index] as Position).committed;
  }

  join(member: Member): void {
    this.members.push(member);
    this.#wakeAll();
  }

  async leave(member: Member): Promise<void> {
    const at = this.members.indexOf(member);
    if (at >= 0) this.members.splice(at, 1);
    await Promise.allSettled([...member.inFlight]);
    this.#wakeAll();
  }

  async #loop(index: number): Promise<void> {
    const partition = this.partitions[index] as Partition;
    const pos = this.#positions[index] as Position;
    while (!this.#stopped) {
      const member =
        this.members.length > 0 ? this.members[index % this.members.length] : undefined;
      if (pos.next >= partition.end || !member || member.inFlight.size >= member.maxInFlight) {
        await partition.changed();
        continue;
      }
      const offset = pos.next++;
      const message = partition.log[offset - partition.base] as BusMessage;
      const run = pos.lanes.run(message.key, (release) => this.#handle(member, message, release));
      member.inFlight.add(run);
      void run.finally(() => {
        const wasFull = member.inFlight.size >= member.maxInFlight;
        member.inFlight.delete(run);
        this.#complete(pos, offset);
        // A full member blocks its other partitions too: wake them all when it has room again.
        if (wasFull) this.#wakeAll();
        else partition.notify();
      });
    }
  }

  /** Delivers until handled or dead-lettered; a dead letter that cannot be published is retried. */
  async #handle(member: Member, message: BusMessage, release: () => void): Promise<void> {
    for (;;) {
      try {
        await deliver(message, member.handler, {
          release,
          group: this.name,
          maxAttempts: member.maxAttempts,
          publish: this.publish,
        });
        return;
      } catch {
        if (this.#stopped) return;
        await sleep(50);
      }
    }
  }

  #complete(pos: Position, offset: number): void {
    pos.done.add(offset);
    const before = pos.committed;
    while (pos.done.delete(pos.committed)) pos.committed++;
    if (pos.committed !== before) this.onCommit();
  }

  #wakeAll(): void {
    for (const p of this.partitions) p.notify();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wakeAll();
    await Promise.all(this.#loops);
    await Promise.allSettled(this.members.flatMap((m) => [...m.inFlight]));
  }
}
