import { describe, expect, it } from 'vitest';
import { comparePolicies, runPolicy } from './backtest.js';
import { comparisonJson, formatComparison } from './backtest-report.js';
import { cumulativeProfitSvg } from './chart.js';

describe('policy backtest', () => {
  it('ranks every policy against the best fixed policy in hindsight', async () => {
    const c = await comparePolicies({ seed: 3, minutes: 4 });
    expect(c.rows.map((r) => r.name)).toEqual([
      'oracle',
      'baseline_fixed',
      'baseline_ucb_ewma',
      'always_direct',
      'landfall_split',
      'landfall',
    ]);
    const [oracle, fixed] = c.rows;
    // The fixed baseline is one of the policies the oracle chooses among.
    expect(oracle?.netProfitLamports).toBeGreaterThanOrEqual(fixed?.netProfitLamports ?? 0n);
    for (const r of c.rows) {
      expect(r.regretLamports).toBe((oracle?.netProfitLamports ?? 0n) - r.netProfitLamports);
      expect(r.curve).toHaveLength(4);
      expect(r.curve.at(-1)).toBeCloseTo(Number(r.netProfitLamports) / 1e9, 6);
    }
    const json = comparisonJson(c) as { policies: { name: string; ratio_to_oracle: number }[] };
    expect(json.policies.find((p) => p.name === 'oracle')?.ratio_to_oracle).toBe(1);
    expect(formatComparison(c)).toContain('landfall');
  });

  it('puts the per-regime ceiling at or above the oracle, cell by cell', async () => {
    const c = await comparePolicies({ seed: 3, minutes: 4 });
    const oracle = c.rows[0];
    expect(c.ceiling.netProfitLamports).toBeGreaterThanOrEqual(oracle?.netProfitLamports ?? 0n);
    expect(c.ceiling.cells.reduce((s, cell) => s + cell.netProfitLamports, 0n)).toBe(
      c.ceiling.netProfitLamports,
    );
    // The oracle's own cells are each at most the ceiling's.
    for (const cell of oracle?.cells ?? []) {
      const best = c.ceiling.cells.find(
        (x) => x.module === cell.module && x.regime === cell.regime,
      );
      expect(best?.netProfitLamports).toBeGreaterThanOrEqual(cell.netProfitLamports);
    }
    // Every cell's profit adds up to the run's.
    for (const r of c.rows)
      expect(r.cells.reduce((s, cell) => s + cell.netProfitLamports, 0n)).toBe(r.netProfitLamports);
  });

  it('gives two policies that decide alike the same outcomes', async () => {
    // On the direct route the tip share never enters a decision: same decisions, same market.
    const a = await runPolicy(
      'a',
      '',
      { kind: 'fixed', tipShare: 0.05, route: 'direct' },
      {
        seed: 4,
        minutes: 3,
      },
    );
    const b = await runPolicy(
      'b',
      '',
      { kind: 'fixed', tipShare: 0.9, route: 'direct' },
      {
        seed: 4,
        minutes: 3,
      },
    );
    expect(a.submitted).toBeGreaterThan(0);
    expect(b.submitted).toBe(a.submitted);
    expect(b.landed).toBe(a.landed);
    expect(b.netProfitLamports).toBe(a.netProfitLamports);
    expect(b.cells).toEqual(a.cells);
  });

  it('is deterministic for a seed', async () => {
    const a = await comparePolicies({ seed: 5, minutes: 2 });
    const b = await comparePolicies({ seed: 5, minutes: 2 });
    expect(a.rows.map((r) => r.netProfitLamports)).toEqual(b.rows.map((r) => r.netProfitLamports));
  });

  it('draws one polyline and legend entry per policy', () => {
    const svg = cumulativeProfitSvg('t <1>', [
      { name: 'a', values: [0.1, 0.2] },
      { name: 'b', values: [-0.1, 0.3] },
    ]);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toContain('t &lt;1&gt;');
    expect(svg.startsWith('<svg')).toBe(true);
  });
});
