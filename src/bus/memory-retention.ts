import type { Logger } from '../log.js';
import type { Partition } from './memory-group.js';
import type { BusMessage } from './types.js';

/** The object, its strings and its header record, beyond the payload bytes (measured roughly). */
const MESSAGE_OVERHEAD = 256;

/** What a retained message costs in memory, roughly: payload, strings, headers, object. */
export function messageBytes(m: BusMessage): number {
  let n = MESSAGE_OVERHEAD + m.value.byteLength + 2 * (m.key.length + m.offset.length);
  for (const k in m.headers) n += 2 * (k.length + (m.headers[k]?.length ?? 0)) + 32;
  return n;
}

/** One partition and the offset below which every group has acknowledged it. */
export interface RetainedPartition {
  partition: Partition;
  /** Messages before this offset are acknowledged by every group (all of them if none reads). */
  acknowledgedBefore: number;
}

export interface RetentionStats {
  /** Estimated bytes of every message the bus keeps, acknowledged or not. */
  bytes: number;
  /** The configured bound (`bus.memory.retentionBytes`). */
  bound: number;
  /** Times the bound could not be kept because groups had not acknowledged enough. */
  overBound: number;
}

/**
 * Keeps the memory bus's retained messages under a byte bound: when over it, drops the oldest
 * messages every group has acknowledged, down to 3/4 of the bound (so trimming is not paid on
 * every publish). Messages a group still needs are never dropped — the bus never loses what a
 * consumer has not handled; when they alone exceed the bound it says so (a warning, once per
 * crossing) and the count `overBound` grows: a consumer is stuck or far too slow.
 */
export class Retention {
  #bytes = 0;
  #overBound = 0;
  #warned = false;

  constructor(
    readonly bound: number,
    readonly logger: () => Logger,
  ) {}

  get bytes(): number {
    return this.#bytes;
  }

  stats(): RetentionStats {
    return { bytes: this.#bytes, bound: this.bound, overBound: this.#overBound };
  }

  added(message: BusMessage): void {
    this.#bytes += messageBytes(message);
  }

  get over(): boolean {
    return this.#bytes > this.bound;
  }

  trim(partitions: Iterable<RetainedPartition>): void {
    if (!this.over) return;
    const target = this.bound * 0.75;
    const heads: Array<RetainedPartition & { at: number }> = [];
    for (const r of partitions) {
      if (r.acknowledgedBefore > r.partition.base) heads.push({ ...r, at: r.partition.base });
    }
    const touched = new Set(heads);
    // Oldest first across partitions: the head whose next message was published earliest.
    while (this.#bytes > target && heads.length > 0) {
      let pick = 0;
      let oldest = Number.POSITIVE_INFINITY;
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i] as (typeof heads)[number];
        const t = (h.partition.at(h.at) as BusMessage).timestamp;
        if (t < oldest) {
          oldest = t;
          pick = i;
        }
      }
      const h = heads[pick] as (typeof heads)[number];
      this.#bytes -= messageBytes(h.partition.at(h.at) as BusMessage);
      if (++h.at >= h.acknowledgedBefore) heads.splice(pick, 1);
    }
    for (const h of touched) h.partition.dropBefore(h.at);
    if (!this.over) {
      this.#warned = false;
      return;
    }
    this.#overBound++;
    if (this.#warned) return;
    this.#warned = true;
    this.logger().warn(
      { retainedBytes: this.#bytes, retentionBytes: this.bound },
      'memory bus: messages not yet acknowledged exceed bus.memory.retentionBytes; kept (never ' +
        'dropped unhandled): a consumer is stuck or too slow — check its handler and maxInFlight',
    );
  }
}
