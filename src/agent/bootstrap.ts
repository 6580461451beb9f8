import { Rng } from '../random/rng.js';

/**
 * Percentile bootstrap over seeds. A seed is the unit of evidence (its market is one draw of
 * the world; its submissions are not independent), so resampling picks whole seeds. One plan
 * of resamples serves every statistic: two policies' totals, or a policy and a baseline, are
 * resampled with the same seeds, which is what makes a ratio's interval a paired one.
 */

export interface Interval {
  readonly low: number;
  readonly high: number;
}

export interface RatioEstimate {
  /** Σ numerator / Σ denominator over all seeds; null when the denominator's sum is ≤ 0. */
  readonly ratio: number | null;
  /** Null when more than the interval's tail share of resamples had a denominator ≤ 0. */
  readonly interval: Interval | null;
  /** Share of resamples whose denominator summed to ≤ 0 (the ratio is undefined there). */
  readonly undefinedShare: number;
}

export interface BootstrapOptions {
  /** Resamples drawn (default 4000). */
  readonly resamples?: number;
  /** Seeds the resampling, so a report is reproducible (default 1). */
  readonly seed?: number;
  /** Coverage of the intervals (default 0.95). */
  readonly level?: number;
}

export class Bootstrap {
  readonly resamples: number;
  readonly level: number;
  /** For each resample, how many times each seed was drawn. */
  private readonly counts: Uint32Array[];

  constructor(
    readonly n: number,
    options: BootstrapOptions = {},
  ) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`bootstrap: need ≥ 1 seed, got ${n}`);
    this.resamples = options.resamples ?? 4000;
    this.level = options.level ?? 0.95;
    const rng = Rng.stream(options.seed ?? 1, 'bootstrap');
    this.counts = Array.from({ length: this.resamples }, () => {
      const c = new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        const k = rng.int(n);
        c[k] = (c[k] ?? 0) + 1;
      }
      return c;
    });
  }

  /** The interval of Σ values (one value per seed). */
  sum(values: readonly number[]): Interval {
    this.check(values);
    return this.interval(this.counts.map((c) => weighted(c, values)));
  }

  /** Ratio of sums, numerator and denominator resampled with the same seeds (paired). */
  ratio(numerator: readonly number[], denominator: readonly number[]): RatioEstimate {
    this.check(numerator);
    this.check(denominator);
    const total = denominator.reduce((s, v) => s + v, 0);
    const ratio = total > 0 ? numerator.reduce((s, v) => s + v, 0) / total : null;
    const stats: number[] = [];
    for (const c of this.counts) {
      const den = weighted(c, denominator);
      if (den > 0) stats.push(weighted(c, numerator) / den);
    }
    const undefinedShare = 1 - stats.length / this.resamples;
    // Resamples without a ratio sit beyond one end or the other: once they are more than a
    // tail's worth, no finite interval has the stated coverage.
    const tail = (1 - this.level) / 2;
    const interval = undefinedShare > tail || stats.length === 0 ? null : this.interval(stats);
    return { ratio, interval, undefinedShare };
  }

  private interval(stats: number[]): Interval {
    stats.sort((a, b) => a - b);
    const tail = (1 - this.level) / 2;
    return { low: quantile(stats, tail), high: quantile(stats, 1 - tail) };
  }

  private check(values: readonly number[]): void {
    if (values.length !== this.n)
      throw new RangeError(
        `bootstrap: expected ${this.n} values (one per seed), got ${values.length}`,
      );
  }
}

function weighted(counts: Uint32Array, values: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < counts.length; i++) s += (counts[i] as number) * (values[i] as number);
  return s;
}

/** Linear interpolation between order statistics (R's type 7) of sorted `xs`. */
function quantile(xs: readonly number[], q: number): number {
  const h = (xs.length - 1) * q;
  const lo = Math.floor(h);
  const a = xs[lo] as number;
  const b = xs[Math.min(lo + 1, xs.length - 1)] as number;
  return a + (h - lo) * (b - a);
}
