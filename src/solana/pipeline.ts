import { performance } from 'node:perf_hooks';
import type { Base64EncodedWireTransaction, Commitment } from '@solana/kit';
import { isLandfallError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Clock, FailureReason, Submission, SubmissionOutcome } from '../market/types.js';
import { validateSubmission } from '../market/validate-submission.js';
import { MAX_BUNDLE_TRANSACTIONS } from './block-engine.js';
import type { Wallet } from './keypair.js';
import { StageLatency } from './latency.js';
import { EXCEEDED_SLIPPAGE_ERROR } from './raydium-cp-swap.js';
import type { SafetyGate } from './safety.js';
import type { SolanaRpcClient } from './solana-rpc.js';
import {
  type Lifetime,
  MAX_COMPUTE_UNITS,
  type SignedTransaction,
  signV0,
  sizedUnitLimit,
  swapInstructions,
  transactionFee,
} from './transactions.js';
import type { PoolDirectory } from './watched-pools.js';

/**
 * What every live executor does before its route-specific part: validate the submission, ask
 * the safety gate, build the swap transaction (fresh blockhash, one swap per leg), simulate it
 * under the maximum CU limit to size the real limit (consumed × (1 + margin)), and sign it.
 * A simulation that fails ends the submission there: nothing is sent, nothing is paid.
 */
export interface PipelineOptions {
  readonly rpc: SolanaRpcClient;
  readonly wallet: Wallet;
  readonly pools: PoolDirectory;
  readonly safety: SafetyGate;
  readonly clock: Clock;
  readonly log: Logger;
  readonly computeUnitMargin: number;
  readonly commitment: Commitment;
  /** The leader of a slot, for outcomes; '' when unknown. */
  readonly leaderOf?: (slot: number) => Promise<string>;
}

export interface Prepared {
  readonly swap: SignedTransaction;
  readonly lifetime: Lifetime;
  readonly simulatedUnits: number;
  readonly startedMs: number;
}

export type Begun = { readonly outcome: SubmissionOutcome } | { readonly prepared: Prepared };

export interface SimulationResult {
  readonly err: unknown;
  readonly logs: string[] | null;
  readonly unitsConsumed?: number;
}

export class SubmissionPipeline {
  readonly latency = new StageLatency();

  constructor(readonly options: PipelineOptions) {}

  /**
   * Runs one route's submit so that only a malformed submission rejects (the Executor
   * contract): an endpoint failing before the send (RPC down, rate limited, timeout) becomes a
   * `dropped` outcome that cost nothing.
   */
  async run(
    submission: Submission,
    route: () => Promise<SubmissionOutcome>,
  ): Promise<SubmissionOutcome> {
    const startedMs = this.options.clock.now();
    try {
      return await route();
    } catch (err) {
      if (isLandfallError(err, 'LF_MARKET_SUBMISSION_INVALID')) throw err;
      this.options.log.error(
        { submission: submission.id, err: (err as Error).message },
        'live submission failed before it was sent',
      );
      return this.finish(this.notSent(submission, startedMs, 'dropped'));
    }
  }

  async begin(submission: Submission): Promise<Begun> {
    validateSubmission(submission, {
      maxComputeUnits: MAX_COMPUTE_UNITS,
      maxBundleTransactions: MAX_BUNDLE_TRANSACTIONS,
      knownPool: (id) => this.options.pools.pool(id) !== undefined,
    });
    const startedMs = this.options.clock.now();
    const { wallet, pools, safety } = this.options;
    const worstFee = transactionFee(
      submission.signatures,
      MAX_COMPUTE_UNITS,
      submission.priorityFeeMicroLamports,
    );
    const refusal = await safety.refusal(submission, worstFee);
    if (refusal !== null) return { outcome: this.notSent(submission, startedMs, 'dropped') };
    const t0 = performance.now();
    const lifetime = await this.latestBlockhash();
    const instructions = await swapInstructions(submission, pools, wallet.signer);
    const price = submission.priorityFeeMicroLamports;
    const probe = await signV0(wallet.signer, lifetime, MAX_COMPUTE_UNITS, price, instructions);
    const sim = await this.simulate(probe.base64);
    this.latency.record('build', performance.now() - t0);
    if (sim.err !== null) {
      this.options.log.info(
        { submission: submission.id, err: sim.err },
        'sizing simulation failed; not sent',
      );
      return { outcome: this.notSent(submission, startedMs, failureOf(sim.err)) };
    }
    const units = sim.unitsConsumed ?? MAX_COMPUTE_UNITS;
    const t1 = performance.now();
    const swap = await signV0(
      wallet.signer,
      lifetime,
      sizedUnitLimit(units, this.options.computeUnitMargin),
      price,
      instructions,
    );
    this.latency.record('sign', performance.now() - t1);
    return { prepared: { swap, lifetime, simulatedUnits: units, startedMs } };
  }

  async latestBlockhash(): Promise<Lifetime> {
    const res = await this.options.rpc.rpc
      .getLatestBlockhash({ commitment: this.options.commitment })
      .send();
    return {
      blockhash: res.value.blockhash,
      lastValidBlockHeight: res.value.lastValidBlockHeight,
    };
  }

  async simulate(base64: string): Promise<SimulationResult> {
    const res = await this.options.rpc.rpc
      .simulateTransaction(base64 as Base64EncodedWireTransaction, {
        encoding: 'base64',
        sigVerify: false,
        replaceRecentBlockhash: true,
        commitment: this.options.commitment,
      })
      .send();
    const v = res.value;
    return {
      err: v.err,
      logs: v.logs,
      ...(v.unitsConsumed === undefined ? {} : { unitsConsumed: Number(v.unitsConsumed) }),
    };
  }

  /** An outcome for a submission that never left: nothing paid, nothing gained. */
  notSent(
    submission: Submission,
    startedMs: number,
    failure: FailureReason,
    slot = 0,
  ): SubmissionOutcome {
    const now = this.options.clock.now();
    return {
      submissionId: submission.id,
      opportunityId: submission.opportunityId,
      module: submission.module,
      route: submission.route,
      landed: false,
      slot,
      leader: '',
      profitLamports: 0n,
      tipLamports: 0n,
      feeLamports: 0n,
      failure,
      latencyMs: now - startedMs,
      atMs: now,
    };
  }

  /** Books the outcome with the safety gate (which may trip the kill switch) and returns it. */
  async finish(outcome: SubmissionOutcome): Promise<SubmissionOutcome> {
    const leader =
      outcome.leader === '' && outcome.slot > 0 ? await this.leader(outcome.slot) : outcome.leader;
    const done = { ...outcome, leader };
    await this.options.safety.record(done);
    return done;
  }

  private async leader(slot: number): Promise<string> {
    try {
      return (await this.options.leaderOf?.(slot)) ?? '';
    } catch {
      return '';
    }
  }
}

/** Slippage when the venue's ExceededSlippage error is named; any other error is `dropped`. */
export function failureOf(err: unknown): FailureReason {
  // Kit answers the code as a bigint, the block engine's JSON as a number.
  const custom = (err as { InstructionError?: [unknown, { Custom?: number | bigint }] } | null)
    ?.InstructionError?.[1]?.Custom;
  return custom !== undefined && Number(custom) === EXCEEDED_SLIPPAGE_ERROR
    ? 'slippage'
    : 'dropped';
}
