import type { MarketEvent, SubmissionOutcome } from '../market/types.js';
import { createSimMarket, type SimConfigInput } from '../sim/index.js';
import { createAgent, type PolicyPair } from './assemble.js';
import { type AgentSettings, DEFAULT_AGENT_SETTINGS } from './config.js';

/**
 * Policy comparison on the seeded simulator: the same market (seed, config) once per policy
 * pair, an arbitrage agent and a backrun agent trading side by side in each run. The oracle is
 * the best fixed (tip share, route) in hindsight, found by running every one on the ladder.
 */

export interface PolicyResult {
  readonly name: string;
  readonly description: string;
  readonly netProfitLamports: bigint;
  readonly submitted: number;
  readonly landed: number;
  readonly tipsLamports: bigint;
  readonly feesLamports: bigint;
  /** Cumulative net profit in SOL at the end of each simulated minute. */
  readonly curve: readonly number[];
  /** Hot path (event → submission built) over both agents, µs. */
  readonly hotPath: { readonly p50Us: number; readonly p99Us: number; readonly count: number };
}

export interface ComparisonRow extends PolicyResult {
  readonly landedPct: number;
  readonly ratioToOracle: number;
  readonly regretLamports: bigint;
}

export interface Comparison {
  readonly seed: number;
  readonly minutes: number;
  readonly rows: readonly ComparisonRow[];
  readonly wallMs: number;
}

export interface ComparisonOptions {
  readonly seed: number;
  readonly minutes: number;
  readonly sim?: SimConfigInput;
  readonly settings?: AgentSettings;
}

/** The fixed baseline: the simulator's reference searcher's default (tip half the EV, Jito). */
const FIXED_BASELINE_SHARE = 0.5;

/** Runs one policy pair (both agents) against a fresh seeded market. */
export async function runPolicy(
  name: string,
  description: string,
  pair: PolicyPair,
  options: ComparisonOptions,
): Promise<PolicyResult> {
  const market = createSimMarket({
    config: { ...options.sim, seed: options.seed },
    pace: 'virtual',
    durationMs: options.minutes * 60_000,
  });
  const outcomes: SubmissionOutcome[] = [];
  const observer = { onOutcome: (o: SubmissionOutcome) => void outcomes.push(o) };
  const settings = options.settings ?? DEFAULT_AGENT_SETTINGS;
  const common = {
    market,
    // Deterministic on purpose: a backtest never reaches the store, and the same seed gives
    // the same ids, so two backtests can be diffed opportunity by opportunity.
    runId: `bt${options.seed}`,
    policy: pair,
    settings,
    observers: [observer],
  };
  const arb = createAgent({ ...common, agentId: 'bt-arb', module: 'arb' });
  const mev = createAgent({ ...common, agentId: 'bt-mev', module: 'mev' });
  await market.simulator.run((event: MarketEvent) => {
    arb.handle(event);
    mev.handle(event);
  });
  const start = market.simulator.config.startTimeMs;
  const perMinute = new Array<number>(options.minutes).fill(0);
  let net = 0n;
  let tips = 0n;
  let fees = 0n;
  let landed = 0;
  for (const o of outcomes) {
    net += o.profitLamports;
    tips += o.tipLamports;
    fees += o.feeLamports;
    if (o.landed) landed++;
    const minute = Math.min(options.minutes - 1, Math.floor((o.atMs - start) / 60_000));
    perMinute[minute] = (perMinute[minute] ?? 0) + Number(o.profitLamports) / 1e9;
  }
  let cumulative = 0;
  const curve = perMinute.map((v) => (cumulative += v));
  const hot = arb.hotPath;
  hot.add(mev.hotPath);
  const us = (q: number) => (hot.totalCount === 0 ? 0 : hot.getValueAtPercentile(q) / 1000);
  return {
    name,
    description,
    netProfitLamports: net,
    submitted: arb.counters.submissions + mev.counters.submissions,
    landed,
    tipsLamports: tips,
    feesLamports: fees,
    curve,
    hotPath: { p50Us: us(50), p99Us: us(99), count: hot.totalCount },
  };
}

/** Oracle, baselines and Landfall on the same market; rows in that order. */
export async function comparePolicies(options: ComparisonOptions): Promise<Comparison> {
  const began = performance.now();
  const settings = options.settings ?? DEFAULT_AGENT_SETTINGS;
  let oracle: PolicyResult | null = null;
  for (const route of ['jito', 'direct'] as const) {
    // The fixed baseline's share is in the grid too, so no fixed policy can beat the oracle.
    const shares = [...new Set([...settings.tipLadder, FIXED_BASELINE_SHARE])].sort(
      (a, b) => a - b,
    );
    for (const tipShare of shares) {
      const label = route === 'jito' ? `fixed tip ${tipShare}, jito` : 'fixed, direct';
      const run = await runPolicy(
        'oracle',
        `best fixed in hindsight: ${label}`,
        { kind: 'fixed', tipShare, route },
        options,
      );
      if (oracle === null || run.netProfitLamports > oracle.netProfitLamports) oracle = run;
      // The direct route pays no tip: one run covers every tip share.
      if (route === 'direct') break;
    }
  }
  const best = oracle as PolicyResult;
  const others = [
    await runPolicy(
      'baseline_fixed',
      'fixed tip 0.5 of EV, always jito',
      { kind: 'fixed', tipShare: FIXED_BASELINE_SHARE, route: 'jito' },
      options,
    ),
    await runPolicy(
      'baseline_ucb_ewma',
      'UCB over EWMA tips + EWMA route switch',
      { kind: 'baseline' },
      options,
    ),
    await runPolicy(
      'landfall',
      'discounted Thompson tips + Thompson over discounted Beta routes, per size class',
      { kind: 'landfall' },
      options,
    ),
  ];
  const rows = [best, ...others].map((r) => ({
    ...r,
    landedPct: r.submitted === 0 ? 0 : (100 * r.landed) / r.submitted,
    ratioToOracle:
      best.netProfitLamports > 0n
        ? Number(r.netProfitLamports) / Number(best.netProfitLamports)
        : 0,
    regretLamports: best.netProfitLamports - r.netProfitLamports,
  }));
  return { seed: options.seed, minutes: options.minutes, rows, wallMs: performance.now() - began };
}

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
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ');
  const notes = c.rows.map((r) => `  ${r.name}: ${r.description}`);
  return [
    `landfall backtest: seed ${c.seed}, ${c.minutes} simulated minutes, ${c.rows.length} policies (${(c.wallMs / 1000).toFixed(1)} s)`,
    line(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...body.map(line),
    ...notes,
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
    })),
  };
}
