import { Rng } from '../random/rng.js';

/**
 * A small seeded generator for the policies' sampling (Thompson draws), so a backtest with a
 * given seed makes the same decisions every run: a stream of the shared seeded generator,
 * plus the Gamma and Beta draws Thompson sampling needs.
 */

export class PolicyRng {
  readonly #rng: Rng;

  constructor(seed: number) {
    this.#rng = Rng.stream(seed, 'agent/policy');
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.#rng.float();
  }

  normal(): number {
    return this.#rng.normal();
  }

  /** Gamma(shape, 1) by Marsaglia–Tsang; shapes below 1 use the boost u^(1/shape). */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * (1 - this.float()) ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = this.normal();
      const v = (1 + c * x) ** 3;
      if (v <= 0) continue;
      const u = 1 - this.float();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  }

  /** Beta(a, b) as a ratio of gammas. */
  beta(a: number, b: number): number {
    const x = this.gamma(a);
    const y = this.gamma(b);
    return x / (x + y);
  }
}
