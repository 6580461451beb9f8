import { performance } from 'node:perf_hooks';
import type { Executor, FailureReason, Submission, SubmissionOutcome } from '../market/types.js';
import type { BlockEngine } from './block-engine.js';
import { RpcError, sleep } from './json-rpc.js';
import { landedEffect } from './landed.js';
import type { SubmissionPipeline } from './pipeline.js';
import { type SignedTransaction, tipTransaction } from './transactions.js';

/**
 * The Jito route: the swap transaction and a tip transaction (to a block-engine tip account
 * chosen at random) sent as one atomic bundle with `sendBundle`, then followed with
 * `getInflightBundleStatuses` until it lands, fails or expires; a landed bundle's slot comes
 * from `getBundleStatuses` and its profit from the landed swap transaction itself.
 *
 * Failed → `auction_lost` (outbid, or the leader dropped it); still unknown at
 * `live.timeouts.landingMs` → `expired`; refused by the block engine → `tip_below_minimum`
 * when it says the tip is too low, else `dropped`. A bundle that does not land costs nothing.
 */
export interface JitoOptions {
  readonly pipeline: SubmissionPipeline;
  readonly blockEngine: BlockEngine;
  readonly landingMs: number;
  readonly pollMs: number;
}

export class JitoExecutor implements Executor {
  constructor(private readonly options: JitoOptions) {}

  submit(submission: Submission): Promise<SubmissionOutcome> {
    return this.options.pipeline.run(submission, () => this.send(submission));
  }

  private async send(submission: Submission): Promise<SubmissionOutcome> {
    const { pipeline } = this.options;
    const begun = await pipeline.begin(submission);
    if ('outcome' in begun) return pipeline.finish(begun.outcome);
    const { swap, lifetime, startedMs } = begun.prepared;
    const wallet = pipeline.options.wallet;
    const tipAccount = await this.options.blockEngine.tipAccount();
    const t0 = performance.now();
    const tip = await tipTransaction(wallet.signer, lifetime, tipAccount, submission.tipLamports);
    pipeline.latency.record('sign', performance.now() - t0);
    return pipeline.finish(await this.land(submission, swap, tip, startedMs));
  }

  private async land(
    submission: Submission,
    swap: SignedTransaction,
    tip: SignedTransaction,
    startedMs: number,
  ): Promise<SubmissionOutcome> {
    const { pipeline, blockEngine } = this.options;
    const sent = performance.now();
    let bundleId: string;
    try {
      bundleId = await blockEngine.sendBundle([swap.base64, tip.base64]);
    } catch (err) {
      const failure: FailureReason =
        err instanceof RpcError && /tip/i.test(err.rpcMessage) ? 'tip_below_minimum' : 'dropped';
      pipeline.options.log.warn(
        { submission: submission.id, err: (err as Error).message },
        'sendBundle refused',
      );
      return {
        ...pipeline.notSent(submission, startedMs, failure),
        sendLatencyMs: performance.now() - sent,
      };
    }
    // The send alone, for the agent's send_p99: what follows is waiting on the auction.
    const sendLatencyMs = performance.now() - sent;
    pipeline.latency.record('send', sendLatencyMs);
    const deadline = sent + this.options.landingMs;
    let seen = false;
    while (performance.now() < deadline) {
      await sleep(this.options.pollMs);
      let status: Awaited<ReturnType<BlockEngine['inflightStatus']>>;
      try {
        status = await blockEngine.inflightStatus(bundleId);
      } catch (err) {
        pipeline.options.log.warn(
          { bundleId, err: (err as Error).message },
          'bundle status poll failed; retrying',
        );
        continue;
      }
      if (status === null || status.status === 'Invalid') continue;
      if (!seen) {
        seen = true;
        pipeline.latency.record('firstStatus', performance.now() - sent);
      }
      if (status.status === 'Pending') continue;
      pipeline.latency.record('final', performance.now() - sent);
      if (status.status === 'Failed')
        return { ...pipeline.notSent(submission, startedMs, 'auction_lost'), sendLatencyMs };
      const landedSlot = status.landedSlot ?? 0;
      const outcome = await this.landed(submission, bundleId, swap, tip, startedMs, landedSlot);
      return { ...outcome, sendLatencyMs };
    }
    pipeline.latency.record('final', performance.now() - sent);
    return { ...pipeline.notSent(submission, startedMs, 'expired'), sendLatencyMs };
  }

  private async landed(
    submission: Submission,
    bundleId: string,
    swap: SignedTransaction,
    tip: SignedTransaction,
    startedMs: number,
    landedSlot: number,
  ): Promise<SubmissionOutcome> {
    const { pipeline, blockEngine } = this.options;
    const status = await blockEngine.bundleStatus(bundleId).catch(() => null);
    const wallet = pipeline.options.wallet;
    const effect = await landedEffect(pipeline.options.rpc, swap.signature, wallet.address);
    const fees = (effect?.feeLamports ?? swap.feeLamports) + tip.feeLamports;
    // The tip transaction moves only SOL: its cost is the tip and its own fee, exactly.
    const profit =
      effect === null
        ? -fees - submission.tipLamports
        : effect.profitLamports - tip.feeLamports - submission.tipLamports;
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
