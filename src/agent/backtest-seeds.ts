import { availableParallelism } from 'node:os';
import {
  type Comparison,
  type ComparisonOptions,
  comparePolicies,
  POLICY_NAMES,
} from './backtest.js';
import type { BacktestWorkerData } from './backtest-worker.js';
import {
  Bootstrap,
  type BootstrapOptions,
  type Interval,
  type RatioEstimate,
} from './bootstrap.js';
import { runInWorkers } from './worker-pool.js';

/**
 * Many seeds, each one `comparePolicies`, then totals over seeds with bootstrap intervals and
 * paired ratios: 14 seeds cannot rank policies whose difference is a tenth of a seed's spread,
 * so a claim needs many seeds and an interval that says how sure it is.
 */

export interface SeedsOptions extends Omit<ComparisonOptions, 'seed'> {
  readonly seeds: readonly number[];
  /** Seeds run at once, each on its own worker thread; 1 runs them in this thread, in order. */
  readonly jobs?: number;
  /** Called as each seed finishes (in completion order when parallel). */
  readonly onSeed?: (comparison: Comparison, done: number, total: number) => void;
}

/** The default `--jobs`: one seed per core. */
export const defaultJobs = (): number => availableParallelism();

/** Every seed's comparison, in `seeds` order. */
export async function compareSeeds(options: SeedsOptions): Promise<Comparison[]> {
  const { seeds, onSeed } = options;
  const jobs = options.jobs ?? defaultJobs();
  const base: BacktestWorkerData = {
    minutes: options.minutes,
    ...(options.sim === undefined ? {} : { sim: options.sim }),
    ...(options.settings === undefined ? {} : { settings: options.settings }),
  };
  if (jobs === 1) {
    const out: Comparison[] = [];
    for (const seed of seeds) {
      out.push(await comparePolicies({ ...base, seed }));
      onSeed?.(out.at(-1) as Comparison, out.length, seeds.length);
    }
    return out;
  }
  return runInWorkers<number, Comparison>({
    worker: new URL('./backtest-worker.js', import.meta.url),
    tasks: seeds,
    jobs,
    workerData: base,
    ...(onSeed === undefined ? {} : { onResult: (c, _, done) => onSeed(c, done, seeds.length) }),
  });
}

/** The per-regime ceiling's name where it sits beside the policies. */
export const CEILING = 'ceiling';
/** What each policy is divided by in the ratio table. */
export const BASELINES = [
  'oracle',
  CEILING,
  'baseline_ucb_ewma',
  'always_direct',
  'baseline_fixed',
] as const;

export interface PolicyTotal {
  readonly name: string;
  /** Σ net profit over seeds, SOL. */
  readonly netProfitSol: number;
  readonly meanPerSeedSol: number;
  /** Bootstrap interval of the total, SOL. */
  readonly interval: Interval;
  /** Landed over submitted, all seeds pooled; null for the ceiling (not a run). */
  readonly landedPct: number | null;
  readonly submitted: number | null;
}

export interface PairedRatio {
  readonly policy: string;
  readonly baseline: string;
  readonly estimate: RatioEstimate;
}

export interface SeedsSummary {
  readonly seeds: readonly number[];
  readonly minutes: number;
  readonly resamples: number;
  readonly level: number;
  readonly totals: readonly PolicyTotal[];
  readonly ratios: readonly PairedRatio[];
  /**
   * Net profit per module × regime, summed over seeds, per policy and for the ceiling, SOL:
   * where a policy falls short of the best fixed arm.
   */
  readonly cells: readonly {
    readonly module: string;
    readonly regime: string;
    readonly netSol: Record<string, number>;
  }[];
  /** Net profit per seed and policy (and the ceiling), SOL. */
  readonly perSeed: readonly { readonly seed: number; readonly netSol: Record<string, number> }[];
  /** What the seeds' run took, summed over workers, ms. */
  readonly seedWallMs: number;
}

/** Totals with intervals over seeds, and every policy paired against every baseline. */
export function summarizeSeeds(
  comparisons: readonly Comparison[],
  options: BootstrapOptions = {},
): SeedsSummary {
  const first = comparisons[0];
  if (first === undefined) throw new RangeError('summarizeSeeds: no seeds');
  const names = [...POLICY_NAMES, CEILING];
  const perSeed = comparisons.map((c) => {
    const netSol: Record<string, number> = {};
    for (const r of c.rows) netSol[r.name] = Number(r.netProfitLamports) / 1e9;
    netSol[CEILING] = Number(c.ceiling.netProfitLamports) / 1e9;
    return { seed: c.seed, netSol };
  });
  const column = (name: string) => perSeed.map((s) => s.netSol[name] ?? Number.NaN);
  const boot = new Bootstrap(comparisons.length, options);
  const totals = names.map((name): PolicyTotal => {
    const values = column(name);
    const sum = values.reduce((s, v) => s + v, 0);
    const rows = comparisons.flatMap((c) => c.rows.filter((r) => r.name === name));
    const submitted = rows.reduce((s, r) => s + r.submitted, 0);
    const landed = rows.reduce((s, r) => s + r.landed, 0);
    return {
      name,
      netProfitSol: sum,
      meanPerSeedSol: sum / values.length,
      interval: boot.sum(values),
      landedPct: rows.length === 0 ? null : submitted === 0 ? 0 : (100 * landed) / submitted,
      submitted: rows.length === 0 ? null : submitted,
    };
  });
  const ratios: PairedRatio[] = [];
  for (const policy of POLICY_NAMES) {
    for (const baseline of BASELINES) {
      if (policy === baseline) continue;
      ratios.push({ policy, baseline, estimate: boot.ratio(column(policy), column(baseline)) });
    }
  }
  return {
    seeds: comparisons.map((c) => c.seed),
    cells: cellTotals(comparisons),
    minutes: first.minutes,
    resamples: boot.resamples,
    level: boot.level,
    totals,
    ratios,
    perSeed,
    seedWallMs: comparisons.reduce((s, c) => s + c.wallMs, 0),
  };
}

function cellTotals(comparisons: readonly Comparison[]): SeedsSummary['cells'] {
  const cells = new Map<
    string,
    { module: string; regime: string; netSol: Record<string, number> }
  >();
  const add = (module: string, regime: string, name: string, lamports: bigint) => {
    const key = `${module}/${regime}`;
    const cell = cells.get(key) ?? { module, regime, netSol: {} };
    cell.netSol[name] = (cell.netSol[name] ?? 0) + Number(lamports) / 1e9;
    cells.set(key, cell);
  };
  for (const c of comparisons) {
    for (const r of c.rows)
      for (const x of r.cells) add(x.module, x.regime, r.name, x.netProfitLamports);
    for (const x of c.ceiling.cells) add(x.module, x.regime, CEILING, x.netProfitLamports);
  }
  return [...cells.values()].sort((a, b) =>
    a.module === b.module ? a.regime.localeCompare(b.regime) : a.module.localeCompare(b.module),
  );
}

/**
 * `A-B` (inclusive) or `A,B,C` (or a mix: `1-14,20`) as a list of seeds. With `max`, more
 * seeds than that are refused before any range is expanded (a request may name a huge range).
 */
export function parseSeeds(text: string, max = Number.POSITIVE_INFINITY): number[] {
  const seeds: number[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (m === null) throw new RangeError(`"${part}" is not a seed or a range A-B`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || b < a)
      throw new RangeError(`"${part}": a range runs from low to high`);
    if (seeds.length + (b - a + 1) > max)
      throw new RangeError(`more than ${max} seeds: run more with landfall backtest --seeds`);
    for (let s = a; s <= b; s++) seeds.push(s);
  }
  if (new Set(seeds).size !== seeds.length)
    throw new RangeError(`"${text}" names a seed twice: each seed counts once`);
  return seeds;
}
