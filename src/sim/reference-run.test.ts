import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../cli/main.js';
import { runBacktest } from './backtest.js';
import { formatSummary, type SimSummary, summarize } from './summary.js';

describe('backtest summary', () => {
  it('reports opportunities, landings by route, rival share, PnL and regimes', async () => {
    const result = await runBacktest({ minutes: 5, config: { seed: 2 } });
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

describe('landfall sim', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints the summary as JSON', async () => {
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
    await buildProgram().parseAsync([
      'node',
      'landfall',
      'sim',
      '--seed',
      '3',
      '--minutes',
      '2',
      '--json',
      '--route',
      'auto',
    ]);
    const summary = JSON.parse(out) as SimSummary;
    expect(summary.seed).toBe(3);
    expect(summary.simulatedMinutes).toBe(2);
    expect(summary.policy.route).toBe('auto');
  });

  it('names the flag at fault', async () => {
    await expect(
      buildProgram().parseAsync(['node', 'landfall', 'sim', '--minutes', '0']),
    ).rejects.toThrow(/--minutes expects a number of minutes/);
    await expect(
      buildProgram().parseAsync(['node', 'landfall', 'sim', '--route', 'carrier']),
    ).rejects.toThrow(/--route expects jito, direct or auto, got "carrier"/);
  });
});
