import { performance } from 'node:perf_hooks';
import type { Executor, Submission, SubmissionOutcome } from '../market/types.js';
import { sleep } from './json-rpc.js';
import { landedEffect } from './landed.js';
import { failureOf, type SubmissionPipeline } from './pipeline.js';
import type { SignedTransaction } from './transactions.js';

/**
 * The direct route: the swap transaction through `sendTransaction` (base64, no preflight — it
 * was simulated while being sized — and `maxRetries: 0`, so the RPC never re-sends a stale
 * opportunity), then `getSignatureStatuses` until it is confirmed, fails or expires. A direct
 * transaction that lands with an error still pays its fees: its outcome says so.
 */
export interface DirectOptions {
  readonly pipeline: SubmissionPipeline;
  readonly landingMs: number;
  readonly pollMs: number;
}

interface SignatureStatus {
  readonly slot: number;
  readonly err: unknown;
  readonly confirmationStatus: 'processed' | 'confirmed' | 'finalized' | null;
}

export class DirectExecutor implements Executor {
  constructor(private readonly options: DirectOptions) {}

  submit(submission: Submission): Promise<SubmissionOutcome> {
    return this.options.pipeline.run(submission, () => this.send(submission));
  }

  private async send(submission: Submission): Promise<SubmissionOutcome> {
    const { pipeline } = this.options;
    const begun = await pipeline.begin(submission);
    if ('outcome' in begun) return pipeline.finish(begun.outcome);
    return pipeline.finish(
      await this.land(submission, begun.prepared.swap, begun.prepared.startedMs),
    );
  }

  private async land(
    submission: Submission,
    swap: SignedTransaction,
    startedMs: number,
  ): Promise<SubmissionOutcome> {
    const { pipeline } = this.options;
    const { rpc, log } = pipeline.options;
    const sent = performance.now();
    try {
      // Kit always names a preflight commitment; with skipPreflight the node ignores it.
      await rpc.rpc
        .sendTransaction(swap.base64, {
          encoding: 'base64',
          skipPreflight: true,
          maxRetries: 0n,
          preflightCommitment: pipeline.options.commitment,
        })
        .send();
    } catch (err) {
      log.warn(
        { submission: submission.id, err: (err as Error).message },
        'sendTransaction refused',
      );
      return {
        ...pipeline.notSent(submission, startedMs, 'dropped'),
        sendLatencyMs: performance.now() - sent,
      };
    }
    // The send alone, for the agent's send_p99: what follows is waiting on confirmation.
    const sendLatencyMs = performance.now() - sent;
    pipeline.recordSend(submission, sendLatencyMs);
    const deadline = sent + this.options.landingMs;
    let seen = false;
    while (performance.now() < deadline) {
      await sleep(this.options.pollMs);
      let status: SignatureStatus | null;
      try {
        const res = await rpc.rpc.getSignatureStatuses([swap.signature]).send();
        const s = res.value[0] ?? null;
        status =
          s === null
            ? null
            : { slot: Number(s.slot), err: s.err, confirmationStatus: s.confirmationStatus };
      } catch (err) {
        log.warn(
          { signature: swap.signature, err: (err as Error).message },
          'signature status poll failed; retrying',
        );
        continue;
      }
      if (status === null) continue;
      if (!seen) {
        seen = true;
        pipeline.latency.record('firstStatus', performance.now() - sent, submission.module);
      }
      // Processed can still be rolled back; a decision waits for confirmed.
      if (status.err === null && status.confirmationStatus === 'processed') continue;
      pipeline.latency.record('final', performance.now() - sent, submission.module);
      return { ...(await this.decided(submission, swap, status, startedMs)), sendLatencyMs };
    }
    pipeline.latency.record('final', performance.now() - sent, submission.module);
    return { ...pipeline.notSent(submission, startedMs, 'expired'), sendLatencyMs };
  }

  private async decided(
    submission: Submission,
    swap: SignedTransaction,
    status: SignatureStatus,
    startedMs: number,
  ): Promise<SubmissionOutcome> {
    const { pipeline } = this.options;
    const { rpc, wallet, clock } = pipeline.options;
    const effect = await landedEffect(rpc, swap.signature, wallet.address).catch(() => null);
    const fee = effect?.feeLamports ?? swap.feeLamports;
    const ok = status.err === null;
    const now = clock.now();
    return {
      submissionId: submission.id,
      opportunityId: submission.opportunityId,
      module: submission.module,
      route: 'direct',
      landed: ok,
      slot: status.slot,
      leader: '',
      profitLamports: effect?.profitLamports ?? -fee,
      tipLamports: 0n,
      feeLamports: fee,
      failure: ok ? null : failureOf(status.err),
      latencyMs: now - startedMs,
      atMs: now,
    };
  }
}
