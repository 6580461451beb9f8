import { cpLivePool, type LivePool } from '../live-pool.js';
import type { RaydiumCpPool } from '../raydium-cp-pool.js';
import type { PoolDirectory } from '../watched-pools.js';

/**
 * The pools as each recent streamed swap leaves them, by the swap's signature: what a backrun
 * naming that swap is priced against (`PipelineOptions.poolsAfter`). Each state was computed on
 * the book's view at some slot; once the book has moved past that slot, the swap is in the book
 * (or the pool has moved on without it), and the book answers instead, so the swap is never
 * applied twice. The newest `capacity` swaps are kept.
 */
interface Entry {
  /** performance.now() when the stream delivered the swap. */
  readonly mark: number;
  /** The slot the stream saw the swap in. */
  readonly slot: number;
  readonly pools: ReadonlyMap<string, RaydiumCpPool>;
  /** Pools of other venues, as the swap leaves them. */
  readonly live: ReadonlyMap<string, LivePool>;
  /** The book's view slot of each pool when its state was computed. */
  readonly basedOn: ReadonlyMap<string, number>;
}

export class PendingStates {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly book: Pick<PoolDirectory, 'pool'> &
      Partial<Pick<PoolDirectory, 'livePool'>> & {
        viewSlot(id: string): number | undefined;
      },
    private readonly capacity: number,
  ) {}

  record(
    signature: string,
    target: { readonly mark: number; readonly slot: number },
    pools: ReadonlyMap<string, RaydiumCpPool>,
    basedOn: ReadonlyMap<string, number>,
    live: ReadonlyMap<string, LivePool> = new Map(),
  ): void {
    this.entries.set(signature, { mark: target.mark, slot: target.slot, pools, live, basedOn });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** When the stream delivered `signature` (performance.now()), if it is held. */
  markOf(signature: string): number | undefined {
    return this.entries.get(signature)?.mark;
  }

  /** The slot the stream saw `signature` in, if it is held. */
  slotOf(signature: string): number | undefined {
    return this.entries.get(signature)?.slot;
  }

  /** A directory of the pools as `signature` leaves them; undefined when it is not held. */
  after(signature: string): Pick<PoolDirectory, 'pool' | 'livePool'> | undefined {
    const entry = this.entries.get(signature);
    if (entry === undefined) return undefined;
    const current = (id: string): boolean => {
      const based = entry.basedOn.get(id);
      const now = this.book.viewSlot(id);
      return based !== undefined && (now === undefined || now <= based);
    };
    const moved = (id: string): RaydiumCpPool | undefined => {
      const after = entry.pools.get(id);
      return after !== undefined && current(id) ? after : undefined;
    };
    return {
      pool: (id) => moved(id) ?? this.book.pool(id),
      livePool: (id) => {
        const after = moved(id);
        if (after !== undefined) return cpLivePool(after);
        const live = entry.live.get(id);
        return live !== undefined && current(id) ? live : this.book.livePool?.(id);
      },
    };
  }
}
