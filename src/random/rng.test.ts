import { describe, expect, it } from 'vitest';
import { Rng, splitmix64 } from './rng.js';

describe('seeded randomness', () => {
  it('xoshiro128** matches the reference implementation (state 1, 2, 3, 4)', () => {
    // Outputs of the reference C code (prng.di.unimi.it/xoshiro128starstar.c) from s = {1,2,3,4}.
    const rng = new Rng([1, 2, 3, 4]);
    const out = Array.from({ length: 8 }, () => rng.nextU32());
    expect(out).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849,
    ]);
  });

  it('splitmix64 matches the reference implementation (seed 0 and 42)', () => {
    const run = (seed: bigint) => {
      const out: string[] = [];
      let state = seed;
      for (let i = 0; i < 3; i++) {
        const [value, next] = splitmix64(state);
        out.push(value.toString(16).padStart(16, '0'));
        state = next;
      }
      return out;
    };
    expect(run(0n)).toEqual(['e220a8397b1dcdaf', '6e789e6aa1b965f4', '06c45d188009454f']);
    expect(run(42n)).toEqual(['bdd732262feb6e95', '28efe333b266f103', '47526757130f9f52']);
  });

  it('a stream depends only on the seed and its path, not on draws made elsewhere', () => {
    const draw = (rng: Rng) => Array.from({ length: 5 }, () => rng.nextU32());
    const root = Rng.stream(7, 'root');
    const fresh = draw(root.fork('prices'));
    draw(root);
    draw(root.fork('rivals/3'));
    expect(draw(root.fork('prices'))).toEqual(fresh);
    expect(draw(Rng.stream(7, 'root/prices'))).toEqual(fresh);
    expect(draw(Rng.stream(8, 'root/prices'))).not.toEqual(fresh);
    expect(draw(root.fork('flow'))).not.toEqual(fresh);
  });

  it('draws have the moments of their distributions', () => {
    const rng = Rng.stream(1, 'moments');
    const n = 100_000;
    let u = 0;
    let lo = 1;
    let hi = 0;
    let z = 0;
    let z2 = 0;
    let e = 0;
    let tail = 0;
    for (let i = 0; i < n; i++) {
      const f = rng.float();
      lo = Math.min(lo, f);
      hi = Math.max(hi, f);
      u += f;
      const x = rng.normal();
      z += x;
      z2 += x * x;
      e += rng.exponential(3);
      if (rng.pareto(1, 1.5) > 10) tail++;
    }
    expect(lo >= 0 && hi < 1).toBe(true);
    expect(u / n).toBeCloseTo(0.5, 2);
    expect(z / n).toBeCloseTo(0, 1);
    expect(z2 / n).toBeCloseTo(1, 1);
    expect(e / n).toBeCloseTo(3, 1);
    // P(X > 10) = (1/10)^1.5 ≈ 0.0316 for a Pareto(1, 1.5).
    expect(tail / n).toBeCloseTo(0.0316, 2);
    let k = 0;
    for (let i = 0; i < 50_000; i++) k += rng.poisson(0.2);
    expect(k / 50_000).toBeCloseTo(0.2, 1);
  });
});
