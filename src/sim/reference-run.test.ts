import { describe, expect, it } from 'vitest';
import { runReferenceSearcher } from './reference-run.js';
import { formatSummary, summarize } from './summary.js';

describe('backtest summary', () => {
  it('reports opportunities, landings by route, rival share, PnL and regimes', async () => {
    const result = await runReferenceSearcher({ minutes: 5, config: { seed: 2 } });
    const s = summarize(result);
    expect(s.seed).toBe(2);
    expect(s.simulatedMinutes).toBe(5);
    expect(s.opportunities.market.arb).toBeGreaterThan(0);
    expect(s.opportunities.seenByAgent.arb).toBeGreaterThan(0);
    expect(s.agent.submissions).toBe(result.report.submitted);
    expect(s.agent.landed).toBe(result.report.outcomes.filter((o) => o.landed).length);
    expect(s.agent.landedByRoute.jito + s.agent.landedByRoute.direct).toBe(s.agent.landed);
    const pnl = result.report.outcomes.reduce((sum, o) => sum + o.profitLamports, 0n);
    expect(s.agent.profitLamports).toBe(Number(pnl));
    expect(s.opportunities.rivalShare).toBeGreaterThan(0);
    const text = formatSummary(s);
    expect(text).toMatch(/rival share \d+\.\d %/);
    expect(text).toMatch(/^landed \d+ /m);
    expect(text).toMatch(/baseline/);
  });
});
