import type { MarketEvent, SubmissionOutcome } from '../market/types.js';
import type { CompetitionSignal } from './competition-signal.js';
import type { JointPriors } from './joint-priors.js';
import { logit, OnlineLogistic } from './online-logistic.js';
import { PolicyRng } from './rng.js';
import type { Exploration, RoutePriors } from './tunable-policy.js';
import type { ArmStat, MarketView, RouteQuote } from './types.js';

/**
 * Landfall's policy: tip and route chosen together, as one decision, from learnt models of
 * what each action returns. For an opportunity of gross G in context x:
 *
 *   Jito at tip share s:   P(Jito leader at the tick) · R(jito | x) · W(tip | x) · (G − tip − fee)
 *   direct at price level: D(price | x) · (R(direct | x) · G − fee)
 *
 * - P(Jito leader) is read from the leader schedule (the slot events), never learnt.
 * - R, the chance that the opportunity is still there when the submission executes (no rival
 *   took it first; a backrun's target landed), is a logistic model of size, congestion, the
 *   shared competition signal, the route, and the scorer's probability — the trained model
 *   enters the expected value through it, with a weight learnt from outcomes.
 * - W, the chance that a bundle wins its auction, is a logistic model in log(tip) and
 *   logit(share) with non-negative weights (so it rises with the tip, under any updates) plus
 *   context: size, congestion, the tick's phase, competition, the going tip level. Learnt
 *   only from auction outcomes: landed against `auction_lost`.
 * - D, the chance that a direct transaction is included, is logistic in log(price / p50) with
 *   a non-negative weight, and congestion.
 *
 * One parameter set per model serves every tip level, size and context (cross-learning: an
 * outcome at one share teaches every share). Exploration is Thompson sampling: one posterior
 * draw of each model per decision picks the action; the action is then re-priced under the
 * posterior mean, and nothing goes out whose mean expected net is not positive.
 */

export interface JointSettings {
  /** Tip shares priced (the ladder and the midpoints between its arms). */
  readonly ladder: readonly number[];
  /** Direct compute-unit price levels, as multiples of the going p95. */
  readonly directLevels: readonly number[];
  /** Per-update evidence retention of the models (memory ≈ 1/(1 − forget) outcomes). */
  readonly forget: number;
  readonly auctionTickMs: number;
  readonly slotMs: number;
  /** Thompson draws' spread as a multiple of the posterior's (1: plain Thompson sampling). */
  readonly thompsonScale: number;
  /** The models' priors (`joint-priors.ts`: fitted on the tuning seeds, per module). */
  readonly priors: JointPriors;
  readonly seed: number;
}

export const DEFAULT_DIRECT_LEVELS: readonly number[] = [0.5, 1, 2, 4];

export interface JointContext {
  readonly grossProfitLamports: bigint;
  readonly minTipLamports: bigint;
  readonly baseFeeLamports: bigint;
  readonly computeUnitLimit: number;
  /** The scorer's probability that the opportunity pays. */
  readonly score: number;
  readonly view: MarketView;
}

/** What an outcome teaches: the feature vectors the chosen action was priced with. */
export interface JointMemo {
  readonly generation: number;
  readonly action: number;
  readonly gross: number;
  readonly win: Float64Array | null;
  readonly still: Float64Array;
  readonly include: Float64Array | null;
}

export interface JointDecision {
  readonly quote: RouteQuote;
  readonly priorityFeeMicroLamports: bigint;
  /** Landing probability of the chosen action under the posterior mean. */
  readonly pLand: number;
  /** Its expected net under the posterior mean, lamports; the engine's gate is > 0. */
  readonly expectedNetLamports: number;
  readonly memo: JointMemo;
}

// Feature layouts ("rivals": the rival-count signal; "contested": our recent loss share; both
// from `CompetitionSignal`). W: [1, log10 tip − 5, logit(share), log10 G − 6, congestion, tick
// phase, rivals, log10 tip floor − 5, contested]; weights 1 and 2 are the tip's, never negative.
const W_DIM = 9;
const W_TIP = [1, 2];
// R: [1, is direct, log10 G − 6, congestion, rivals, logit(score)/4, contested].
const R_DIM = 7;
// D: [1, log2(price / p50), congestion]; weight 1 is the price's and never negative.
const D_DIM = 3;
const D_PRICE = [1];

export class JointPolicy {
  readonly name = 'joint_thompson';
  readonly exploration: Exploration = { value: 0 };
  private win!: OnlineLogistic;
  private still!: OnlineLogistic;
  private include!: OnlineLogistic;
  private shares: readonly number[] = [];
  private current: readonly number[];
  private priorsSet: RoutePriors | undefined;
  private generation = 0;
  private readonly rng: PolicyRng;
  private pulls: number[] = [];
  private payoff: number[] = [];
  private lamports: number[] = [];
  /** EWMA of the send latency to the block engine, ms (when the bundle meets its tick). */
  private sendMs = 50;
  // Scratch per decision: the candidates' expected nets under the draw and the mean.
  private readonly phiW = new Float64Array(W_DIM);
  private readonly phiR = new Float64Array(R_DIM);
  private readonly phiD = new Float64Array(D_DIM);
  private readonly drawW = new Float64Array(W_DIM);
  /** Each action's expected net under the posterior mean, this decision. */
  private meanValues = new Float64Array(0);
  private readonly drawR = new Float64Array(R_DIM);

  constructor(
    private readonly settings: JointSettings,
    private readonly competition: CompetitionSignal,
  ) {
    this.current = [...settings.ladder];
    this.rng = new PolicyRng(settings.seed);
    this.reset();
  }

  /** The tip ladder set_policy changes (the policy prices it and its midpoints). */
  get ladder(): readonly number[] {
    return this.current;
  }

  setLadder(ladder: readonly number[]): void {
    this.current = [...ladder];
    this.reset();
  }

  get priors(): RoutePriors | undefined {
    return this.priorsSet;
  }

  /**
   * set_policy's route priors: landing rates per route and their strength (pseudo-outcomes),
   * as the prior of the still-there model's intercept and route term. Learning restarts.
   */
  setPriors(priors: RoutePriors): void {
    this.priorsSet = { ...priors };
    this.reset();
  }

  private reset(): void {
    const s = this.settings;
    this.shares = refine(this.current);
    this.pulls = new Array(this.shares.length + s.directLevels.length).fill(0);
    this.meanValues = new Float64Array(this.pulls.length);
    this.payoff = this.pulls.map(() => 0);
    this.lamports = this.pulls.map(() => 0);
    const r = { mean: [...s.priors.still.mean], sd: [...s.priors.still.sd] };
    const p = this.priorsSet;
    if (p !== undefined) {
      // A Beta(n·p, n·(1−p)) rate is ≈ a logit-normal with mean logit(p), sd 1/√(n·p(1−p)).
      const sd = (q: number) => 1 / Math.sqrt(Math.max(1e-9, p.strength * q * (1 - q)));
      r.mean[0] = logit(p.jito);
      r.sd[0] = sd(p.jito);
      r.mean[1] = logit(p.direct) - logit(p.jito);
      r.sd[1] = Math.hypot(sd(p.direct), sd(p.jito));
    }
    this.win = new OnlineLogistic(s.priors.win, s.forget, W_TIP);
    this.still = new OnlineLogistic(r, s.forget);
    this.include = new OnlineLogistic(s.priors.include, s.forget, D_PRICE);
    this.generation++;
  }

  choose(ctx: JointContext): JointDecision {
    const view = ctx.view;
    const g = ctx.grossProfitLamports;
    const gross = Number(g);
    const base = Number(ctx.baseFeeLamports);
    const leader = this.jitoAtTick(view) ? 1 : 0;
    // A fee feed that ever reads non-finite must not reach BigInt(): price from 1 µlamport/CU.
    const p50 = finiteAtLeast1(view.priorityFeeP50);
    const p95 = Math.max(p50, finiteAtLeast1(view.priorityFeeP95));
    const nShares = this.shares.length;
    const nActions = nShares + this.settings.directLevels.length;

    const explore = this.exploration.value > 0 && this.rng.float() < this.exploration.value;
    const k = this.settings.thompsonScale;
    // Draws into buffers kept for the purpose: no allocation on the hot path.
    const wDraw = explore ? this.win.mean : copyInto(this.drawW, this.win.sample(this.rng, k));
    const rDraw = explore ? this.still.mean : copyInto(this.drawR, this.still.sample(this.rng, k));
    const dDraw = explore ? this.include.mean : this.include.sample(this.rng, k);

    const { phiW: wPhi, phiR: rPhi, phiD: dPhi } = this;
    this.fillContext(ctx);
    rPhi[1] = 0;
    const rJitoMean = this.still.prob(rPhi);
    const rJitoDraw = this.still.prob(rPhi, rDraw);
    rPhi[1] = 1;
    const rDirectMean = this.still.prob(rPhi);
    const rDirectDraw = this.still.prob(rPhi, rDraw);

    let bestDrawn = -1;
    let bestDrawnValue = Number.NEGATIVE_INFINITY;
    let bestMean = -1;
    let bestMeanValue = Number.NEGATIVE_INFINITY;
    const meanValues = this.meanValues;
    const minTip = Number(ctx.minTipLamports);
    let positives = 0;
    for (let a = 0; a < nActions; a++) {
      let drawn: number;
      let mean: number;
      if (a < nShares) {
        // In numbers here (exact below 2⁵³ lamports); the chosen tip is rebuilt as a bigint.
        const tip = Math.max(minTip, Math.floor(gross * (this.shares[a] as number)));
        const net = gross - tip - base;
        if (net <= 0 || leader === 0) {
          meanValues[a] = Number.NEGATIVE_INFINITY;
          continue;
        }
        this.fillTip(wPhi, tip, gross);
        mean = rJitoMean * this.win.prob(wPhi) * net;
        drawn = rJitoDraw * this.win.prob(wPhi, wDraw) * net;
      } else {
        const price = this.priceOf(a - nShares, p95);
        const fee = base + priorityFee(price, ctx.computeUnitLimit);
        if (gross - fee <= 0) {
          meanValues[a] = Number.NEGATIVE_INFINITY;
          continue;
        }
        dPhi[1] = Math.log2(price / p50);
        mean = this.include.prob(dPhi) * (rDirectMean * gross - fee);
        drawn = this.include.prob(dPhi, dDraw) * (rDirectDraw * gross - fee);
      }
      meanValues[a] = mean;
      if (mean > 0) positives++;
      if (drawn > bestDrawnValue) {
        bestDrawnValue = drawn;
        bestDrawn = a;
      }
      if (mean > bestMeanValue) {
        bestMeanValue = mean;
        bestMean = a;
      }
    }
    let action: number;
    if (explore && positives > 0) {
      action = nthPositive(meanValues, nActions, Math.floor(this.rng.float() * positives));
    } else if (bestDrawn >= 0 && (meanValues[bestDrawn] as number) > 0) {
      action = bestDrawn;
    } else {
      // The draw's favourite does not pay on the mean: take the mean's best, or skip on it.
      action = bestMean >= 0 ? bestMean : nShares;
    }
    // No action can pay at all (the engine skips it): a finite figure for telemetry.
    const expected = meanValues[action] ?? Number.NEGATIVE_INFINITY;
    return this.decision(action, ctx, Number.isFinite(expected) ? expected : 0, {
      leader,
      rJito: rJitoMean,
      rDirect: rDirectMean,
      p50,
      p95,
    });
  }

  private decision(
    action: number,
    ctx: JointContext,
    expected: number,
    at: { leader: number; rJito: number; rDirect: number; p50: number; p95: number },
  ): JointDecision {
    const g = ctx.grossProfitLamports;
    const gross = Number(g);
    const nShares = this.shares.length;
    const still = Float64Array.from(this.phiR);
    if (action < nShares) {
      const tip = tipOf(this.shares[action] as number, g, ctx.minTipLamports);
      this.fillTip(this.phiW, Number(tip), gross);
      const win = Float64Array.from(this.phiW);
      still[1] = 0;
      return {
        quote: {
          route: 'jito',
          tipLamports: tip,
          feeLamports: ctx.baseFeeLamports,
          feePaidOnFailure: false,
        },
        priorityFeeMicroLamports: 0n,
        pLand: at.leader * at.rJito * this.win.prob(win),
        expectedNetLamports: expected,
        memo: { generation: this.generation, action, gross, win, still, include: null },
      };
    }
    const price = this.priceOf(action - nShares, at.p95);
    const fee = ctx.baseFeeLamports + BigInt(priorityFee(price, ctx.computeUnitLimit));
    this.phiD[1] = Math.log2(price / at.p50);
    const include = Float64Array.from(this.phiD);
    still[1] = 1;
    return {
      quote: { route: 'direct', tipLamports: 0n, feeLamports: fee, feePaidOnFailure: true },
      priorityFeeMicroLamports: BigInt(Math.ceil(price)),
      pLand: this.include.prob(include) * at.rDirect,
      expectedNetLamports: expected,
      memo: { generation: this.generation, action, gross, win: null, still, include },
    };
  }

  /**
   * The memo of a bundle at `tip` (paper exploration's probe at the minimum tip), so its
   * outcome teaches the models like any chosen action's.
   */
  memoAt(tip: bigint, ctx: JointContext): JointMemo {
    const gross = Number(ctx.grossProfitLamports);
    this.fillContext(ctx);
    this.phiR[1] = 0;
    this.fillTip(this.phiW, Number(tip), gross);
    const win = Float64Array.from(this.phiW);
    const still = Float64Array.from(this.phiR);
    // Not one of the priced actions: counted on no arm.
    return { generation: this.generation, action: -1, gross, win, still, include: null };
  }

  /** Fills every feature that does not depend on the action, from the context. */
  private fillContext(ctx: JointContext): void {
    const view = ctx.view;
    const lg = Math.log10(Math.max(1, Number(ctx.grossProfitLamports))) - 6;
    const competition = this.competition.level(view.nowMs);
    const tick = this.settings.auctionTickMs;
    const r = this.phiR;
    r[0] = 1;
    r[2] = lg;
    r[3] = view.congestion;
    r[4] = competition;
    r[5] = logit(Math.min(0.999, Math.max(0.001, ctx.score))) / 4;
    r[6] = this.competition.contested;
    const w = this.phiW;
    w[0] = 1;
    w[3] = lg;
    w[4] = view.congestion;
    w[5] = (view.nowMs % tick) / tick;
    w[6] = competition;
    w[7] = Math.log10(Math.max(1, view.tipFloorP50)) - 5;
    w[8] = this.competition.contested;
    const d = this.phiD;
    d[0] = 1;
    d[2] = view.congestion;
  }

  /** What an outcome teaches each model; one under an older ladder or priors is dropped. */
  learn(memo: JointMemo, outcome: SubmissionOutcome): void {
    this.competition.observe(outcome);
    if (memo.generation !== this.generation) return;
    if (outcome.sendLatencyMs !== undefined && outcome.route === 'jito')
      this.sendMs += 0.05 * (outcome.sendLatencyMs - this.sendMs);
    const f = outcome.landed ? null : outcome.failure;
    if (memo.win !== null) {
      if (outcome.landed || f === 'auction_lost') {
        this.win.update(memo.win, outcome.landed ? 1 : 0);
        this.still.update(memo.still, 1);
      } else if (f === 'rival_first' || f === 'expired') {
        this.still.update(memo.still, 0);
      }
    } else if (memo.include !== null) {
      if (outcome.landed) {
        this.include.update(memo.include, 1);
        this.still.update(memo.still, 1);
      } else if (f === 'expired') {
        this.include.update(memo.include, 0);
      } else if (f === 'rival_first') {
        this.include.update(memo.include, 1);
        this.still.update(memo.still, 0);
      } else if (f === 'slippage') {
        this.include.update(memo.include, 1);
      }
    }
    const a = memo.action;
    if (a < 0) return;
    this.pulls[a] = (this.pulls[a] ?? 0) + 1;
    if (outcome.landed) {
      const net = Number(outcome.profitLamports);
      this.payoff[a] = (this.payoff[a] ?? 0) + net / Math.max(1, memo.gross);
      this.lamports[a] = (this.lamports[a] ?? 0) + net;
    }
  }

  /** Each action's pulls and mean payoff, labelled by route and tip share or price level. */
  arms(): readonly ArmStat[] {
    const n = this.shares.length;
    return this.pulls.map((pulls, a) => ({
      label: a < n ? `jito ${this.shares[a]}` : `direct ${this.settings.directLevels[a - n]}×p95`,
      pulls,
      meanPayoff: pulls === 0 ? 0 : (this.payoff[a] as number) / pulls,
      meanPayoffSol: pulls === 0 ? 0 : (this.lamports[a] as number) / pulls / 1e9,
    }));
  }

  /** Every market event passes here first: the competition signal reads rivals' landings. */
  onEvent(event: MarketEvent): void {
    this.competition.onEvent(event);
  }

  /** A submission of ours went out (its landing is not a rival's). */
  sent(signature: string): void {
    this.competition.sent(signature);
  }

  /** The three models (tests, diagnostics). */
  get models(): {
    readonly win: OnlineLogistic;
    readonly still: OnlineLogistic;
    readonly include: OnlineLogistic;
  } {
    return { win: this.win, still: this.still, include: this.include };
  }

  /**
   * Whether the leader at the auction tick the bundle will meet runs Jito: the tick after it
   * reaches the block engine, in this slot or, past its end, the next leader's (when this
   * leader's last slot is ending).
   */
  private jitoAtTick(view: MarketView): boolean {
    const tick = this.settings.auctionTickMs;
    const arrive = view.nowMs + this.sendMs;
    const at = Math.ceil(arrive / tick) * tick;
    const slotEnds = view.slotStartMs + this.settings.slotMs;
    if (at < slotEnds || view.leaderSlotsLeft > 0) return view.leaderRunsJito;
    return view.nextLeaderRunsJito;
  }

  private fillTip(phi: Float64Array, tip: number, gross: number): void {
    phi[1] = Math.log10(Math.max(1, tip)) - 5;
    const share = Math.min(0.9999, Math.max(1e-4, tip / Math.max(1, gross)));
    phi[2] = logit(share);
  }

  private priceOf(level: number, p95: number): number {
    return (this.settings.directLevels[level] as number) * p95;
  }
}

function finiteAtLeast1(x: number): number {
  return Number.isFinite(x) ? Math.max(1, x) : 1;
}

/** The index of the n-th (from 0) positive value among the first `count`. */
function nthPositive(values: Float64Array, count: number, n: number): number {
  let seen = 0;
  for (let i = 0; i < count; i++) if ((values[i] as number) > 0 && seen++ === n) return i;
  return -1;
}

function copyInto(to: Float64Array, from: Float64Array): Float64Array {
  to.set(from);
  return to;
}

function tipOf(share: number, gross: bigint, minTip: bigint): bigint {
  const bid = BigInt(Math.floor(Number(gross) * share));
  return bid > minTip ? bid : minTip;
}

function priorityFee(microLamportsPerCu: number, computeUnits: number): number {
  return Math.ceil((Math.ceil(microLamportsPerCu) * computeUnits) / 1_000_000);
}

/** The ladder with the midpoint of each adjacent pair and half its first share. */
export function refine(ladder: readonly number[]): number[] {
  const out: number[] = [];
  const first = ladder[0];
  if (first !== undefined) out.push(first / 2);
  for (let i = 0; i < ladder.length; i++) {
    const s = ladder[i] as number;
    out.push(s);
    const next = ladder[i + 1];
    // Rounded so a midpoint reads as the share it is (0.3, not 0.30000000000000004).
    if (next !== undefined) out.push(Math.round(((s + next) / 2) * 1e6) / 1e6);
  }
  return out;
}
