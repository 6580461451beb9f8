import { deliver, sleep } from './delivery.js';
import { KeyLanes, type LaneTicket } from './key-lanes.js';
import type { Bus, BusMessage, Handler } from './types.js';

export interface Member {
  handler: Handler;
  maxAttempts: number;
  maxInFlight: number;
  /** Messages handed to this member and not yet handled. */
  inFlight: number;
  /** Woken when inFlight drops to 0. */
  drained: Array<() => void>;
}

/** Resolves once the member holds no message. */
function drained(member: Member): Promise<void> {
  if (member.inFlight === 0) return Promise.resolve();
  return new Promise((resolve) => member.drained.push(resolve));
}

/**
 * An append-only log with listeners: one partition of a topic. Dropped messages are cut off
 * the front in amortised chunks (a head index), so trimming behind a long log is not a copy of
 * the whole log each time.
 */
export class Partition {
  #log: Array<BusMessage | undefined> = [];
  /** Index in #log of offset `base`. */
  #head = 0;
  /** Offset of the oldest message kept. */
  base = 0;
  readonly #listeners: Array<() => void> = [];

  get end(): number {
    return this.base + this.#log.length - this.#head;
  }

  /** The message at `offset`, if kept. */
  at(offset: number): BusMessage | undefined {
    return offset < this.base ? undefined : this.#log[this.#head + offset - this.base];
  }

  append(message: BusMessage): void {
    this.#log.push(message);
    this.notify();
  }

  /**
   * Forgets messages before `offset`. The array is copied only once the dropped prefix is most
   * of it, into a fresh array, so the old backing store (sized for the burst) can be freed.
   */
  dropBefore(offset: number): void {
    const n = Math.min(offset, this.end) - this.base;
    if (n <= 0) return;
    for (let i = 0; i < n; i++) this.#log[this.#head + i] = undefined;
    this.#head += n;
    this.base += n;
    if (this.#head >= 1024 && this.#head * 2 >= this.#log.length) {
      this.#log = this.#log.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Calls `listener` (synchronously: it should only schedule work) on every append. */
  listen(listener: () => void): void {
    this.#listeners.push(listener);
  }

  unlisten(listener: () => void): void {
    const at = this.#listeners.indexOf(listener);
    if (at >= 0) this.#listeners.splice(at, 1);
  }

  notify(): void {
    for (const listener of this.#listeners) listener();
  }
}

/** Per partition: where the group has committed to, what it has handed out, what finished early. */
interface Position {
  committed: number;
  next: number;
  done: Set<number>;
  lanes: KeyLanes;
  /** A pump of this partition is queued (one microtask per burst, not per message). */
  scheduled: boolean;
  readonly pump: () => void;
}

/**
 * One consumer group on one topic. Each partition belongs to one member at a time (partition
 * index modulo members); up to `maxInFlight` of a member's messages run at once, one at a time
 * per key — the key lanes belong to the partition, so order per key holds even while members
 * come and go. The committed position moves only over a contiguous handled prefix.
 * A partition is pumped from a microtask queued by its appends and by room freeing up, never
 * from inside a publish: a publisher never runs a consumer's handler on its own stack.
 */
export class Group {
  readonly members: Member[] = [];
  readonly #positions: Position[];
  /** Per position, what its partition calls on append: queues one pump. */
  readonly #wakers = new Map<Position, () => void>();
  #stopped = false;

  constructor(
    readonly name: string,
    readonly partitions: readonly Partition[],
    start: 'earliest' | 'latest',
    readonly publish: Bus['publish'],
    /** Called when the group's committed position moves (retention may drop what it passed). */
    readonly onCommit: () => void = () => {},
  ) {
    this.#positions = partitions.map((p, i) => {
      const at = start === 'earliest' ? p.base : p.end;
      const position: Position = {
        committed: at,
        next: at,
        done: new Set(),
        lanes: new KeyLanes(),
        scheduled: false,
        pump: () => {
          position.scheduled = false;
          this.#pump(i);
        },
      };
      p.listen(this.#wakeOne(position));
      return position;
    });
  }

  #wakeOne(position: Position): () => void {
    const wake = () => {
      if (position.scheduled || this.#stopped) return;
      position.scheduled = true;
      queueMicrotask(position.pump);
    };
    this.#wakers.set(position, wake);
    return wake;
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
    await drained(member);
    this.#wakeAll();
  }

  #pump(index: number): void {
    if (this.#stopped) return;
    const partition = this.partitions[index] as Partition;
    const pos = this.#positions[index] as Position;
    while (pos.next < partition.end) {
      const member =
        this.members.length > 0 ? this.members[index % this.members.length] : undefined;
      // Woken again by a join, or when the member has room (#finished).
      if (!member || member.inFlight >= member.maxInFlight) return;
      const offset = pos.next++;
      const message = partition.at(offset) as BusMessage;
      member.inFlight++;
      pos.lanes.submit(
        message.key,
        (ticket) => this.#handle(member, message, ticket),
        () => this.#finished(pos, member, offset),
      );
    }
  }

  #finished(pos: Position, member: Member, offset: number): void {
    const wasFull = member.inFlight >= member.maxInFlight;
    member.inFlight--;
    if (member.inFlight === 0) for (const wake of member.drained.splice(0)) wake();
    this.#complete(pos, offset);
    // A full member blocks its other partitions too: wake them all when it has room again.
    if (wasFull) this.#wakeAll();
  }

  /**
   * Delivers until handled or dead-lettered; a dead letter that cannot be published is retried.
   * The first attempt calls the handler directly (the common case, without deliver's setup);
   * a failure goes through deliver's retries and dead letter from the second attempt on.
   */
  async #handle(member: Member, message: BusMessage, ticket: LaneTicket): Promise<void> {
    let failed: { error: unknown } | undefined;
    try {
      await member.handler(message, ticket);
      return;
    } catch (error) {
      failed = { error };
    }
    for (;;) {
      try {
        await deliver(message, member.handler, {
          delivery: ticket,
          group: this.name,
          maxAttempts: member.maxAttempts,
          publish: this.publish,
          ...(failed ? { failedOnce: failed } : {}),
        });
        return;
      } catch {
        if (this.#stopped) return;
        failed = undefined;
        await sleep(50);
      }
    }
  }

  #complete(pos: Position, offset: number): void {
    if (offset !== pos.committed) {
      pos.done.add(offset);
      return;
    }
    pos.committed++;
    while (pos.done.delete(pos.committed)) pos.committed++;
    this.onCommit();
  }

  #wakeAll(): void {
    for (const wake of this.#wakers.values()) wake();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const [i, p] of this.partitions.entries()) {
      p.unlisten(this.#wakers.get(this.#positions[i] as Position) as () => void);
    }
    await Promise.all(this.members.map((m) => drained(m)));
  }
}
