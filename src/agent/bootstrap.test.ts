import { describe, expect, it } from 'vitest';
import { Bootstrap } from './bootstrap.js';

const noisy = [3, -1, 8, 2, 5, 0.5, 12, 4, 1, 6];

describe('bootstrap over seeds', () => {
  it('brackets the total and narrows as seeds agree', () => {
    const b = new Bootstrap(noisy.length, { resamples: 2000 });
    const total = noisy.reduce((s, v) => s + v, 0);
    const wide = b.sum(noisy);
    expect(wide.low).toBeLessThan(total);
    expect(wide.high).toBeGreaterThan(total);
    const flat = b.sum(noisy.map(() => 4));
    expect(flat.low).toBeCloseTo(40, 9);
    expect(flat.high).toBeCloseTo(40, 9);
  });

  it('pairs a ratio: a policy that is always twice its baseline has no spread at all', () => {
    const b = new Bootstrap(noisy.length);
    const twice = b.ratio(
      noisy.map((v) => 2 * Math.abs(v)),
      noisy.map((v) => Math.abs(v)),
    );
    expect(twice.ratio).toBe(2);
    expect(twice.interval?.low).toBeCloseTo(2, 12);
    expect(twice.interval?.high).toBeCloseTo(2, 12);
    // Unpaired noise (the numerator shuffled against the baseline) does spread it.
    const shuffled = b.ratio(
      [...noisy].reverse().map((v) => 2 * Math.abs(v)),
      noisy.map((v) => Math.abs(v)),
    );
    expect((shuffled.interval?.high ?? 0) - (shuffled.interval?.low ?? 0)).toBeGreaterThan(0.2);
  });

  it('gives no ratio when the baseline lost money, and no interval when it often does', () => {
    const b = new Bootstrap(4, { resamples: 1000 });
    const losing = b.ratio([1, 1, 1, 1], [-1, -1, -1, 0.5]);
    expect(losing.ratio).toBeNull();
    expect(losing.interval).toBeNull();
    expect(losing.undefinedShare).toBeGreaterThan(0.5);
  });

  it('is reproducible for a seed and refuses mismatched inputs', () => {
    const a = new Bootstrap(noisy.length, { seed: 5, resamples: 500 }).sum(noisy);
    const again = new Bootstrap(noisy.length, { seed: 5, resamples: 500 }).sum(noisy);
    expect(again).toEqual(a);
    expect(() => new Bootstrap(3).sum([1, 2])).toThrow(RangeError);
    expect(() => new Bootstrap(0)).toThrow(RangeError);
  });
});
