import { performance } from 'node:perf_hooks';
import * as hdr from 'hdr-histogram-js';
import type {
  Executor,
  MarketEvent,
  Module,
  Route,
  Submission,
  SubmissionOutcome,
} from '../market/types.js';
import { Rng } from '../random/rng.js';
import { featuresOf } from './features.js';
import type { JointMemo, JointPolicy } from './joint-policy.js';
import { lessonOf } from './learning.js';
import { SlotHolds } from './slot-holds.js';
import { type PolicyTarget, splitTarget } from './tunable-policy.js';
import type {
  ArmStat,
  Candidate,
  Collector,
  Opportunity,
  RouteChoice,
  RoutePolicy,
  RouteQuote,
  Scorer,
  Strategy,
  TipPolicy,
} from './types.js';

/** Why an opportunity was or was not submitted (mirrors the proto `Decision`). */
export type Decision =
  | 'submitted'
  | 'skipped_score'
  | 'skipped_negative_ev'
  | 'skipped_killed'
  | 'skipped_throttled';

/** What control commands have made of this agent (`control.ts` keeps it). */
export type AgentState = 'running' | 'throttled' | 'killed';

/**
 * The kill switch and throttle as the engine sees them. Killed: nothing is submitted from the
 * next decision on (in-flight submissions finish). Throttled: the score threshold rises by
 * `thresholdRaise`, and `admit()` says whether one more would-be submission may go.
 */
export interface SubmissionGate {
  readonly state: AgentState;
  readonly thresholdRaise: number;
  admit(): boolean;
}

/** One decided opportunity, as the observers (telemetry, backtests) see it. */
export interface DecisionRecord {
  readonly opportunity: Opportunity;
  readonly agentId: string;
  readonly score: number;
  readonly modelVersion: string;
  readonly decision: Decision;
  readonly route: Route;
  readonly tipLamports: bigint;
  readonly feeLamports: bigint;
  /** The route policy's pLand-weighted expected net (lamports); the gate is > 0. */
  readonly expectedNetLamports: number;
  /** Event received → submission built, µs; 0 when not submitted. */
  readonly hotPathUs: number;
  readonly submission?: Submission;
  /**
   * Paper exploration: the policies would have skipped it; it went out at the minimum tip so
   * models see outcomes on both sides of the gate (`EngineOptions.paperExploration`).
   */
  readonly explore?: boolean;
}

export interface EngineObserver {
  onDecision?(record: DecisionRecord): void;
  onOutcome?(outcome: SubmissionOutcome, record: DecisionRecord): void;
}

export interface EngineOptions {
  readonly agentId: string;
  /**
   * This run of the agent (`newRunId()`): part of every opportunity and submission id, so a
   * restart on the same seeded market never reuses an id and the store's dedupe on the event
   * id only collapses true redeliveries, never an earlier run's history.
   */
  readonly runId: string;
  readonly module: Module;
  readonly collector: Collector;
  readonly strategies: readonly Strategy[];
  readonly scorer: Scorer;
  /** Tip then route, apart (the baselines and fixed arms); or `joint`, which decides both. */
  readonly tips?: TipPolicy;
  readonly routes?: RoutePolicy;
  readonly joint?: JointPolicy;
  /**
   * Paper mode only: this share of would-be-skipped opportunities (by score or expected net)
   * goes out as a bundle at the minimum tip, flagged `explore`. 0 or absent: never.
   */
  readonly paperExploration?: number;
  readonly executor: Executor;
  readonly observers?: readonly EngineObserver[];
  /** Control commands (kill, throttle); without one the engine always runs. */
  readonly gate?: SubmissionGate;
  /** Below this score an opportunity is skipped (the scorer's probability of paying). */
  readonly minScore: number;
  /** The market's minimum tip: a value, or a read per decision for a market that follows it. */
  readonly minTipLamports: bigint | (() => bigint);
  readonly baseFeeLamports: bigint;
  /** Bundles' pools free again next slot (`Market.resend`); false: every pool waits for its outcome. */
  readonly resendPerSlot?: boolean;
  readonly computeUnitLimit: number;
}

/** Counters the metrics stream reads. */
export interface EngineCounters {
  opportunities: number;
  submissions: number;
  jitoSubmissions: number;
  decided: number;
  landed: number;
  negativeOutcomes: number;
}

/**
 * Wires collector → strategies → scorer → tip policy → route policy → executor, feeds outcomes
 * back to the policies, and measures the hot path (event received → submission built) in an
 * HDR histogram. It keeps one rule above all: an opportunity whose net if landed, or whose
 * expected net under the chosen route, is not positive is never submitted.
 *
 * A pool a bundle was sent on is held for that slot only, not until the outcome: an opportunity
 * still there in a later slot is sent again (a bundle lives for one auction, a slot's leader may
 * not run Jito), never twice in one slot; a direct transaction holds its pools until its outcome
 * (`slot-holds.ts`).
 */
export class Engine {
  readonly hotPath = newHistogram();
  /** Hot path since the last `takeWindow()` (the 1 s metrics). */
  private window = newHistogram();
  readonly counters: EngineCounters = {
    opportunities: 0,
    submissions: 0,
    jitoSubmissions: 0,
    decided: 0,
    landed: 0,
    negativeOutcomes: 0,
  };
  private readonly holds = new SlotHolds();
  private seq = 0;
  private failure: unknown;

  private readonly resendPerSlot: boolean;
  private readonly exploreRng: Rng | undefined;

  constructor(readonly options: EngineOptions) {
    this.resendPerSlot = options.resendPerSlot ?? true;
    if (options.joint === undefined && (options.tips === undefined || options.routes === undefined))
      throw new Error('engine needs a joint policy, or both a tip and a route policy');
    const explore = options.paperExploration ?? 0;
    if (!(explore >= 0 && explore <= 1))
      throw new Error(`paperExploration must be in [0, 1], got ${explore}`);
    // Its own stream per agent, so paper exploration repeats run to run.
    this.exploreRng =
      explore > 0 ? Rng.stream(0, `agent/paper-exploration/${options.agentId}`) : undefined;
  }

  /** The tip arms (or joint actions) and their payoffs, for the metrics stream. */
  arms(): readonly ArmStat[] {
    return this.options.joint?.arms() ?? this.options.tips?.arms() ?? [];
  }

  /** What set_policy may tune in this engine's policies. */
  policyTarget(): PolicyTarget {
    const { joint, tips, routes } = this.options;
    if (joint !== undefined)
      return { tipName: joint.name, routeName: joint.name, ladder: joint, priors: joint };
    return splitTarget(tips as TipPolicy, routes as RoutePolicy);
  }

  /** The MarketEventHandler to start a source with. */
  readonly handle = (event: MarketEvent): void => {
    // A rejected submission is a bug in this engine, not a market outcome: end the run with it.
    if (this.failure !== undefined) throw this.failure;
    const received = performance.now();
    const { collector, strategies } = this.options;
    collector.onEvent(event);
    this.options.joint?.onEvent(event);
    const slot = collector.view.slot;
    for (const strategy of strategies) {
      for (const candidate of strategy.onEvent(event, collector.view)) {
        if (this.holds.held(candidate.pools, slot)) continue;
        const route = this.decide(candidate, received);
        if (route === 'jito' && event.kind === 'pool' && this.resendPerSlot)
          this.holds.watch(candidate, strategy, event.pool.id);
      }
    }
    if (event.kind === 'slot') {
      for (const candidate of this.holds.stillOpen(collector.view)) {
        // An earlier one in this loop may have been sent on a shared pool this slot.
        if (this.holds.held(candidate.pools, slot)) continue;
        if (this.decide(candidate, received) !== 'jito') this.holds.close(candidate);
      }
    }
  };

  /** Decides one candidate; the route it was submitted on, or undefined when skipped. */
  private decide(candidate: Candidate, received: number): Route | undefined {
    const { collector, scorer, agentId, runId } = this.options;
    const view = collector.view;
    const opportunity: Opportunity = {
      ...candidate,
      id: `${agentId}-${runId}-${view.slot}-${this.seq++}`,
      atMs: view.nowMs,
      slot: view.slot,
      featureSet: scorer.featureSet,
      features: featuresOf(candidate, view),
    };
    this.counters.opportunities++;
    const score = scorer.score(opportunity.features, candidate.module);
    const minScore = scorer.threshold ?? this.options.minScore;
    const gross = candidate.grossProfitLamports;
    const min = this.options.minTipLamports;
    const minTip = typeof min === 'bigint' ? min : min();
    const priced = this.price(gross, minTip, score);
    const q = priced.choice.quote;
    const netIfLanded = gross - q.tipLamports - q.feeLamports;
    let decision = this.gated(
      netIfLanded <= 0n || !(priced.choice.expectedNetLamports > 0)
        ? 'skipped_negative_ev'
        : score < minScore
          ? 'skipped_score'
          : 'submitted',
      score,
      minScore,
    );
    let explore = false;
    if (
      (decision === 'skipped_score' || decision === 'skipped_negative_ev') &&
      this.explores(gross, minTip)
    ) {
      Object.assign(priced, this.probe(gross, minTip, score));
      decision = 'submitted';
      explore = true;
    }
    const { choice } = priced;
    if (decision !== 'submitted') {
      this.observe(this.record(opportunity, score, decision, choice, 0));
      return undefined;
    }
    const submission = this.build(opportunity, choice.quote, priced.priorityFee);
    const hotPathUs = (performance.now() - received) * 1000;
    this.hotPath.recordValue(Math.max(1, Math.round(hotPathUs * 1000)));
    this.window.recordValue(Math.max(1, Math.round(hotPathUs * 1000)));
    const record = this.record(
      opportunity,
      score,
      decision,
      choice,
      hotPathUs,
      submission,
      explore,
    );
    this.send(record, priced, view.leaderRunsJito);
    this.observe(record);
    return submission.route;
  }

  /** Tip and route: from the joint policy, or the tip policy then the route policy. */
  private price(gross: bigint, minTip: bigint, score: number): Priced {
    const { joint, collector } = this.options;
    const view = collector.view;
    if (joint !== undefined) {
      const d = joint.choose({
        grossProfitLamports: gross,
        minTipLamports: minTip,
        baseFeeLamports: this.options.baseFeeLamports,
        computeUnitLimit: this.options.computeUnitLimit,
        score,
        view,
      });
      return {
        choice: { quote: d.quote, pLand: d.pLand, expectedNetLamports: d.expectedNetLamports },
        priorityFee: d.priorityFeeMicroLamports,
        arm: d.memo.action,
        memo: d.memo,
      };
    }
    const tips = this.options.tips as TipPolicy;
    const routes = this.options.routes as RoutePolicy;
    const tip = tips.choose({ grossProfitLamports: gross, minTipLamports: minTip });
    const choice = routes.choose({
      grossProfitLamports: gross,
      quotes: this.quotes(tip.tipLamports),
      leaderRunsJito: view.leaderRunsJito,
    });
    const p95 = BigInt(Math.ceil(view.priorityFeeP95));
    return { choice, priorityFee: choice.quote.route === 'direct' ? p95 : 0n, arm: tip.arm };
  }

  /** Whether paper exploration sends this would-be-skipped opportunity at the minimum tip. */
  private explores(gross: bigint, minTip: bigint): boolean {
    const rng = this.exploreRng;
    if (rng === undefined) return false;
    // A throttled or killed agent explores nothing: the gate's limits hold for probes too.
    const gate = this.options.gate;
    if (gate !== undefined && gate.state !== 'running') return false;
    if (gross - minTip - this.options.baseFeeLamports <= 0n) return false;
    return rng.float() < (this.options.paperExploration ?? 0);
  }

  /** An exploring bundle at the minimum tip (the joint policy learns from its outcome). */
  private probe(gross: bigint, minTip: bigint, score: number): Priced {
    const quote: RouteQuote = {
      route: 'jito',
      tipLamports: minTip,
      feeLamports: this.options.baseFeeLamports,
      feePaidOnFailure: false,
    };
    const memo = this.options.joint?.memoAt(minTip, {
      grossProfitLamports: gross,
      minTipLamports: minTip,
      baseFeeLamports: this.options.baseFeeLamports,
      computeUnitLimit: this.options.computeUnitLimit,
      score,
      view: this.options.collector.view,
    });
    return {
      choice: { quote, pLand: 0, expectedNetLamports: 0 },
      priorityFee: 0n,
      arm: -1,
      ...(memo === undefined ? {} : { memo }),
    };
  }

  /** Applies the kill switch and the throttle to what the policies decided. */
  private gated(decision: Decision, score: number, minScore: number): Decision {
    const gate = this.options.gate;
    if (gate === undefined || gate.state === 'running') return decision;
    if (gate.state === 'killed') return 'skipped_killed';
    if (decision !== 'submitted') return decision;
    // The raised threshold first, so a skipped opportunity does not use up rate credit.
    if (score < minScore + gate.thresholdRaise) return 'skipped_throttled';
    return gate.admit() ? decision : 'skipped_throttled';
  }

  private quotes(tipLamports: bigint): RouteQuote[] {
    const base = this.options.baseFeeLamports;
    const price = BigInt(Math.ceil(this.options.collector.view.priorityFeeP95));
    const priority = (price * BigInt(this.options.computeUnitLimit) + 999_999n) / 1_000_000n;
    return [
      { route: 'jito', tipLamports, feeLamports: base, feePaidOnFailure: false },
      { route: 'direct', tipLamports: 0n, feeLamports: base + priority, feePaidOnFailure: true },
    ];
  }

  private build(opportunity: Opportunity, quote: RouteQuote, price: bigint): Submission {
    return {
      id: opportunity.id,
      opportunityId: opportunity.id,
      module: opportunity.module,
      route: quote.route,
      legs: opportunity.legs,
      tipLamports: quote.tipLamports,
      priorityFeeMicroLamports: price,
      computeUnitLimit: this.options.computeUnitLimit,
      transactions: 1,
      signatures: 1,
      // Backrun-only rule: a reaction to a pending swap always lands after it, never before.
      ...(opportunity.afterSignature === undefined
        ? {}
        : { afterSignature: opportunity.afterSignature }),
    };
  }

  private send(record: DecisionRecord, priced: Priced, leaderRunsJito: boolean): void {
    const submission = record.submission as Submission;
    const opportunity = record.opportunity;
    // A bundle lives for one auction: its pools are free again next slot. A direct transaction
    // stays valid until its blockhash expires and may still land: another copy could only
    // land after it and pay its fee for nothing, so its pools wait for the outcome.
    const untilOutcome = submission.route === 'direct' || !this.resendPerSlot;
    this.holds.hold(opportunity.pools, opportunity.slot, untilOutcome);
    this.counters.submissions++;
    if (submission.route === 'jito') this.counters.jitoSubmissions++;
    this.options.joint?.sent(submission.id);
    // Send latency is the executor's to measure (SubmissionOutcome.sendLatencyMs): this call
    // returns before anything reaches the network.
    this.options.executor.submit(submission).then(
      (outcome) => {
        // Landed: the trade has taken the opportunity; the pools' next update says what is left.
        if (outcome.landed) this.holds.close(opportunity);
        if (untilOutcome) this.holds.release(opportunity.pools);
        this.learn(outcome, record, priced, leaderRunsJito);
      },
      (err: unknown) => {
        this.failure = err;
      },
    );
  }

  private learn(
    outcome: SubmissionOutcome,
    record: DecisionRecord,
    priced: Priced,
    leaderRunsJito: boolean,
  ): void {
    const c = this.counters;
    c.decided++;
    if (outcome.landed) c.landed++;
    if (outcome.profitLamports < 0n) c.negativeOutcomes++;
    const { joint, tips, routes } = this.options;
    if (joint !== undefined) {
      // The joint policy reads every outcome itself (learning.ts's table still holds: it
      // learns only from the auction's and the network's verdicts).
      if (priced.memo !== undefined) joint.learn(priced.memo, outcome);
    } else if (priced.arm >= 0) {
      // Only auction and network outcomes teach; refusals, failed simulations and slippage
      // are recorded (observers below) but teach nothing (learning.ts).
      const lesson = lessonOf(outcome);
      if (lesson.route) {
        (routes as RoutePolicy).update(
          outcome.route,
          { leaderRunsJito, grossProfitLamports: record.opportunity.grossProfitLamports },
          outcome,
        );
      }
      if (outcome.route === 'jito' && lesson.tip) {
        const gross = Number(record.opportunity.grossProfitLamports);
        const payoff = outcome.landed ? Number(outcome.profitLamports) / gross : 0;
        const lamports = outcome.landed ? Number(outcome.profitLamports) : 0;
        (tips as TipPolicy).update(priced.arm, outcome.landed, payoff, lamports);
      }
    }
    for (const o of this.options.observers ?? []) o.onOutcome?.(outcome, record);
  }

  private record(
    opportunity: Opportunity,
    score: number,
    decision: Decision,
    choice: RouteChoice,
    hotPathUs: number,
    submission?: Submission,
    explore = false,
  ): DecisionRecord {
    return {
      opportunity,
      agentId: this.options.agentId,
      score,
      modelVersion: this.options.scorer.version,
      decision,
      route: choice.quote.route,
      tipLamports: choice.quote.tipLamports,
      feeLamports: choice.quote.feeLamports,
      expectedNetLamports: choice.expectedNetLamports,
      hotPathUs,
      ...(submission === undefined ? {} : { submission }),
      ...(explore ? { explore } : {}),
    };
  }

  private observe(record: DecisionRecord): void {
    for (const o of this.options.observers ?? []) o.onDecision?.(record);
  }

  /** Hot-path percentiles (ms) since the last call, then starts a new window. */
  takeWindow(): { hotP50Ms: number; hotP99Ms: number } {
    const w = this.window;
    const out = {
      hotP50Ms: w.totalCount === 0 ? 0 : w.getValueAtPercentile(50) / 1e6,
      hotP99Ms: w.totalCount === 0 ? 0 : w.getValueAtPercentile(99) / 1e6,
    };
    w.reset();
    return out;
  }
}

/** How one decision was priced, kept until its outcome teaches the policies. */
interface Priced {
  choice: RouteChoice;
  priorityFee: bigint;
  /** The tip arm pulled (split policies); −1 for an exploring probe. */
  arm: number;
  memo?: JointMemo;
}

/** Nanosecond values from 1 ns to 60 s, 3 significant digits. */
export function newHistogram(): hdr.Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000_000,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}
