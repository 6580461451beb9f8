import { performance } from 'node:perf_hooks';
import type {
  Executor,
  FailureReason,
  Module,
  Submission,
  SubmissionOutcome,
} from '../market/types.js';
import type { JsonRpcClient } from './json-rpc.js';
import type { StageWindow } from './latency.js';
import { failureOf, type SubmissionPipeline } from './pipeline.js';
import type { SolanaRpcClient } from './solana-rpc.js';

/**
 * `--dry-run`: everything a live send does — safety checks, the sized and signed transaction
 * (for Jito with the tip to a fetched tip account as its last instruction) — except the send. A
 * bundle is run through `simulateBundle` (a Jito-Solana RPC), a direct transaction through
 * `simulateTransaction` with signature verification. The outcome is never `landed`: it is
 * `dropped` (deliberately not sent) when the simulation succeeded, else the simulation's
 * failure, and it costs nothing.
 */
export interface DryRunOptions {
  readonly pipeline: SubmissionPipeline;
  /** The RPC that serves simulateBundle (a Jito-Solana extension kit does not type). */
  readonly bundleRpc: JsonRpcClient;
  /** The same endpoint through kit, for simulateTransaction. */
  readonly simulationRpc: SolanaRpcClient;
}

interface BundleSimulation {
  readonly summary: 'succeeded' | { failed: { error: unknown; tx_signature: string | null } };
  readonly transactionResults: Array<{ err: unknown; unitsConsumed?: number; logs?: string[] }>;
}

export class DryRunExecutor implements Executor {
  readonly stats = { simulated: 0, succeeded: 0, failed: 0, bundles: 0, transactions: 0 };

  constructor(private readonly options: DryRunOptions) {}

  submit(submission: Submission): Promise<SubmissionOutcome> {
    return this.options.pipeline.run(submission, () => this.simulate(submission));
  }

  /** The stage latencies since the last take, for telemetry (`StageReporter`). */
  takeStages(module: Module): readonly StageWindow[] {
    return this.options.pipeline.latency.take(module);
  }

  private async simulate(submission: Submission): Promise<SubmissionOutcome> {
    const { pipeline } = this.options;
    const { log } = pipeline.options;
    const begun = await pipeline.begin(submission);
    if ('outcome' in begun) return pipeline.finish(begun.outcome);
    const { swap, startedMs } = begun.prepared;
    const t0 = performance.now();
    let failure: FailureReason | null;
    let units: number[];
    if (submission.route === 'jito') {
      const res = await this.options.bundleRpc.call<{ value: BundleSimulation }>('simulateBundle', [
        { encodedTransactions: [swap.base64] },
        {
          preExecutionAccountsConfigs: [null],
          postExecutionAccountsConfigs: [null],
          // Jito-Solana's RpcSimulateBundleConfig.transaction_encoding: the node otherwise reads
          // the transactions as its default encoding, not as the base64 they are.
          transactionEncoding: 'base64',
          skipSigVerify: false,
          replaceRecentBlockhash: false,
        },
      ]);
      const v = res.value;
      failure = v.summary === 'succeeded' ? null : failureOf(v.summary.failed.error);
      units = v.transactionResults.map((r) => r.unitsConsumed ?? 0);
      this.stats.bundles++;
    } else {
      const res = await this.options.simulationRpc.rpc
        .simulateTransaction(swap.base64, {
          encoding: 'base64',
          sigVerify: true,
          commitment: pipeline.options.commitment,
        })
        .send();
      failure = res.value.err === null ? null : failureOf(res.value.err);
      units = [Number(res.value.unitsConsumed ?? 0n)];
      this.stats.transactions++;
    }
    const sendLatencyMs = performance.now() - t0;
    pipeline.recordSend(submission, sendLatencyMs);
    this.stats.simulated++;
    if (failure === null) this.stats.succeeded++;
    else this.stats.failed++;
    log.info(
      {
        submission: submission.id,
        route: submission.route,
        ok: failure === null,
        unitsConsumed: units,
        computeUnitLimit: swap.computeUnitLimit,
        tipLamports: submission.tipLamports.toString(),
        signature: swap.signature,
      },
      'dry run: simulated instead of sending',
    );
    const outcome = pipeline.notSent(submission, startedMs, failure ?? 'dropped');
    return pipeline.finish({ ...outcome, sendLatencyMs });
  }
}
