import { describe, expect, it } from 'vitest';
import { KeyedStreams } from './keyed.js';

/** Pearson's χ² of `values` (in [0, 1)) over `bins` equal bins. */
function chiSquare(values: readonly number[], bins: number): number {
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) {
    const i = Math.floor(v * bins);
    counts[i] = (counts[i] ?? 0) + 1;
  }
  const expected = values.length / bins;
  return counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
}

function correlation(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (x[i] as number) - mx;
    const dy = (y[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

const N = 40_000;
// χ² with 63 degrees of freedom: the 99.99th percentile is about 113.
const CHI2_63_LIMIT = 113;
// |r| of independent uniforms over N pairs has sd 1/√N = 0.005: 5 sd.
const R_LIMIT = 0.025;

describe('keyed streams', () => {
  it('gives a key the same draws whatever was drawn before, in any order', () => {
    const forward = new KeyedStreams(7, 'landing/auction');
    const backward = new KeyedStreams(7, 'landing/auction');
    const a = [1, 2, 3, 50_000].map((k) => forward.at(k).float());
    const b = [50_000, 3, 2, 1].map((k) => backward.at(k).float()).reverse();
    expect(b).toEqual(a);
    expect(forward.at('agent|arb|17.5|x').float()).toBe(backward.at('agent|arb|17.5|x').float());
  });

  it('separates seeds, families and keys', () => {
    const first = (seed: number, path: string, key: string | number) =>
      new KeyedStreams(seed, path).at(key).float();
    const values = new Set([
      first(1, 'a', 1),
      first(2, 'a', 1),
      first(2 ** 32 + 1, 'a', 1),
      first(1, 'b', 1),
      first(1, 'a', 2),
      first(1, 'a', '1'),
      first(1, 'a', 2 ** 32 + 1),
    ]);
    expect(values.size).toBe(7);
  });

  it('is uniform and uncorrelated across consecutive numeric keys (auction ticks)', () => {
    const streams = new KeyedStreams(3, 'landing/auction');
    const first: number[] = [];
    const second: number[] = [];
    for (let k = 0; k < N; k++) {
      const rng = streams.at(k);
      first.push(rng.float());
      second.push(rng.float());
    }
    expect(chiSquare(first, 64)).toBeLessThan(CHI2_63_LIMIT);
    expect(chiSquare(second, 64)).toBeLessThan(CHI2_63_LIMIT);
    expect(Math.abs(correlation(first.slice(1), first.slice(0, -1)))).toBeLessThan(R_LIMIT);
    expect(Math.abs(correlation(first, second))).toBeLessThan(R_LIMIT);
    // The same tick of the next seed, and of another family, must not move with it either.
    const nextSeed = new KeyedStreams(4, 'landing/auction');
    const family = new KeyedStreams(3, 'landing/direct');
    expect(
      Math.abs(
        correlation(
          first,
          first.map((_, k) => nextSeed.at(k).float()),
        ),
      ),
    ).toBeLessThan(R_LIMIT);
    expect(
      Math.abs(
        correlation(
          first,
          first.map((_, k) => family.at(k).float()),
        ),
      ),
    ).toBeLessThan(R_LIMIT);
  });

  it('is uniform and uncorrelated across near-identical text keys (submissions)', () => {
    const streams = new KeyedStreams(3, 'landing/direct');
    const first: number[] = [];
    for (let k = 0; k < N; k++) first.push(streams.at(`agent|arb|${k}|raydium:JUP-SOL`).float());
    expect(chiSquare(first, 64)).toBeLessThan(CHI2_63_LIMIT);
    expect(Math.abs(correlation(first.slice(1), first.slice(0, -1)))).toBeLessThan(R_LIMIT);
    // What a direct transaction draws: a normal (its delay), then a uniform (its inclusion).
    const normals: number[] = [];
    const third: number[] = [];
    for (let k = 0; k < N; k++) {
      const rng = streams.at(`rival-0${k % 10}|arb|${k * 137.25}|orca:JUP-SOL>bToA`);
      normals.push(rng.normal());
      third.push(rng.float());
    }
    const mean = normals.reduce((a, v) => a + v, 0) / N;
    const variance = normals.reduce((a, v) => a + (v - mean) ** 2, 0) / N;
    // Standard errors at N = 40,000: mean 0.005, variance 0.007; 5 of each.
    expect(Math.abs(mean)).toBeLessThan(0.025);
    expect(Math.abs(variance - 1)).toBeLessThan(0.035);
    expect(chiSquare(third, 64)).toBeLessThan(CHI2_63_LIMIT);
    expect(Math.abs(correlation(normals, third))).toBeLessThan(R_LIMIT);
    // Same keys, the next seed: the two runs' draws must not move together.
    const other = new KeyedStreams(4, 'landing/direct');
    const next = first.map((_, k) => other.at(`agent|arb|${k}|raydium:JUP-SOL`).float());
    expect(Math.abs(correlation(first, next))).toBeLessThan(R_LIMIT);
  });

  it('refuses keys and seeds it cannot represent exactly', () => {
    expect(() => new KeyedStreams(-1, 'x')).toThrow(RangeError);
    expect(() => new KeyedStreams(1, 'x').at(1.5)).toThrow(RangeError);
  });
});
