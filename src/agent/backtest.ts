import type { MarketEvent, Module, SubmissionOutcome } from '../market/types.js';
import { createSimMarket, type SimConfigInput } from '../sim/index.js';
import { createAgent, type PolicyPair } from './assemble.js';
import { CompetitionSignal } from './competition-signal.js';
import { type AgentSettings, DEFAULT_AGENT_SETTINGS } from './config.js';
import type { DecisionRecord } from './engine.js';
import type { Scorer } from './types.js';

/**
 * Policy comparison on the seeded simulator: the same market (seed, config) once per policy
 * pair, an arbitrage agent and a backrun agent trading side by side in each run. The
 * simulator's common random numbers (src/sim/draw-keys.ts) make every policy meet the same
 * luck wherever its own trades do not change the market. The oracle is the best fixed (tip
 * share, route) in hindsight, found by running every one on the ladder; the per-regime ceiling
 * takes, for each module and competition regime, the best of those fixed arms there.
 */

/** Net profit of one module's submissions made while one regime was in force. */
export interface CellProfit {
  readonly module: Module;
  readonly regime: string;
  readonly netProfitLamports: bigint;
}

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
  /** Net profit per module × regime (the regime in force when each submission was sent). */
  readonly cells: readonly CellProfit[];
}

export interface ComparisonRow extends PolicyResult {
  readonly landedPct: number;
  readonly ratioToOracle: number;
  readonly regretLamports: bigint;
}

/** One module × regime cell of the ceiling: the fixed arm that did best there. */
export interface CeilingCell extends CellProfit {
  /** The arm's description, e.g. `fixed tip 0.3, jito`. */
  readonly arm: string;
}

/**
 * The per-regime ceiling: the best fixed arm per module × regime, in hindsight. Each cell's
 * figure comes from a run where both modules used that arm all along, so it is a reference
 * point, not a policy any agent could run; it is at least the oracle's profit.
 */
export interface Ceiling {
  readonly netProfitLamports: bigint;
  readonly cells: readonly CeilingCell[];
}

export interface Comparison {
  readonly seed: number;
  readonly minutes: number;
  readonly rows: readonly ComparisonRow[];
  readonly ceiling: Ceiling;
  readonly wallMs: number;
}

export interface ComparisonOptions {
  readonly seed: number;
  readonly minutes: number;
  readonly sim?: SimConfigInput;
  readonly settings?: AgentSettings;
  /** Scores both modules' opportunities; default: the heuristic scorer. */
  readonly scorer?: Scorer;
  /**
   * `virtual` (default): as fast as the engine goes. `wall`: at `sim.speed` simulated seconds per
   * wall second, as `landfall up` runs it (benchmarks compare the hot path at the same pace).
   */
  readonly pace?: 'virtual' | 'wall';
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
    pace: options.pace ?? 'virtual',
    durationMs: options.minutes * 60_000,
  });
  const outcomes: SubmissionOutcome[] = [];
  // The regime when each submission was sent: a decision belongs to the regime it was made in.
  const regimeOf = new Map<string, string>();
  const observer = {
    onDecision: (r: DecisionRecord) => {
      if (r.submission !== undefined) regimeOf.set(r.submission.id, market.simulator.regime);
    },
    onOutcome: (o: SubmissionOutcome) => void outcomes.push(o),
  };
  const settings = options.settings ?? DEFAULT_AGENT_SETTINGS;
  const common = {
    market,
    // Deterministic on purpose: a backtest never reaches the store, and the same seed gives
    // the same ids, so two backtests can be diffed opportunity by opportunity.
    runId: `bt${options.seed}`,
    policy: pair,
    settings,
    observers: [observer],
    ...(options.scorer === undefined ? {} : { scorer: options.scorer }),
    competition: new CompetitionSignal(),
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
  const cells = new Map<string, CellProfit>();
  for (const o of outcomes) {
    const regime = regimeOf.get(o.submissionId) ?? market.simulator.regime;
    const key = `${o.module}/${regime}`;
    const cell = cells.get(key) ?? { module: o.module, regime, netProfitLamports: 0n };
    cells.set(key, { ...cell, netProfitLamports: cell.netProfitLamports + o.profitLamports });
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
    cells: [...cells.values()].sort(byCell),
  };
}

function byCell(a: CellProfit, b: CellProfit): number {
  return a.module === b.module
    ? a.regime.localeCompare(b.regime)
    : a.module.localeCompare(b.module);
}

/**
 * Best fixed arm per module × regime over `runs` (every fixed arm of one seed). An arm that
 * sent nothing in a cell made 0 there. Summing each cell's best is at least the best sum: the
 * ceiling is never below the oracle.
 */
export function ceilingOf(runs: readonly PolicyResult[]): Ceiling {
  const keyOf = (c: CellProfit) => `${c.module}/${c.regime}`;
  const shapes = new Map<string, CellProfit>();
  for (const run of runs) for (const c of run.cells) shapes.set(keyOf(c), c);
  const cells: CeilingCell[] = [];
  for (const [key, shape] of shapes) {
    let best: CeilingCell | undefined;
    for (const run of runs) {
      const net = run.cells.find((c) => keyOf(c) === key)?.netProfitLamports ?? 0n;
      if (best === undefined || net > best.netProfitLamports)
        best = {
          module: shape.module,
          regime: shape.regime,
          netProfitLamports: net,
          arm: run.description,
        };
    }
    if (best !== undefined) cells.push(best);
  }
  cells.sort(byCell);
  return { netProfitLamports: cells.reduce((s, c) => s + c.netProfitLamports, 0n), cells };
}

/** Names of the rows `comparePolicies` returns, in order. */
export const POLICY_NAMES = [
  'oracle',
  'baseline_fixed',
  'baseline_ucb_ewma',
  'always_direct',
  'landfall_split',
  'landfall',
] as const;

/**
 * Oracle, baselines and Landfall on the same market; rows in `POLICY_NAMES` order, with the
 * per-regime ceiling beside them.
 */
export async function comparePolicies(options: ComparisonOptions): Promise<Comparison> {
  const began = performance.now();
  const settings = options.settings ?? DEFAULT_AGENT_SETTINGS;
  // Every fixed arm: the ladder (with the fixed baseline's share, so no fixed policy can beat
  // the oracle) on Jito, and the direct route, where the tip share plays no part: one run.
  const shares = [...new Set([...settings.tipLadder, FIXED_BASELINE_SHARE])].sort((a, b) => a - b);
  const arms: { label: string; pair: PolicyPair }[] = [
    ...shares.map((tipShare) => ({
      label: `fixed tip ${tipShare}, jito`,
      pair: { kind: 'fixed', tipShare, route: 'jito' } as const,
    })),
    {
      label: 'fixed, direct',
      pair: { kind: 'fixed', tipShare: shares[0] ?? FIXED_BASELINE_SHARE, route: 'direct' },
    },
  ];
  const grid: PolicyResult[] = [];
  for (const arm of arms) grid.push(await runPolicy(arm.label, arm.label, arm.pair, options));
  const oracle = grid.reduce((a, b) => (b.netProfitLamports > a.netProfitLamports ? b : a));
  // A fixed policy's run is deterministic for the seed: the baselines that are fixed arms reuse
  // the grid's run rather than repeat it.
  const armRun = (label: string) => grid[arms.findIndex((a) => a.label === label)] as PolicyResult;
  const rename = (r: PolicyResult, name: string, description: string) => ({
    ...r,
    name,
    description,
  });
  const results = [
    rename(oracle, 'oracle', `best fixed in hindsight: ${oracle.description}`),
    rename(
      armRun(`fixed tip ${FIXED_BASELINE_SHARE}, jito`),
      'baseline_fixed',
      'fixed tip 0.5 of EV, always jito',
    ),
    await runPolicy(
      'baseline_ucb_ewma',
      'UCB over EWMA tips + EWMA route switch',
      { kind: 'baseline' },
      options,
    ),
    rename(
      armRun('fixed, direct'),
      'always_direct',
      'always direct to the leader, p95 priority fee',
    ),
    await runPolicy(
      'landfall_split',
      'discounted Thompson tips + Thompson over discounted Beta routes, per size class, chosen apart',
      { kind: 'landfall_split' },
      options,
    ),
    await runPolicy(
      'landfall',
      'tip and route together: Thompson over one learnt win, rival and inclusion model',
      { kind: 'landfall' },
      options,
    ),
  ];
  const best = results[0] as PolicyResult;
  const rows = results.map((r) => ({
    ...r,
    landedPct: r.submitted === 0 ? 0 : (100 * r.landed) / r.submitted,
    ratioToOracle:
      best.netProfitLamports > 0n
        ? Number(r.netProfitLamports) / Number(best.netProfitLamports)
        : 0,
    regretLamports: best.netProfitLamports - r.netProfitLamports,
  }));
  return {
    seed: options.seed,
    minutes: options.minutes,
    rows,
    ceiling: ceilingOf(grid),
    wallMs: performance.now() - began,
  };
}
