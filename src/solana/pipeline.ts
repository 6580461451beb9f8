import { performance } from 'node:perf_hooks';
import type {
  Address,
  AddressesByLookupTableAddress,
  Base64EncodedWireTransaction,
  Commitment,
} from '@solana/kit';
import { isLandfallError, LandfallError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Clock, FailureReason, Submission, SubmissionOutcome } from '../market/types.js';
import { validateSubmission } from '../market/validate-submission.js';
import { BackgroundCache } from './background-cache.js';
import type { BackrunTiming } from './backrun-timing.js';
import { MAX_BUNDLE_TRANSACTIONS } from './block-engine.js';
import type { Wallet } from './keypair.js';
import { type Stage, StageLatency } from './latency.js';
import type { SafetyGate } from './safety.js';
import type { SolanaRpcClient } from './solana-rpc.js';
import {
  guardedMinOut,
  type PlanPools,
  planSwaps,
  type SwapPlan,
  shapeOf,
  swapInstructions,
} from './swap-plan.js';
import {
  type Lifetime,
  MAX_COMPUTE_UNITS,
  type SignedTransaction,
  signerCount,
  signV0,
  sizedUnitLimit,
  tipInstruction,
  transactionFee,
} from './transactions.js';
import { SLIPPAGE_ERRORS } from './venues/live.js';
import type { PoolDirectory } from './watched-pools.js';

/**
 * What every live executor does before its route-specific part: validate the submission, plan
 * the legs on the book, ask the safety gate, and build and sign the one transaction it sends —
 * compute budget, a swap per leg (the last one guarded to return input + tip + fees + margin),
 * and on the Jito route the tip as the last instruction. The hot path makes no RPC round trip
 * once warm: the blockhash comes from a cache refreshed in the background, and the CU limit of a
 * shape (route, pools, directions) is sized by one simulation (consumed × (1 + margin)) on its
 * first use and again only after a failure. A sizing simulation that fails ends the submission:
 * nothing is sent, nothing is paid.
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
  /** live.profitMarginLamports: what a round trip to wrapped SOL must clear beyond its costs. */
  readonly profitMarginLamports: bigint;
  /** live.chainToleranceBps: what a chained leg holds back from the predicted output. */
  readonly chainToleranceBps: number;
  /** live.blockhashRefreshMs: blockhash age that starts a background refresh. */
  readonly blockhashRefreshMs: number;
  /** A Jito tip account (the block engine's, cached); needed by the Jito route only. */
  readonly tipAccount?: () => Promise<Address>;
  /** The wallet's lookup table as loaded by the setup path; a transaction over 1 232 bytes uses it. */
  readonly lookupTables?: () => AddressesByLookupTableAddress | undefined;
  /** The leader of a slot, for outcomes; '' when unknown. */
  readonly leaderOf?: (slot: number) => Promise<string>;
  /**
   * A backrun's pools as its target swap leaves them (the gRPC source prices every swap it
   * streams); undefined when the target is unknown. Absent, a backrun is planned on the book.
   */
  readonly poolsAfter?: (signature: string) => PlanPools | undefined;
  /** When the stream delivered a backrun's target (performance.now()), for the trigger stages. */
  readonly triggerMark?: (signature: string) => number | undefined;
  /** Where stages are timed; the stack shares one with its source (stream stages). */
  readonly latency?: StageLatency;
  /** Whether a backrun may go out now, given its target's slot and the leaders (backrun-timing.ts). */
  readonly backrunTiming?: Pick<BackrunTiming, 'verdict'>;
}

export interface Prepared {
  /** The one transaction of the submission (for Jito, the tip is its last instruction). */
  readonly swap: SignedTransaction;
  readonly lifetime: Lifetime;
  readonly simulatedUnits: number;
  /** The last leg's minimum output as signed. */
  readonly finalMinOut: bigint;
  readonly startedMs: number;
}

export type Begun = { readonly outcome: SubmissionOutcome } | { readonly prepared: Prepared };

export interface SimulationResult {
  readonly err: unknown;
  readonly logs: string[] | null;
  readonly unitsConsumed?: number;
}

/** What a shape's sizing simulation found: reused until a submission of that shape fails. */
interface Sized {
  readonly unitLimit: number;
  readonly units: number;
  readonly signatures: number;
}

/** A blockhash older than this makes the submission wait for a fresh one (valid ~60 s). */
const BLOCKHASH_MAX_AGE_MS = 20_000;
/**
 * Outcomes after which a shape is sized again, because the transaction itself may be at fault:
 * a revert, a bundle the block engine refused as invalid, or any failure that paid a fee (a
 * direct transaction that landed with an error). Not a lost auction, an expiry, or a dry run's
 * `dropped` (which is its success).
 */
function resizeAfter(outcome: SubmissionOutcome): boolean {
  const f = outcome.failure;
  return f === 'slippage' || f === 'rejected' || (f !== null && outcome.feeLamports > 0n);
}

export class SubmissionPipeline {
  readonly latency: StageLatency;
  /** The recent blockhash: valid for 150 blocks (about a minute), so one a slot old does. */
  readonly blockhash: BackgroundCache<Lifetime>;
  readonly stats = { simulations: 0, shapes: 0 };
  private readonly sized = new Map<string, Sized>();
  private readonly shapeOfSubmission = new Map<string, string>();

  constructor(readonly options: PipelineOptions) {
    this.latency = options.latency ?? new StageLatency();
    this.blockhash = new BackgroundCache<Lifetime>({
      fetch: () => this.latestBlockhash(),
      refreshMs: options.blockhashRefreshMs,
      maxAgeMs: BLOCKHASH_MAX_AGE_MS,
      now: () => performance.now(),
      onError: (err) =>
        options.log.warn(
          { err: (err as Error).message },
          'background blockhash refresh failed; the cached one is still used',
        ),
    });
  }

  /** Fills the caches a submission reads (blockhash, a tip account) before the first one. */
  async warm(): Promise<void> {
    await Promise.all([this.blockhash.refresh(), this.options.tipAccount?.()]);
  }

  /**
   * Runs one route's submit so that only a malformed submission rejects (the Executor
   * contract). A market condition raised anywhere on the route (LF_MARKET_CONDITION: a leg that
   * no longer pays, a transaction that cannot fit) skips it as `market_condition`; an endpoint
   * failing before the send (RPC down, rate limited, timeout) becomes `dropped`. Both cost
   * nothing and leave the source running.
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
      if (isLandfallError(err, 'LF_MARKET_CONDITION')) {
        this.options.log.info(
          { submission: submission.id, reason: err.message },
          'the market no longer allows this submission; skipped',
        );
        return this.finish(this.notSent(submission, startedMs, 'market_condition'));
      }
      this.options.log.error(
        { submission: submission.id, err: (err as Error).message },
        'live submission failed before it was sent',
      );
      return this.finish(this.notSent(submission, startedMs, 'dropped'));
    }
  }

  /**
   * The signed transaction, or the outcome of a submission that ends here: refused by the
   * safety gate, failed its sizing simulation, or one the market no longer allows as built
   * (LF_MARKET_CONDITION: a leg the pool would refuse, legs that would not pay, a transaction
   * that cannot fit even through the lookup table) — skipped as `market_condition`, free.
   */
  async begin(submission: Submission): Promise<Begun> {
    validateSubmission(submission, {
      maxComputeUnits: MAX_COMPUTE_UNITS,
      maxBundleTransactions: MAX_BUNDLE_TRANSACTIONS,
      knownPool: (id) => this.options.pools.livePool(id) !== undefined,
    });
    this.sinceTrigger(submission, 'triggerDecision');
    const startedMs = this.options.clock.now();
    const timing = await this.options.backrunTiming?.verdict(submission);
    if (timing !== undefined && !timing.send) {
      this.options.log.info(
        { submission: submission.id, failure: timing.failure, reason: timing.reason },
        'backrun not sent',
      );
      return { outcome: this.notSent(submission, startedMs, timing.failure, timing.slot) };
    }
    try {
      return await this.prepare(submission, startedMs);
    } catch (err) {
      if (!isLandfallError(err, 'LF_MARKET_CONDITION')) throw err;
      this.options.log.info(
        { submission: submission.id, reason: err.message },
        'the market no longer allows this submission as built; not sent',
      );
      return { outcome: this.notSent(submission, startedMs, 'market_condition') };
    }
  }

  private async prepare(submission: Submission, startedMs: number): Promise<Begun> {
    const { wallet } = this.options;
    const t0 = performance.now();
    const plan = planSwaps(
      submission,
      this.poolsFor(submission),
      this.options.chainToleranceBps,
      Math.floor(this.options.clock.now() / 1000),
    );
    const tip = submission.route === 'jito' ? await this.tip(submission) : [];
    const shape = shapeOf(submission);
    const price = submission.priorityFeeMicroLamports;
    let sized = this.sized.get(shape);
    let lifetime: Lifetime;
    if (sized === undefined) {
      // Sized on a probe whose guard leaves the fees out: it reverts only if the real one would.
      const probeIxs = [
        ...(await swapInstructions(plan, wallet.signer, this.minOut(plan, submission, 0n))),
        ...tip,
      ];
      const signatures = signerCount(wallet.address, probeIxs);
      const refused = await this.refused(submission, signatures, startedMs);
      if (refused !== null) return refused;
      lifetime = await this.blockhash.current();
      const probe = await signV0(
        wallet.signer,
        lifetime,
        MAX_COMPUTE_UNITS,
        price,
        probeIxs,
        this.options.lookupTables?.(),
      );
      this.stats.simulations++;
      const sim = await this.simulate(probe.base64);
      if (sim.err !== null) {
        this.latency.record('build', performance.now() - t0, submission.module);
        this.options.log.info(
          { submission: submission.id, err: sim.err },
          'sizing simulation failed; not sent',
        );
        return { outcome: this.notSent(submission, startedMs, failureOf(sim.err)) };
      }
      const units = sim.unitsConsumed ?? MAX_COMPUTE_UNITS;
      sized = {
        units,
        unitLimit: sizedUnitLimit(units, this.options.computeUnitMargin),
        signatures: probe.signatures,
      };
      this.sized.set(shape, sized);
      this.stats.shapes = this.sized.size;
    } else {
      const refused = await this.refused(submission, sized.signatures, startedMs);
      if (refused !== null) return refused;
      lifetime = await this.blockhash.current();
    }
    const fee = transactionFee(sized.signatures, sized.unitLimit, price);
    const finalMinOut = this.minOut(plan, submission, fee);
    if (plan.expectedOut < finalMinOut) {
      // Sending it would only buy a revert: the legs no longer return what the guard asks.
      throw new LandfallError(
        'LF_MARKET_CONDITION',
        `submission ${submission.id}: the legs return ${plan.expectedOut} on the current book, below the ${finalMinOut} the last leg must return (input ${plan.amountIn} + tip ${submission.tipLamports} + fee ${fee} + margin ${this.options.profitMarginLamports}, or the leg's own minimum)`,
      );
    }
    const instructions = [...(await swapInstructions(plan, wallet.signer, finalMinOut)), ...tip];
    this.latency.record('build', performance.now() - t0, submission.module);
    const t1 = performance.now();
    const swap = await signV0(
      wallet.signer,
      lifetime,
      sized.unitLimit,
      price,
      instructions,
      this.options.lookupTables?.(),
    );
    this.latency.record('sign', performance.now() - t1, submission.module);
    this.sinceTrigger(submission, 'triggerSigned');
    if (swap.signatures !== sized.signatures) {
      throw new LandfallError(
        'LF_MARKET_SUBMISSION_INVALID',
        `submission ${submission.id}: signed with ${swap.signatures} signatures, its fee was quoted for ${sized.signatures}`,
      );
    }
    this.shapeOfSubmission.set(submission.id, shape);
    const prepared = { swap, lifetime, simulatedUnits: sized.units, finalMinOut, startedMs };
    return { prepared };
  }

  /** The send as an executor timed it, and for a streamed backrun, its trigger → sent. */
  recordSend(submission: Submission, sendLatencyMs: number): void {
    this.latency.record('send', sendLatencyMs, submission.module);
    this.sinceTrigger(submission, 'triggerSent');
  }

  private sinceTrigger(submission: Submission, stage: Stage): void {
    const target = submission.afterSignature;
    const mark = target === undefined ? undefined : this.options.triggerMark?.(target);
    if (mark !== undefined) this.latency.record(stage, performance.now() - mark, submission.module);
  }

  /** What a submission's legs trade against: a backrun's, the state its target leaves. */
  private poolsFor(submission: Submission): PlanPools {
    const target = submission.afterSignature;
    if (target === undefined || this.options.poolsAfter === undefined) return this.options.pools;
    const after = this.options.poolsAfter(target);
    if (after === undefined) {
      throw new LandfallError(
        'LF_MARKET_CONDITION',
        `submission ${submission.id}: its target swap ${target} is no longer known to the source; a backrun is only priced on the state its target leaves`,
      );
    }
    return after;
  }

  /** The last leg's minimum output with `feeLamports` among the costs to clear. */
  private minOut(plan: SwapPlan, submission: Submission, feeLamports: bigint): bigint {
    const cost = submission.tipLamports + feeLamports + this.options.profitMarginLamports;
    return guardedMinOut(plan, cost);
  }

  private async tip(submission: Submission) {
    const tipAccount = this.options.tipAccount;
    if (tipAccount === undefined) {
      throw new LandfallError(
        'LF_SOLANA_CONFIG',
        `submission ${submission.id}: the Jito route needs a tip account and this pipeline has no block engine`,
      );
    }
    return [tipInstruction(this.options.wallet.signer, await tipAccount(), submission.tipLamports)];
  }

  /** The safety gate's verdict, its worst fee counting the signatures actually sent. */
  private async refused(
    submission: Submission,
    signatures: number,
    startedMs: number,
  ): Promise<{ outcome: SubmissionOutcome } | null> {
    const worstFee = transactionFee(
      signatures,
      MAX_COMPUTE_UNITS,
      submission.priorityFeeMicroLamports,
    );
    const refusal = await this.options.safety.refusal(submission, worstFee);
    return refusal === null ? null : { outcome: this.notSent(submission, startedMs, 'dropped') };
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
    const shape = this.shapeOfSubmission.get(outcome.submissionId);
    if (shape !== undefined) {
      this.shapeOfSubmission.delete(outcome.submissionId);
      if (resizeAfter(outcome)) this.sized.delete(shape);
    }
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

/**
 * Slippage when a live venue's ExceededSlippage error is named (venues/live.ts: their codes do
 * not collide with each other's nor with the token and system programs'); any other error is
 * `dropped`.
 */
export function failureOf(err: unknown): FailureReason {
  // Kit answers the code as a bigint, the block engine's JSON as a number.
  const custom = (err as { InstructionError?: [unknown, { Custom?: number | bigint }] } | null)
    ?.InstructionError?.[1]?.Custom;
  return custom !== undefined && SLIPPAGE_ERRORS.has(Number(custom)) ? 'slippage' : 'dropped';
}
