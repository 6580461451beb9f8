import { create } from '@bufbuild/protobuf';
import type { TopicMessage, TopicName } from '../bus/topics.js';
import {
  BundleOutcomeSchema,
  MetricsUpdateSchema,
  OpportunitySchema,
  Decision as ProtoDecision,
  Route as ProtoRoute,
  StageLatencySchema,
  TipArmStatSchema,
} from '../gen/landfall/v1/realtime_pb.js';
import type { Clock, Module, Route, SubmissionOutcome } from '../market/types.js';
import type { ShadowScorer } from '../model/shadow.js';
import { toProtoModule } from '../proto/module.js';
import { type DecisionRecord, type Engine, type EngineObserver, newHistogram } from './engine.js';
import { OutcomeWindow } from './outcome-window.js';

/** The one thing telemetry needs of a bus (the TypedBus has it); no driver type leaks in. */
export interface TelemetryPublisher {
  publish<T extends TopicName>(topic: T, message: TopicMessage<T>): Promise<void>;
}

/**
 * An executor that times the live path by stage (the Solana executors): telemetry takes its
 * module's stages once an interval into `MetricsUpdate.stages`. Found on the engine's executor;
 * any other executor has none.
 */
export interface StageReporter {
  takeStages(module: Module): readonly {
    readonly stage: string;
    readonly count: number;
    readonly p50Us: number;
    readonly p99Us: number;
    readonly maxUs: number;
  }[];
}

function stagesOf(executor: unknown, module: Module) {
  const r = executor as Partial<StageReporter> | undefined;
  return typeof r?.takeStages === 'function' ? r.takeStages(module) : [];
}

const ROUTE = { jito: ProtoRoute.JITO, direct: ProtoRoute.DIRECT } as const;
const DECISION = {
  submitted: ProtoDecision.SUBMITTED,
  skipped_score: ProtoDecision.SKIPPED_SCORE,
  skipped_negative_ev: ProtoDecision.SKIPPED_NEGATIVE_EV,
  skipped_killed: ProtoDecision.SKIPPED_KILLED,
  skipped_throttled: ProtoDecision.SKIPPED_THROTTLED,
} as const;
const HOUR_MS = 3_600_000;

/**
 * Publishes what an engine does on the bus topics of DESIGN.md: every opportunity with its
 * feature vector (`arb-` or `mev-opportunities-proto`), every outcome
 * (`bundle-outcomes-proto`), and every `intervalMs` (1 s) a `MetricsUpdate` on `metrics-proto`.
 * Publishing never blocks the engine: a failed publish is counted and handed to `onError`.
 *
 * `neg_ev_rate` is the share of decided submissions that lost money (fees of a reverted
 * direct transaction, or a landed trade that realised less than its tip and fees): submissions with negative *expected* net never happen (engine rule),
 * so the realised rate is the figure worth an SLO.
 *
 * `landed_pct` and `neg_ev_rate` are lifetime figures (kept for existing readers); the
 * `*_window` fields carry the same rates over the last `windowMs` of the market's clock (the
 * guard's SLO window), which is what shows a collapse at once. `send_p99` is over the
 * `sendLatencyMs` each executor measured around its network send, for outcomes known this
 * interval.
 *
 * For the guard, each update also carries cumulative counts (`decided`, `negative_outcomes`,
 * `hotpath_slow` against `hotpath_slow_ms`), so rates over any window are exact deltas, and
 * `state` from the engine's gate (running, throttled, killed).
 *
 * With a `shadow` scorer, opportunity messages go through it: it scores each vector with the
 * candidate on a later event-loop turn and publishes it then, so the decision never waits.
 */
export class Telemetry implements EngineObserver {
  private engine: Engine | undefined;
  private readonly pnl: { atMs: number; lamports: number }[] = [];
  private cancel: (() => void) | undefined;
  private hotPathSlow = 0;
  private readonly recent: OutcomeWindow;
  /** Send latencies (ns) of the outcomes known since the last update. */
  private readonly sends = newHistogram();
  publishErrors = 0;

  constructor(
    private readonly publisher: TelemetryPublisher,
    private readonly agentId: string,
    private readonly module: Module,
    private readonly clock: Clock,
    private readonly onError: (err: unknown) => void = () => undefined,
    /** Hot paths slower than this are counted (the guard's `slo.hotpathP99Ms`). */
    private readonly hotPathSlowMs = 20,
    /** The window of the `*_window` rates, ms of the market's clock (the guard's `windowMs`). */
    private readonly windowMs = 30_000,
    /** A candidate scoring beside the live model (model.shadow); none: no shadow scores. */
    private readonly shadow?: ShadowScorer,
  ) {
    this.recent = new OutcomeWindow(windowMs);
  }

  /** Starts the metrics ticker for `engine` (on the market's clock). */
  start(engine: Engine, intervalMs = 1_000): void {
    this.engine = engine;
    const tick = () => {
      this.publishMetrics();
      this.cancel = this.clock.schedule(intervalMs, tick);
    };
    this.cancel = this.clock.schedule(intervalMs, tick);
  }

  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
  }

  onDecision(r: DecisionRecord): void {
    const o = r.opportunity;
    if (r.decision === 'submitted' && r.hotPathUs > this.hotPathSlowMs * 1000) this.hotPathSlow++;
    const message = create(OpportunitySchema, {
      opportunityId: o.id,
      module: toProtoModule(o.module),
      tsMs: BigInt(Math.round(o.atMs)),
      slot: BigInt(o.slot),
      agentId: r.agentId,
      strategy: o.strategy,
      pools: [...o.pools],
      inputMint: o.inputMint,
      inputAmount: o.inputAmount,
      grossProfitLamports: o.grossProfitLamports,
      featureSet: o.featureSet,
      features: Array.from(o.features),
      score: r.score,
      modelVersion: r.modelVersion,
      tipLamports: r.tipLamports,
      feeLamports: r.feeLamports,
      route: ROUTE[r.route],
      expectedNetLamports: BigInt(Math.trunc(r.expectedNetLamports)),
      decision: DECISION[r.decision],
      triggerSignature: o.afterSignature ?? '',
      hotPathUs: r.hotPathUs,
      explore: r.explore === true,
    });
    const topic = o.module === 'arb' ? 'arb-opportunities-proto' : 'mev-opportunities-proto';
    if (this.shadow === undefined) this.send(topic, message);
    else this.shadow.enqueue(message, (m) => this.send(topic, m));
  }

  onOutcome(outcome: SubmissionOutcome, r: DecisionRecord): void {
    this.pnl.push({ atMs: outcome.atMs, lamports: Number(outcome.profitLamports) });
    this.recent.add(outcome.atMs, outcome.landed, outcome.profitLamports < 0n);
    const send = outcome.sendLatencyMs;
    if (send !== undefined && Number.isFinite(send) && send >= 0)
      this.sends.recordValue(Math.min(60e9, Math.max(1, Math.round(send * 1e6))));
    this.send(
      'bundle-outcomes-proto',
      create(BundleOutcomeSchema, {
        bundleId: outcome.submissionId,
        opportunityId: outcome.opportunityId,
        module: toProtoModule(outcome.module),
        tsMs: BigInt(Math.round(outcome.atMs)),
        landed: outcome.landed,
        tipLamports: outcome.tipLamports,
        path: ROUTE[outcome.route as Route],
        leader: outcome.leader,
        slot: BigInt(outcome.slot),
        profitLamports: outcome.profitLamports,
        feeLamports: outcome.feeLamports,
        agentId: r.agentId,
        expectedNetLamports: BigInt(Math.trunc(r.expectedNetLamports)),
        failure: outcome.failure ?? '',
        latencyMs: outcome.latencyMs,
      }),
    );
  }

  /** Builds and publishes one MetricsUpdate now (the ticker calls this). */
  publishMetrics(): void {
    // Opportunities still waiting for a shadow score go out before the figures that count them
    // (the last update of a run is published after the market stopped).
    this.shadow?.flush();
    const engine = this.engine;
    if (engine === undefined) return;
    const now = this.clock.now();
    while (this.pnl.length > 0 && (this.pnl[0]?.atMs ?? now) < now - HOUR_MS) this.pnl.shift();
    const pnlLamports = this.pnl.reduce((sum, p) => sum + p.lamports, 0);
    const c = engine.counters;
    const w = engine.takeWindow();
    const s = this.sends;
    const sendP99Ms = s.totalCount === 0 ? 0 : s.getValueAtPercentile(99) / 1e6;
    s.reset();
    const r = this.recent.totals(now);
    this.send(
      'metrics-proto',
      create(MetricsUpdateSchema, {
        agentId: this.agentId,
        module: toProtoModule(this.module),
        tsMs: BigInt(Math.round(now)),
        hotpathP50Ms: w.hotP50Ms,
        hotpathP99Ms: w.hotP99Ms,
        sendP99Ms,
        landedPct: c.decided === 0 ? 0 : (100 * c.landed) / c.decided,
        pnl1h: pnlLamports / 1e9,
        negEvRate: c.decided === 0 ? 0 : c.negativeOutcomes / c.decided,
        landedPctWindow: r.decided === 0 ? 0 : (100 * r.landed) / r.decided,
        negEvRateWindow: r.decided === 0 ? 0 : r.negative / r.decided,
        decidedWindow: BigInt(r.decided),
        windowMs: BigInt(this.windowMs),
        opportunities: BigInt(c.opportunities),
        submissions: BigInt(c.submissions),
        landed: BigInt(c.landed),
        state: engine.options.gate?.state ?? 'running',
        decided: BigInt(c.decided),
        negativeOutcomes: BigInt(c.negativeOutcomes),
        hotpathSlow: BigInt(this.hotPathSlow),
        hotpathSlowMs: this.hotPathSlowMs,
        modelVersion: engine.options.scorer.version,
        jitoShare: c.submissions === 0 ? 0 : c.jitoSubmissions / c.submissions,
        stages: stagesOf(engine.options.executor, this.module).map((s) =>
          create(StageLatencySchema, {
            stage: s.stage,
            count: BigInt(s.count),
            p50Us: s.p50Us,
            p99Us: s.p99Us,
            maxUs: s.maxUs,
          }),
        ),
        tipArms: engine.arms().map((a) =>
          create(TipArmStatSchema, {
            label: a.label,
            pulls: BigInt(a.pulls),
            meanPayoffShare: a.meanPayoff,
            meanPayoffSol: a.meanPayoffSol,
          }),
        ),
      }),
    );
  }

  private send<T extends TopicName>(topic: T, message: TopicMessage<T>): void {
    this.publisher.publish(topic, message).catch((err: unknown) => {
      this.publishErrors++;
      this.onError(err);
    });
  }
}
