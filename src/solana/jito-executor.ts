import { performance } from 'node:perf_hooks';
import type { Executor, Submission, SubmissionOutcome } from '../market/types.js';
import { type BlockEngine, refusalOf } from './block-engine.js';
import { BundleStatusPoller } from './bundle-status.js';
import { landedEffect } from './landed.js';
import type { SubmissionPipeline } from './pipeline.js';
import type { SignedTransaction } from './transactions.js';

/**
 * The Jito route: one transaction — the swaps, then the tip to a block-engine tip account chosen
 * at random as its last instruction, so the tip is paid only if every leg ran and the last leg
 * returned input + tip + fees + margin — sent as a bundle of one with `sendBundle`, followed with
 * `getInflightBundleStatuses` (one poller batching every bundle in flight, `bundle-status.ts`)
 * until it lands, fails or expires; a landed bundle's slot comes from `getBundleStatuses` and its
 * profit from the landed swap transaction itself.
 *
 * Failed → `auction_lost` (outbid, or the leader dropped it); still unknown at
 * `live.timeouts.landingMs` → `expired`; refused by `sendBundle` → the reason its JSON-RPC code
 * stands for (`refusalOf`, block-engine.ts), `dropped` when unknown. A bundle that does not land
 * costs nothing.
 */
export interface JitoOptions {
  readonly pipeline: SubmissionPipeline;
  readonly blockEngine: BlockEngine;
  readonly landingMs: number;
  readonly pollMs: number;
  /** Longest wait between status polls while the block engine answers 429; default 2 s. */
  readonly maxStatusBackoffMs?: number;
}

export class JitoExecutor implements Executor {
  readonly statuses: BundleStatusPoller;

  constructor(private readonly options: JitoOptions) {
    this.statuses = new BundleStatusPoller(options.blockEngine, {
      pollMs: options.pollMs,
      maxBackoffMs: options.maxStatusBackoffMs ?? 2_000,
      log: options.pipeline.options.log,
    });
  }

  submit(submission: Submission): Promise<SubmissionOutcome> {
    return this.options.pipeline.run(submission, () => this.send(submission));
  }

  private async send(submission: Submission): Promise<SubmissionOutcome> {
    const { pipeline } = this.options;
    const begun = await pipeline.begin(submission);
    if ('outcome' in begun) return pipeline.finish(begun.outcome);
    const { swap, startedMs } = begun.prepared;
    return pipeline.finish(await this.land(submission, swap, startedMs));
  }

  private async land(
    submission: Submission,
    swap: SignedTransaction,
    startedMs: number,
  ): Promise<SubmissionOutcome> {
    const { pipeline, blockEngine } = this.options;
    const sent = performance.now();
    let bundleId: string;
    try {
      bundleId = await blockEngine.sendBundle([swap.base64]);
    } catch (err) {
      // By JSON-RPC code, never by message text (block-engine.ts SEND_BUNDLE_REFUSALS).
      const failure = refusalOf(err);
      pipeline.options.log.warn(
        { submission: submission.id, failure, err: (err as Error).message },
        'sendBundle refused',
      );
      return {
        ...pipeline.notSent(submission, startedMs, failure),
        sendLatencyMs: performance.now() - sent,
      };
    }
    // The send alone, for the agent's send_p99: what follows is waiting on the auction.
    const sendLatencyMs = performance.now() - sent;
    pipeline.recordSend(submission, sendLatencyMs);
    // One poller for every bundle in flight (batched ids, 429 back-off); the deadline is ours.
    const fate = await this.statuses.track(bundleId, sent + this.options.landingMs, () =>
      pipeline.latency.record('firstStatus', performance.now() - sent, submission.module),
    );
    pipeline.latency.record('final', performance.now() - sent, submission.module);
    if (fate.status === 'expired')
      return { ...pipeline.notSent(submission, startedMs, 'expired'), sendLatencyMs };
    if (fate.status === 'Failed')
      return { ...pipeline.notSent(submission, startedMs, 'auction_lost'), sendLatencyMs };
    const outcome = await this.landed(submission, bundleId, swap, startedMs, fate.landedSlot ?? 0);
    return { ...outcome, sendLatencyMs };
  }

  private async landed(
    submission: Submission,
    bundleId: string,
    swap: SignedTransaction,
    startedMs: number,
    landedSlot: number,
  ): Promise<SubmissionOutcome> {
    const { pipeline, blockEngine } = this.options;
    const status = await blockEngine.bundleStatus(bundleId).catch(() => null);
    const wallet = pipeline.options.wallet;
    const effect = await landedEffect(pipeline.options.rpc, swap.signature, wallet.address);
    const fees = effect?.feeLamports ?? swap.feeLamports;
    // The tip left the payer's SOL balance inside the same transaction, fee likewise: the
    // landed effect already counts both, exactly.
    const profit = effect === null ? -fees - submission.tipLamports : effect.profitLamports;
    if (effect === null) {
      pipeline.options.log.warn(
        { bundleId, signature: swap.signature },
        'landed bundle: getTransaction found no swap; profit booked as its cost only',
      );
    }
    const now = pipeline.options.clock.now();
    return {
      submissionId: submission.id,
      opportunityId: submission.opportunityId,
      module: submission.module,
      route: 'jito',
      landed: true,
      slot: status?.slot ?? landedSlot,
      leader: '',
      profitLamports: profit,
      tipLamports: submission.tipLamports,
      feeLamports: fees,
      failure: null,
      latencyMs: now - startedMs,
      atMs: now,
    };
  }
}
