import { getBase58Decoder } from '@solana/kit';
import type { MarketEvent, PendingSwapEvent } from '../../market/types.js';
import { StageLatency } from '../latency.js';
import type { WatchedPools } from '../watched-pools.js';
import type { SubscribeUpdate, SubscribeUpdateDeshred } from './geyser-client.js';
import { landedSwapEvents, tokenMintsOf } from './landed-swaps.js';
import { PendingStates } from './pending-states.js';
import { type PendingSwaps, pendingSwapEvents } from './pending-swaps.js';
import { RecentSignatures } from './recent-signatures.js';
import { type DecodedSwap, decodeSwaps, type StreamedTransaction } from './swap-decode.js';

/**
 * Streamed transactions → the backrun's triggers and the rivals' landings: each transaction is
 * taken once (a replay repeats the slot it resumes from), a failed one moves nothing, and the
 * swaps of one that succeeded become pending-swap events priced on the book. The state each
 * leaves is kept by signature (`pending`) for the pipeline to price its backrun on, with when the
 * stream delivered it, so every later stage can be timed from there. A processed transaction has
 * landed: its swaps are also reported as `landedSwap` events naming its fee payer, the chain's
 * own record of who trades the watched pools (the competition signal reads cycles from them),
 * even where its deshred copy triggered first.
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
  readonly stats = {
    pendingSwaps: 0,
    deshredSwaps: 0,
    landedSwaps: 0,
    repeatedTransactions: 0,
    /** Swaps on watched pools not turned into a pending swap, by reason. */
    skipped: {} as Record<string, number>,
  };
  /** Signatures that triggered (from either stream). */
  private readonly seen = new RecentSignatures(4_096);
  /** Processed transactions taken: each lands once. */
  private readonly landed = new RecentSignatures(4_096);

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
  ): MarketEvent[] {
    const signature = base58.decode(info.signature);
    if (!this.landed.add(signature)) {
      this.stats.repeatedTransactions++;
      return [];
    }
    const message = info.transaction?.message;
    if (message === undefined || info.meta?.err !== undefined) return [];
    const meta = info.meta;
    const tx: StreamedTransaction = {
      accountKeys: message.accountKeys,
      loadedWritable: meta?.loadedWritableAddresses ?? [],
      loadedReadonly: meta?.loadedReadonlyAddresses ?? [],
      instructions: message.instructions,
      ...(meta === undefined
        ? {}
        : { inner: meta.innerInstructions, tokenMints: tokenMintsOf(meta) }),
    };
    const swaps = this.decode(tx);
    if (swaps.length === 0) return [];
    const at = { slot, receivedMs, mark };
    const priced = this.price(signature, swaps, at);
    // Its deshred copy may have triggered already: then the pending state is that one's.
    const triggered = this.seen.add(signature);
    if (triggered) this.keep(signature, priced, at);
    else this.stats.repeatedTransactions++;
    const landed = landedSwapEvents(swaps, priced.fills, {
      signature,
      slot,
      atMs: receivedMs,
      feePayer: message.accountKeys[0],
    });
    this.stats.landedSwaps += landed.length;
    return [...(triggered ? priced.events : []), ...landed];
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
    if (this.seen.has(signature) || this.landed.has(signature)) {
      this.stats.repeatedTransactions++;
      return [];
    }
    const message = info.transaction?.message;
    if (message === undefined) return [];
    const swaps = this.decode({
      accountKeys: message.accountKeys,
      loadedWritable: info.loadedWritableAddresses,
      loadedReadonly: info.loadedReadonlyAddresses,
      instructions: message.instructions,
    });
    if (swaps.length === 0) return [];
    const at = { slot, receivedMs, mark };
    const priced = this.price(signature, swaps, at);
    if (priced.events.length > 0) {
      this.seen.add(signature);
      this.keep(signature, priced, at);
      this.stats.deshredSwaps += priced.events.length;
    }
    return priced.events;
  }

  private decode(tx: StreamedTransaction): DecodedSwap[] {
    return decodeSwaps(tx, (pool) => this.book.pool(pool)?.state, {
      livePool: (pool) => this.book.livePool(pool),
      skipped: (reason) => this.skip(reason),
    });
  }

  /** Each swap priced on the book (skips counted per copy of a transaction seen). */
  private price(
    signature: string,
    swaps: readonly DecodedSwap[],
    at: { readonly slot: number; readonly receivedMs: number },
  ): PendingSwaps {
    return pendingSwapEvents(
      swaps,
      (id) => this.book.pool(id),
      { signature, slot: at.slot, atMs: at.receivedMs },
      { livePool: (id) => this.book.livePool(id), skipped: (reason) => this.skip(reason) },
    );
  }

  /** A trigger: the states its swaps leave, kept for the backrun, and its events timed. */
  private keep(
    signature: string,
    priced: PendingSwaps,
    at: { readonly slot: number; readonly mark: number },
  ): void {
    const ids = [...priced.after.keys(), ...priced.afterLive.keys()];
    const basedOn = new Map(ids.map((id) => [id, this.book.viewSlot(id) ?? 0]));
    this.pending.record(
      signature,
      { mark: at.mark, slot: at.slot },
      priced.after,
      basedOn,
      priced.afterLive,
    );
    this.stats.pendingSwaps += priced.events.length;
    for (const _ of priced.events)
      this.latency.record('triggerEvent', performance.now() - at.mark, 'mev');
  }

  private skip(reason: string): void {
    this.stats.skipped[reason] = (this.stats.skipped[reason] ?? 0) + 1;
  }
}
