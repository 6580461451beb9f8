import { describe, expect, it } from 'vitest';
import { formatSeedsSummary, seedsSummaryJson } from './backtest-report.js';
import { CEILING, compareSeeds, parseSeeds, summarizeSeeds } from './backtest-seeds.js';

const sol = (l: bigint) => Number(l) / 1e9;

describe('multi-seed backtest', () => {
  it('totals every policy over seeds, with intervals and paired ratios to each baseline', async () => {
    const seen: number[] = [];
    const comparisons = await compareSeeds({
      seeds: [2, 3, 4],
      minutes: 2,
      jobs: 1,
      onSeed: (c, done, total) => {
        seen.push(c.seed);
        expect(total).toBe(3);
        expect(done).toBe(seen.length);
      },
    });
    expect(seen).toEqual([2, 3, 4]);
    const s = summarizeSeeds(comparisons, { resamples: 500 });
    expect(s.seeds).toEqual([2, 3, 4]);
    for (const name of ['oracle', 'landfall', 'always_direct', CEILING]) {
      const t = s.totals.find((x) => x.name === name);
      const expected = comparisons.reduce(
        (sum, c) =>
          sum +
          (name === CEILING
            ? sol(c.ceiling.netProfitLamports)
            : sol(c.rows.find((r) => r.name === name)?.netProfitLamports ?? 0n)),
        0,
      );
      expect(t?.netProfitSol).toBeCloseTo(expected, 9);
      // Three seeds: the interval holds the total between the smallest and largest resample.
      expect(t?.interval.low).toBeLessThanOrEqual(expected + 1e-12);
      expect(t?.interval.high).toBeGreaterThanOrEqual(expected - 1e-12);
    }
    const oracle = s.totals.find((x) => x.name === 'oracle')?.netProfitSol ?? 0;
    const landfall = s.totals.find((x) => x.name === 'landfall')?.netProfitSol ?? 0;
    const toOracle = s.ratios.find((r) => r.policy === 'landfall' && r.baseline === 'oracle');
    if (oracle > 0) expect(toOracle?.estimate.ratio).toBeCloseTo(landfall / oracle, 9);
    else expect(toOracle?.estimate.ratio).toBeNull();
    expect(s.ratios.some((r) => r.policy === r.baseline)).toBe(false);
    // The module × regime cells add up to each policy's total.
    for (const t of s.totals) {
      const cellSum = s.cells.reduce((sum, c) => sum + (c.netSol[t.name] ?? 0), 0);
      expect(cellSum).toBeCloseTo(t.netProfitSol, 9);
    }
    const text = formatSeedsSummary(s, { jobs: 1, wallMs: 1000 });
    expect(text).toContain('3 seeds (2-4)');
    expect(text).toMatch(/^landfall +-?\d/m);
    const json = seedsSummaryJson(s, { jobs: 1, wallMs: 1000 }) as { per_seed: unknown[] };
    expect(json.per_seed).toHaveLength(3);
  });

  it('reads ranges and lists of seeds, and refuses what is not one', () => {
    expect(parseSeeds('1-3')).toEqual([1, 2, 3]);
    expect(parseSeeds('1-3,7, 9')).toEqual([1, 2, 3, 7, 9]);
    expect(() => parseSeeds('3-1')).toThrow(/low to high/);
    expect(() => parseSeeds('1-3,2')).toThrow(/twice/);
    expect(() => parseSeeds('a')).toThrow(/not a seed/);
  });
});
