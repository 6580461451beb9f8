import { useState } from 'preact/hooks';
import type { Api, BacktestResult } from '../api.js';
import { Chart } from './Chart.js';

const COLORS = ['#f7b801', '#9aa4b2', '#4cc9f0', '#90be6d', '#b5179e', '#f94144', '#43aa8b'];

// Rounded before printing, so a tiny loss does not show as -0.0000.
const sol = (x: number) => `${(Math.round(x * 1e4) / 1e4 || 0).toFixed(4)}`;

/** Each policy's cumulative profit per simulated minute, summed over the seeds, SOL. */
export function summedCurves(result: BacktestResult): { name: string; curve: number[] }[] {
  const byName = new Map<string, number[]>();
  for (const seed of result.seeds) {
    for (const p of seed.policies) {
      const sum = byName.get(p.name) ?? new Array<number>(p.cumulative_profit_sol.length).fill(0);
      p.cumulative_profit_sol.forEach((v, i) => {
        sum[i] = (sum[i] ?? 0) + v;
      });
      byName.set(p.name, sum);
    }
  }
  return [...byName].map(([name, curve]) => ({ name, curve }));
}

/**
 * `landfall backtest --seeds` from the page (POST /api/backtest): the same seeded markets once
 * per policy, then each policy's cumulative profit and the totals over seeds with 95 %
 * bootstrap intervals.
 */
export function Backtest({ api }: { api: Api }) {
  const [seeds, setSeeds] = useState('1-2');
  const [minutes, setMinutes] = useState(10);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<BacktestResult | undefined>();
  const run = async () => {
    setBusy(true);
    setStatus(`running seeds ${seeds}, ${minutes} simulated minutes each…`);
    try {
      const r = await api.backtest(seeds, minutes);
      setResult(r);
      setStatus(
        `seeds ${r.summary.seeds.join(', ')}, ${r.summary.minutes} min each: done in ${r.summary.wall_s.toFixed(1)} s`,
      );
    } catch (err) {
      setStatus(`refused: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  const curves = result ? summedCurves(result) : [];
  const length = curves[0]?.curve.length ?? 0;
  const oracle = result?.summary.totals.find((t) => t.name === 'oracle')?.net_profit_sol;
  const descriptions = new Map(
    (result?.seeds[0]?.policies ?? []).map((p) => [p.name, p.description]),
  );
  return (
    <section class="card backtest" data-testid="backtest">
      <h3>Backtest</h3>
      <p class="explain">
        Runs every policy on the same seeded simulated markets (as <code>landfall backtest</code>{' '}
        does): the oracle (the best fixed tip and route in hindsight), the baselines and Landfall's
        learning policies. Same seed, same market: the differences are the policies'.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <label>
          seeds{' '}
          <input
            data-testid="backtest-seeds"
            value={seeds}
            size={10}
            placeholder="1-4 or 1,3,7"
            onInput={(e) => setSeeds((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          minutes per seed{' '}
          <input
            data-testid="backtest-minutes"
            type="number"
            min="1"
            max="60"
            value={minutes}
            onInput={(e) => setMinutes(Number((e.target as HTMLInputElement).value))}
          />
        </label>
        <button type="submit" data-testid="backtest-run" disabled={busy}>
          Run backtest
        </button>
        <span class="muted" data-testid="backtest-status">
          {status}
        </span>
      </form>
      {result ? (
        <>
          <Chart
            testId="backtest-chart"
            title="Cumulative profit, summed over seeds"
            unit="SOL"
            explain="Net profit after tips and fees at the end of each simulated minute, added up over the seeds."
            xKind="category"
            categories={Array.from({ length }, (_, i) => `${i + 1} min`)}
            lines={curves.map((c, i) => ({
              label: c.name,
              color: COLORS[i % COLORS.length] as string,
            }))}
            data={[Array.from({ length }, (_, i) => i), ...curves.map((c) => c.curve)]}
          />
          <table data-testid="backtest-table">
            <thead>
              <tr>
                <th>policy</th>
                <th class="num">net SOL</th>
                <th class="num">95 % interval</th>
                <th class="num">of oracle</th>
                <th class="num">landed %</th>
                <th class="num">submitted</th>
              </tr>
            </thead>
            <tbody>
              {result.summary.totals.map((t) => (
                <tr key={t.name} data-testid={`backtest-row-${t.name}`}>
                  <td title={descriptions.get(t.name) ?? ''}>{t.name}</td>
                  <td class="num">{sol(t.net_profit_sol)}</td>
                  <td class="num">
                    {sol(t.ci_low_sol)} … {sol(t.ci_high_sol)}
                  </td>
                  <td class="num">
                    {oracle ? `${((100 * t.net_profit_sol) / oracle).toFixed(0)} %` : '–'}
                  </td>
                  <td class="num">{t.landed_pct === null ? '–' : t.landed_pct.toFixed(1)}</td>
                  <td class="num">{t.submitted ?? '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
