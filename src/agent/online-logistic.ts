import type { PolicyRng } from './rng.js';

/**
 * Bayesian logistic regression learnt online: a Gaussian posterior N(mean, precision⁻¹) over
 * the weights, updated per outcome by one Newton (Laplace) step, with forgetting and sign
 * constraints.
 *
 * - Update (y ∈ {0, 1}, features φ): p = σ(meanᵀφ); precision += p(1−p)·φφᵀ;
 *   mean += precision⁻¹·φ·(y − p). The standard online Laplace approximation (Chapelle & Li,
 *   "An Empirical Evaluation of Thompson Sampling", NeurIPS 2011, with a full precision).
 * - Forgetting, before each update: precision ← γ·precision + (1−γ)·prior precision and the
 *   mean moves the same way towards the prior mean, so evidence older than ~1/(1−γ) updates
 *   fades and the posterior never becomes so sure that Thompson sampling stops exploring.
 * - Constraints: weights listed as `nonNegative` are floored at 0 in the mean and in every
 *   draw. A model whose only tip-dependent features are increasing in the tip and carry such
 *   weights is non-decreasing in the tip for the mean and for every draw (the monotone win
 *   model of `joint-policy.ts`).
 *
 * Dimensions are small (≤ 10): the precision is kept with its Cholesky factor, refreshed on
 * each update, so a posterior draw costs one triangular solve.
 */
export class OnlineLogistic {
  readonly dim: number;
  readonly mean: Float64Array;
  private readonly precision: Float64Array;
  private readonly chol: Float64Array;
  private readonly priorMean: Float64Array;
  private readonly priorPrecision: Float64Array;
  private readonly draw: Float64Array;
  private readonly z: Float64Array;
  private readonly scratch: Float64Array;
  updates = 0;

  constructor(
    prior: { readonly mean: readonly number[]; readonly sd: readonly number[] },
    private readonly forget: number,
    private readonly nonNegative: readonly number[] = [],
  ) {
    const d = prior.mean.length;
    if (prior.sd.length !== d) throw new Error('prior mean and sd differ in length');
    if (!(forget > 0 && forget <= 1)) throw new Error(`forget must be in (0, 1], got ${forget}`);
    this.dim = d;
    this.mean = Float64Array.from(prior.mean);
    this.priorMean = Float64Array.from(prior.mean);
    this.priorPrecision = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      const sd = prior.sd[i] as number;
      if (!(sd > 0)) throw new Error(`prior sd ${i} must be positive, got ${sd}`);
      this.priorPrecision[i * d + i] = 1 / (sd * sd);
    }
    this.precision = Float64Array.from(this.priorPrecision);
    this.chol = new Float64Array(d * d);
    this.draw = new Float64Array(d);
    this.z = new Float64Array(d);
    this.scratch = new Float64Array(d);
    this.project(this.mean);
    this.factor();
  }

  /** σ(wᵀφ) for the posterior mean, or for `weights` (a draw). */
  prob(phi: ArrayLike<number>, weights: ArrayLike<number> = this.mean): number {
    let s = 0;
    for (let i = 0; i < this.dim; i++) s += (weights[i] as number) * (phi[i] as number);
    return sigmoid(s);
  }

  /**
   * One draw of the weights from the posterior (its spread times `scale`), sign constraints
   * applied. The returned array
   * is reused by the next call: read it before drawing again.
   */
  sample(rng: PolicyRng, scale = 1): Float64Array {
    const d = this.dim;
    for (let i = 0; i < d; i++) this.z[i] = scale * rng.normal();
    // precision = L·Lᵀ, so x = L⁻ᵀ·z has covariance precision⁻¹.
    backSolveTransposed(this.chol, this.z, this.draw, d);
    for (let i = 0; i < d; i++) this.draw[i] = (this.draw[i] as number) + (this.mean[i] as number);
    this.project(this.draw);
    return this.draw;
  }

  update(phi: ArrayLike<number>, y: 0 | 1): void {
    const d = this.dim;
    // One non-finite feature would make the mean NaN for good: such an outcome teaches nothing.
    for (let i = 0; i < d; i++) if (!Number.isFinite(phi[i] as number)) return;
    const g = this.forget;
    if (g < 1) {
      // mean ← P_new⁻¹ (γ·P·mean + (1−γ)·P0·mean0), P_new = γ·P + (1−γ)·P0.
      const info = this.scratch;
      for (let i = 0; i < d; i++) {
        let a = 0;
        let b = 0;
        for (let j = 0; j < d; j++) {
          a += (this.precision[i * d + j] as number) * (this.mean[j] as number);
          b += (this.priorPrecision[i * d + j] as number) * (this.priorMean[j] as number);
        }
        info[i] = g * a + (1 - g) * b;
      }
      for (let k = 0; k < d * d; k++)
        this.precision[k] =
          g * (this.precision[k] as number) + (1 - g) * (this.priorPrecision[k] as number);
      this.factor();
      choleskySolve(this.chol, info, this.mean, d);
    }
    const p = this.prob(phi);
    const w = Math.max(p * (1 - p), 1e-6);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++)
        this.precision[i * d + j] =
          (this.precision[i * d + j] as number) + w * (phi[i] as number) * (phi[j] as number);
    this.factor();
    const step = this.scratch;
    for (let i = 0; i < d; i++) step[i] = (phi[i] as number) * (y - p);
    choleskySolve(this.chol, step, this.z, d);
    for (let i = 0; i < d; i++) this.mean[i] = (this.mean[i] as number) + (this.z[i] as number);
    this.project(this.mean);
    this.updates++;
  }

  private project(w: Float64Array): void {
    for (const i of this.nonNegative) if ((w[i] as number) < 0) w[i] = 0;
  }

  private factor(): void {
    if (!cholesky(this.precision, this.chol, this.dim)) {
      // Cannot happen for a sum of a positive-definite prior and PSD terms, barring rounding;
      // restart from the prior rather than sample from a broken factor.
      this.precision.set(this.priorPrecision);
      cholesky(this.precision, this.chol, this.dim);
    }
  }
}

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

export function logit(p: number): number {
  return Math.log(p / (1 - p));
}

/** Lower-triangular L with A = L·Lᵀ (row-major d×d); false if A is not positive definite. */
function cholesky(a: Float64Array, l: Float64Array, d: number): boolean {
  l.fill(0);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j] as number;
      for (let k = 0; k < j; k++) s -= (l[i * d + k] as number) * (l[j * d + k] as number);
      if (i === j) {
        if (!(s > 0)) return false;
        l[i * d + i] = Math.sqrt(s);
      } else {
        l[i * d + j] = s / (l[j * d + j] as number);
      }
    }
  }
  return true;
}

/** x = (L·Lᵀ)⁻¹·b. */
function choleskySolve(l: Float64Array, b: Float64Array, x: Float64Array, d: number): void {
  // L·y = b, then Lᵀ·x = y (y kept in x).
  for (let i = 0; i < d; i++) {
    let s = b[i] as number;
    for (let k = 0; k < i; k++) s -= (l[i * d + k] as number) * (x[k] as number);
    x[i] = s / (l[i * d + i] as number);
  }
  backSolveTransposed(l, x, x, d);
}

/** x = L⁻ᵀ·y (x may be y). */
function backSolveTransposed(l: Float64Array, y: Float64Array, x: Float64Array, d: number): void {
  for (let i = d - 1; i >= 0; i--) {
    let s = y[i] as number;
    for (let k = i + 1; k < d; k++) s -= (l[k * d + i] as number) * (x[k] as number);
    x[i] = s / (l[i * d + i] as number);
  }
}
