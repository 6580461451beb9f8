import { getBase58Decoder } from '@solana/kit';
import type { PendingSwapEvent } from '../../market/types.js';
import { StageLatency } from '../latency.js';
import type { WatchedPools } from '../watched-pools.js';
import type { SubscribeUpdate, SubscribeUpdateDeshred } from './geyser-client.js';
import { PendingStates } from './pending-states.js';
import { pendingSwapEvents } from './pending-swaps.js';
import { RecentSignatures } from './recent-signatures.js';
import { decodeSwaps, type StreamedTransaction } from './swap-decode.js';

/**
 * Streamed transactions → the backrun's triggers: each transaction is taken once (a replay
 * repeats the slot it resumes from), a failed one moves nothing, and the swaps of one that
 * succeeded become pending-swap events priced on the book. The state each leaves is kept by
 * signature (`pending`) for the pipeline to price its backrun on, with when the stream
 * delivered it, so every later stage can be timed from there.
 */
export type StreamedTransactionInfo = NonNullable<
  NonNullable<SubscribeUpdate['transaction']>['transaction']
>;

export type DeshredTransactionInfo = NonNullable<
  NonNullable<SubscribeUpdateDeshred['deshredTransaction']>['transaction']
>;

const base58 = getBase58Decoder();

export class SwapTriggers {
  readonly pending: PendingStates;
  readonly stats = { pendingSwaps: 0, deshredSwaps: 0, repeatedTransactions: 0 };
  private readonly seen = new RecentSignatures(4_096);

  constructor(
    private readonly book: WatchedPools,
    /** Stream → pending-swap event (the later trigger stages are the pipeline's); mev's only. */
    readonly latency: StageLatency = new StageLatency(),
  ) {
    this.pending = new PendingStates(book, 1_024);
  }

  /** A processed transaction; `mark`: performance.now() when the stream delivered it. */
  eventsOf(
    info: StreamedTransactionInfo,
    slot: number,
    receivedMs: number,
    mark: number,
  ): PendingSwapEvent[] {
    const signature = base58.decode(info.signature);
    if (!this.seen.add(signature)) {
      this.stats.repeatedTransactions++;
      return [];
    }
    const message = info.transaction?.message;
    if (message === undefined || info.meta?.err !== undefined) return [];
    return this.trigger(
      signature,
      {
        accountKeys: message.accountKeys,
        loadedWritable: info.meta?.loadedWritableAddresses ?? [],
        loadedReadonly: info.meta?.loadedReadonlyAddresses ?? [],
        instructions: message.instructions,
        ...(info.meta === undefined ? {} : { inner: info.meta.innerInstructions }),
      },
      { slot, receivedMs, mark },
    );
  }

  /**
   * A deshred transaction: not executed yet, so no meta — top-level instructions only, and no
   * error to skip it by (deshred-feed.ts says what that misses). It takes the signature only
   * when it triggers: one that moves nothing here (an aggregator's CPI swap) is still judged
   * when its processed copy brings the inner instructions.
   */
  eventsOfDeshred(
    info: DeshredTransactionInfo,
    slot: number,
    receivedMs: number,
    mark: number,
  ): PendingSwapEvent[] {
    const signature = base58.decode(info.signature);
    if (this.seen.has(signature)) {
      this.stats.repeatedTransactions++;
      return [];
    }
    const message = info.transaction?.message;
    if (message === undefined) return [];
    const events = this.trigger(
      signature,
      {
        accountKeys: message.accountKeys,
        loadedWritable: info.loadedWritableAddresses,
        loadedReadonly: info.loadedReadonlyAddresses,
        instructions: message.instructions,
      },
      { slot, receivedMs, mark },
    );
    if (events.length > 0) {
      this.seen.add(signature);
      this.stats.deshredSwaps += events.length;
    }
    return events;
  }

  private trigger(
    signature: string,
    tx: StreamedTransaction,
    at: { readonly slot: number; readonly receivedMs: number; readonly mark: number },
  ): PendingSwapEvent[] {
    const swaps = decodeSwaps(tx, (pool) => this.book.pool(pool)?.state);
    if (swaps.length === 0) return [];
    const { events, after } = pendingSwapEvents(swaps, (id) => this.book.pool(id), {
      signature,
      slot: at.slot,
      atMs: at.receivedMs,
    });
    const basedOn = new Map([...after.keys()].map((id) => [id, this.book.viewSlot(id) ?? 0]));
    this.pending.record(signature, { mark: at.mark, slot: at.slot }, after, basedOn);
    this.stats.pendingSwaps += events.length;
    for (const _ of events) this.latency.record('triggerEvent', performance.now() - at.mark, 'mev');
    return events;
  }
}
