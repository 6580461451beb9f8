import type { CellProfit, Comparison } from './backtest.js';
import { BASELINES, type SeedsSummary } from './backtest-seeds.js';
import type { RatioEstimate } from './bootstrap.js';

/** How backtests are shown: the tables `landfall backtest` prints, and their JSON. */

const sol = (l: bigint) => (Number(l) / 1e9).toFixed(6);

/** The side-by-side table `landfall backtest` prints. */
export function formatComparison(c: Comparison): string {
  const header = [
    'policy',
    'net SOL',
    'landed %',
    'submitted',
    'tips SOL',
    'regret SOL',
    'x oracle',
  ];
  const body = c.rows.map((r) => [
    r.name,
    sol(r.netProfitLamports),
    r.landedPct.toFixed(1),
    String(r.submitted),
    sol(r.tipsLamports),
    sol(r.regretLamports),
    r.ratioToOracle.toFixed(3),
  ]);
  const notes = c.rows.map((r) => `  ${r.name}: ${r.description}`);
  const cells = c.ceiling.cells.map(
    (cell) => `    ${cell.module}/${cell.regime}: ${sol(cell.netProfitLamports)} (${cell.arm})`,
  );
  return [
    `landfall backtest: seed ${c.seed}, ${c.minutes} simulated minutes, ${c.rows.length} policies (${(c.wallMs / 1000).toFixed(1)} s)`,
    ...table(header, body),
    ...notes,
    `per-regime ceiling (best fixed arm per module × regime, in hindsight): ${sol(c.ceiling.netProfitLamports)} SOL`,
    ...cells,
  ].join('\n');
}

/** The table as JSON-safe data (bigints as SOL numbers). */
export function comparisonJson(c: Comparison): object {
  return {
    seed: c.seed,
    minutes: c.minutes,
    policies: c.rows.map((r) => ({
      name: r.name,
      description: r.description,
      net_profit_sol: Number(r.netProfitLamports) / 1e9,
      landed_pct: r.landedPct,
      submitted: r.submitted,
      landed: r.landed,
      tips_sol: Number(r.tipsLamports) / 1e9,
      fees_sol: Number(r.feesLamports) / 1e9,
      regret_sol: Number(r.regretLamports) / 1e9,
      ratio_to_oracle: r.ratioToOracle,
      cumulative_profit_sol: r.curve,
      cells: r.cells.map(cellJson),
    })),
    ceiling: {
      net_profit_sol: Number(c.ceiling.netProfitLamports) / 1e9,
      cells: c.ceiling.cells.map((cell) => ({ ...cellJson(cell), arm: cell.arm })),
    },
  };
}

function cellJson(cell: CellProfit) {
  return {
    module: cell.module,
    regime: cell.regime,
    net_profit_sol: Number(cell.netProfitLamports) / 1e9,
  };
}

const num = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

function ratioCell(e: RatioEstimate): string {
  if (e.ratio === null) return 'n/a (base ≤ 0)';
  const ci =
    e.interval === null ? '[unbounded]' : `[${num(e.interval.low, 2)}, ${num(e.interval.high, 2)}]`;
  return `${num(e.ratio, 3)} ${ci}`;
}

function table(header: string[], body: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
}

/** What `landfall backtest --seeds` prints: totals with intervals, then the paired ratios. */
export function formatSeedsSummary(s: SeedsSummary, run: { jobs: number; wallMs: number }): string {
  const pct = Math.round(s.level * 100);
  const totals = table(
    ['policy', 'net SOL', `${pct}% CI`, 'mean/seed', 'landed %', 'submitted'],
    s.totals.map((t) => [
      t.name,
      num(t.netProfitSol, 4),
      `[${num(t.interval.low, 4)}, ${num(t.interval.high, 4)}]`,
      num(t.meanPerSeedSol, 5),
      t.landedPct === null ? '-' : num(t.landedPct, 1),
      t.submitted === null ? '-' : String(t.submitted),
    ]),
  );
  const present = new Set(s.ratios.map((r) => r.baseline));
  const baselines = BASELINES.filter((b) => present.has(b));
  const policies = [...new Set(s.ratios.map((r) => r.policy))];
  const ratios = table(
    ['policy / baseline', ...baselines],
    policies.map((p) => [
      p,
      ...baselines.map((b) => {
        const r = s.ratios.find((x) => x.policy === p && x.baseline === b);
        return r === undefined ? '-' : ratioCell(r.estimate);
      }),
    ]),
  );
  const names = s.totals.map((t) => t.name);
  const cells = table(
    ['module/regime', ...names],
    s.cells.map((c) => [`${c.module}/${c.regime}`, ...names.map((n) => num(c.netSol[n] ?? 0, 4))]),
  );
  const seeds = s.seeds.length;
  return [
    `landfall backtest: ${seeds} seeds (${describeSeeds(s.seeds)}), ${s.minutes} simulated minutes each, ` +
      `${run.jobs} jobs, ${(run.wallMs / 1000).toFixed(1)} s (${(s.seedWallMs / 1000).toFixed(1)} s of seed runs)`,
    `totals over seeds, ${pct}% percentile bootstrap over seeds (${s.resamples} resamples)`,
    ...totals,
    '',
    `ratio of sums, policy / baseline, with a paired ${pct}% bootstrap interval (same seeds resampled for both)`,
    ...ratios,
    '',
    'net SOL by module × regime (each submission in the regime it was sent in), summed over seeds',
    ...cells,
    '',
    '  oracle: best fixed tip share and route per seed, in hindsight',
    '  ceiling: best fixed arm per module × regime per seed, in hindsight (a reference, not a policy)',
    '  baseline_fixed: fixed tip 0.5 of EV, always jito; baseline_ucb_ewma: the seed rule (UCB over EWMA tips, EWMA route switch)',
    "  always_direct: always direct to the leader at the p95 priority fee; landfall_split: Landfall's earlier tip and route policies, chosen apart",
    '  landfall: the policy Landfall serves (tip and route chosen together from one learnt model)',
  ].join('\n');
}

/** `1-24` for a run of consecutive seeds, else the list. */
function describeSeeds(seeds: readonly number[]): string {
  const first = seeds[0];
  const last = seeds.at(-1);
  const consecutive = seeds.every((s, i) => s === (first ?? 0) + i);
  return consecutive && first !== undefined ? `${first}-${last}` : seeds.join(',');
}

/** The multi-seed summary as JSON-safe data (SOL as numbers). */
export function seedsSummaryJson(s: SeedsSummary, run: { jobs: number; wallMs: number }): object {
  return {
    seeds: s.seeds,
    minutes: s.minutes,
    jobs: run.jobs,
    wall_s: run.wallMs / 1000,
    bootstrap: { resamples: s.resamples, level: s.level, unit: 'seed', method: 'percentile' },
    totals: s.totals.map((t) => ({
      name: t.name,
      net_profit_sol: t.netProfitSol,
      mean_per_seed_sol: t.meanPerSeedSol,
      ci_low_sol: t.interval.low,
      ci_high_sol: t.interval.high,
      landed_pct: t.landedPct,
      submitted: t.submitted,
    })),
    ratios: s.ratios.map((r) => ({
      policy: r.policy,
      baseline: r.baseline,
      ratio_of_sums: r.estimate.ratio,
      ci_low: r.estimate.interval?.low ?? null,
      ci_high: r.estimate.interval?.high ?? null,
      undefined_share: r.estimate.undefinedShare,
    })),
    cells: s.cells.map((c) => ({ module: c.module, regime: c.regime, net_profit_sol: c.netSol })),
    per_seed: s.perSeed.map((p) => ({ seed: p.seed, net_profit_sol: p.netSol })),
  };
}
