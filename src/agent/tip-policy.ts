import { PolicyRng } from './rng.js';
import {
  type ArmStat,
  SIZE_BUCKETS,
  sizeBucket,
  type TipChoice,
  type TipContext,
  type TipPolicy,
} from './types.js';

/**
 * Tip policies over a ladder of arms, each a share of the gross profit (floored at the
 * minimum tip). The payoff of a pull is landed × (net profit / gross profit), i.e. 1 − share
 * when it lands and 0 when it does not (a losing bundle pays nothing), so the best arm is the
 * one maximising P(land | share) × (1 − share).
 */

export const DEFAULT_TIP_LADDER: readonly number[] = [0.05, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9];

/** The tip of a share of the gross profit, floored at the minimum tip. */
export function tipFor(share: number, context: TipContext): bigint {
  const bid = BigInt(Math.floor(Number(context.grossProfitLamports) * share));
  return bid > context.minTipLamports ? bid : context.minTipLamports;
}

/**
 * Thompson sampling with discounting: each arm holds a Beta posterior on its landing rate;
 * every update first multiplies all arms' evidence by `discount`, so evidence older than
 * about 1 / (1 − discount) updates fades and the policy follows a regime change. A draw from
 * each posterior times the arm's kept share (1 − share) picks the arm.
 */
export class DiscountedThompsonTip implements TipPolicy {
  readonly name = 'thompson_discounted';
  private readonly alpha: number[];
  private readonly beta: number[];
  private readonly pulls: number[];
  private readonly payoff: number[];
  private readonly lamports: number[];
  private readonly rng: PolicyRng;

  constructor(
    readonly ladder: readonly number[] = DEFAULT_TIP_LADDER,
    private readonly discount = 0.97,
    seed = 1,
    /** Beta(1, 1) prior, renewed in part on each discount step so no arm is starved. */
    private readonly prior = 1,
  ) {
    this.alpha = ladder.map(() => prior);
    this.beta = ladder.map(() => prior);
    this.pulls = ladder.map(() => 0);
    this.payoff = ladder.map(() => 0);
    this.lamports = ladder.map(() => 0);
    this.rng = new PolicyRng(seed);
  }

  choose(context: TipContext): TipChoice {
    let arm = 0;
    let best = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < this.ladder.length; i++) {
      const p = this.rng.beta(this.alpha[i] as number, this.beta[i] as number);
      const value = p * (1 - (this.ladder[i] as number));
      if (value > best) {
        best = value;
        arm = i;
      }
    }
    return { arm, tipLamports: tipFor(this.ladder[arm] as number, context) };
  }

  update(arm: number, landed: boolean, payoff: number, payoffLamports = 0): void {
    const g = this.discount;
    const renew = (1 - g) * this.prior;
    for (let i = 0; i < this.ladder.length; i++) {
      this.alpha[i] = g * (this.alpha[i] as number) + renew;
      this.beta[i] = g * (this.beta[i] as number) + renew;
    }
    if (landed) this.alpha[arm] = (this.alpha[arm] as number) + 1;
    else this.beta[arm] = (this.beta[arm] as number) + 1;
    this.pulls[arm] = (this.pulls[arm] as number) + 1;
    this.payoff[arm] = (this.payoff[arm] as number) + payoff;
    this.lamports[arm] = (this.lamports[arm] as number) + payoffLamports;
  }

  /** Posterior mean landing rate of an arm (tests, route pricing). */
  meanLanding(arm: number): number {
    const a = this.alpha[arm] as number;
    return a / (a + (this.beta[arm] as number));
  }

  arms(): readonly ArmStat[] {
    return armStats(this.ladder, this.pulls, this.payoff, this.lamports);
  }
}

/**
 * Baseline, exactly as commonly deployed: UCB1 over exponentially weighted moving-average
 * payoffs. The EWMA forgets, but UCB's bonus shrinks with total pulls, not with the age of the
 * evidence, so after a regime change it explores too little and too late.
 */
export class UcbEwmaTip implements TipPolicy {
  readonly name = 'ucb_ewma';
  private readonly mean: number[];
  private readonly pulls: number[];
  private readonly payoff: number[];
  private readonly lamports: number[];
  private total = 0;

  constructor(
    readonly ladder: readonly number[] = DEFAULT_TIP_LADDER,
    private readonly weight = 0.05,
    private readonly exploration = 0.5,
  ) {
    this.mean = ladder.map(() => 0);
    this.pulls = ladder.map(() => 0);
    this.payoff = ladder.map(() => 0);
    this.lamports = ladder.map(() => 0);
  }

  choose(context: TipContext): TipChoice {
    let arm = 0;
    let best = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < this.ladder.length; i++) {
      const n = this.pulls[i] as number;
      if (n === 0) return { arm: i, tipLamports: tipFor(this.ladder[i] as number, context) };
      const value =
        (this.mean[i] as number) + this.exploration * Math.sqrt((2 * Math.log(this.total)) / n);
      if (value > best) {
        best = value;
        arm = i;
      }
    }
    return { arm, tipLamports: tipFor(this.ladder[arm] as number, context) };
  }

  update(arm: number, _landed: boolean, payoff: number, payoffLamports = 0): void {
    const n = (this.pulls[arm] as number) + 1;
    this.lamports[arm] = (this.lamports[arm] as number) + payoffLamports;
    this.pulls[arm] = n;
    this.total++;
    this.payoff[arm] = (this.payoff[arm] as number) + payoff;
    // The first pull seeds the average; later ones move it by `weight`.
    const m = this.mean[arm] as number;
    this.mean[arm] = n === 1 ? payoff : m + this.weight * (payoff - m);
  }

  arms(): readonly ArmStat[] {
    return armStats(this.ladder, this.pulls, this.payoff, this.lamports);
  }
}

/** One arm, always: the fixed policies an oracle is chosen from. */
export class FixedTip implements TipPolicy {
  readonly name: string;
  private pulls = 0;
  private payoff = 0;
  private lamports = 0;

  constructor(readonly share: number) {
    this.name = `fixed_${share}`;
  }

  choose(context: TipContext): TipChoice {
    return { arm: 0, tipLamports: tipFor(this.share, context) };
  }

  update(_arm: number, _landed: boolean, payoff: number, payoffLamports = 0): void {
    this.pulls++;
    this.payoff += payoff;
    this.lamports += payoffLamports;
  }

  arms(): readonly ArmStat[] {
    return armStats([this.share], [this.pulls], [this.payoff], [this.lamports]);
  }
}

function armStats(
  ladder: readonly number[],
  pulls: number[],
  payoff: number[],
  lamports: number[],
): ArmStat[] {
  return ladder.map((share, i) => {
    const n = pulls[i] as number;
    return {
      label: `${share}`,
      pulls: n,
      meanPayoff: n === 0 ? 0 : (payoff[i] as number) / n,
      meanPayoffSol: n === 0 ? 0 : (lamports[i] as number) / n / 1e9,
    };
  });
}

/**
 * One policy per size class (`sizeBucket`): large dislocations draw every rival, so the tip
 * that wins them differs from the one that wins small ones. Arms are numbered
 * bucket × ladder length + arm.
 */
export class BucketedTip implements TipPolicy {
  readonly name: string;
  private readonly perBucket: TipPolicy[];

  constructor(
    make: (bucket: number) => TipPolicy,
    private readonly width: number,
  ) {
    this.perBucket = Array.from({ length: SIZE_BUCKETS }, (_, b) => make(b));
    this.name = `bucketed_${this.perBucket[0]?.name ?? 'none'}`;
  }

  choose(context: TipContext): TipChoice {
    const bucket = sizeBucket(context.grossProfitLamports);
    const choice = (this.perBucket[bucket] as TipPolicy).choose(context);
    return { arm: bucket * this.width + choice.arm, tipLamports: choice.tipLamports };
  }

  update(arm: number, landed: boolean, payoff: number, payoffLamports = 0): void {
    const policy = this.perBucket[Math.floor(arm / this.width)] as TipPolicy;
    policy.update(arm % this.width, landed, payoff, payoffLamports);
  }

  arms(): readonly ArmStat[] {
    return this.perBucket.flatMap((p, b) =>
      p.arms().map((a) => ({ ...a, label: `${b}:${a.label}` })),
    );
  }
}
