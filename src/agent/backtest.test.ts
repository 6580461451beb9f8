import { describe, expect, it } from 'vitest';
import { comparePolicies, comparisonJson, formatComparison } from './backtest.js';
import { cumulativeProfitSvg } from './chart.js';

describe('policy backtest', () => {
  it('ranks every policy against the best fixed policy in hindsight', async () => {
    const c = await comparePolicies({ seed: 3, minutes: 4 });
    expect(c.rows.map((r) => r.name)).toEqual([
      'oracle',
      'baseline_fixed',
      'baseline_ucb_ewma',
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
