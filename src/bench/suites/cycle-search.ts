import { CycleSearch } from '../../agent/cycle-search/index.js';
import { buildPool, type PoolSpec } from '../../agent/cycle-search/testing/build-pools.js';
import type { QuotedPool } from '../../agent/cycle-search/types.js';
import { WSOL_MINT } from '../../market/types.js';
import { Rng } from '../../random/rng.js';
import type { BenchContext, BenchRow, BenchSuite } from '../harness.js';
import { percentile } from '../stats.js';

const USDC = 'EPjFWdd5AufqSyqeM2qN1xzybapC8G4wEGGkZwyTDt1v';
const WARMUP = 300;
const UPDATES = 3_000;

/**
 * Graphs: each pool is one undirected edge of the mint graph and two directed swap edges, so
 * 1,000 pools are 2,000 directed edges and 2,500 pools are 5,000; both are measured.
 */
const GRAPHS = [
  { name: 'cycle_search.per_update', pools: 1_000, mints: 250 },
  { name: 'cycle_search.per_update_5k_edges', pools: 2_500, mints: 600 },
] as const;

interface Graph {
  readonly search: CycleSearch;
  readonly pools: { id: string; a: string; b: string; va: number; vb: number; spec: PoolSpec }[];
}

/**
 * The cycle search per pool update: a seeded mint graph with WSOL and USDC as the bases,
 * every token with a home pool against a base and the other pools drawn by a heavy-tailed
 * popularity (a few hub tokens, many thin ones), pools a mix of constant product (60 %) and
 * falling bin books (40 %, 20–60 bins), fees from the venues' tiers (1–100 bps), priced
 * around each mint's value with a small mispricing (sd 0.2 ‰). Each timed step moves one
 * random pool (mispricing sd 3 ‰, as a large swap would) and calls `update`: every cycle
 * through that pool re-evaluated, those whose rate bounds leave room for the minimum profit
 * (10,000 lamports or the USDC equivalent) sized with the default budget. Before the next
 * step that pool goes back near fair, untimed. p50/p99 over UPDATES updates after WARMUP, plus
 * the graph's size and what an update touched on average.
 */
export const cycleSearchSuite: BenchSuite = {
  name: 'cycle-search',
  description: `cycle search per pool update (${UPDATES} updates; 1,000 and 2,500 pools)`,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    let step = 0;
    for (const shape of GRAPHS) {
      const rng = Rng.stream(1, `bench/cycle-search/${shape.pools}`);
      const graph = buildGraph(rng, shape.pools, shape.mints);
      const micros: number[] = [];
      let affected = 0;
      let profitable = 0;
      let moved: Graph['pools'][number] | undefined;
      for (let i = 0; i < WARMUP + UPDATES; i++) {
        // Arbitrage put the last moved pool back near fair (untimed); now another one moves.
        if (moved !== undefined) graph.search.upsert(redraw(rng, moved, QUIET));
        moved = graph.pools[rng.int(graph.pools.length)] as Graph['pools'][number];
        const pool = redraw(rng, moved, MOVED);
        const start = process.hrtime.bigint();
        const found = graph.search.update(pool);
        const elapsed = Number(process.hrtime.bigint() - start) / 1000;
        if (i < WARMUP) continue;
        micros.push(elapsed);
        affected += graph.search.cyclesThrough(pool.id).size;
        profitable += found.length;
      }
      const row = (metric: string, value: number, unit: string) =>
        rows.push({ name: shape.name, metric, value, unit });
      row('p50_us', percentile(micros, 0.5), 'us');
      row('p99_us', percentile(micros, 0.99), 'us');
      row('pools', graph.search.poolCount, 'pools');
      row('directed_edges', 2 * graph.search.poolCount, 'edges');
      row('mints', shape.mints, 'mints');
      row('cycles', graph.search.cycleCount, 'cycles');
      row('cycles_per_update', affected / UPDATES, 'cycles');
      row('profitable_per_update', profitable / UPDATES, 'cycles');
      ctx.progress(++step, GRAPHS.length);
    }
    return rows;
  },
};

function buildGraph(rng: Rng, poolCount: number, mintCount: number): Graph {
  const search = new CycleSearch({
    bases: [
      { mint: WSOL_MINT, maxIn: 100_000_000_000n, minProfit: 10_000n },
      { mint: USDC, maxIn: 20_000_000_000n, minProfit: 2_000n },
    ],
  });
  // Value of one atomic unit in lamports: USDC at 0.005 SOL per whole USDC (6 decimals).
  const values = new Map<string, number>([
    [WSOL_MINT, 1],
    [USDC, 5],
  ]);
  const tokens: string[] = [];
  for (let i = 0; tokens.length < mintCount - 2; i++) {
    const mint = `token${i}`;
    tokens.push(mint);
    values.set(mint, 10 ** rng.uniform(-4, 3));
  }
  // Popularity falls with rank (Pareto, α 1.2): the top 20 tokens take about half the picks.
  const popular = () =>
    tokens[Math.min(tokens.length - 1, Math.floor(rng.pareto(20, 1.2)) - 20)] as string;
  const base = () => (rng.chance(0.7) ? WSOL_MINT : USDC);
  // Every token has a home pool against a base; the rest join bases and tokens by popularity.
  const pairs: [string, string][] = tokens.map((t) => [base(), t]);
  while (pairs.length < poolCount) {
    const roll = rng.float();
    if (roll < 0.01) pairs.push([WSOL_MINT, USDC]);
    else if (roll < 0.45) pairs.push([base(), popular()]);
    else {
      const a = popular();
      const b = rng.chance(0.5) ? popular() : (tokens[rng.int(tokens.length)] as string);
      if (a !== b) pairs.push([a, b]);
    }
  }
  const pools: Graph['pools'] = pairs.map(([a, b], i) => {
    const va = values.get(a) as number;
    const vb = values.get(b) as number;
    const bins = rng.chance(0.4);
    const spec: PoolSpec = {
      kind: bins ? 'bins' : 'cp',
      // The A side holds 10^10–10^13 lamports of value.
      depth: 10 ** rng.uniform(10, 13) / va,
      noise: rng.normal() * QUIET,
      feeBps: FEE_TIERS[rng.int(FEE_TIERS.length)] as number,
      steps: bins ? Array.from({ length: 20 + rng.int(41) }, () => 1 + rng.int(10)) : [],
    };
    search.upsert(buildPool(`pool${i}`, a, b, va, vb, spec));
    return { id: `pool${i}`, a, b, va, vb, spec };
  });
  return { search, pools };
}

/** Fee tiers of the venues, bps. */
const FEE_TIERS = [1, 2, 4, 5, 16, 25, 30, 100];
/** Mispricing per mille, standard deviation: a pool at rest, and one a large swap just moved. */
const QUIET = 0.2;
const MOVED = 3;

/** The state of `p` with a fresh mispricing of standard deviation `sd` per mille. */
function redraw(rng: Rng, p: Graph['pools'][number], sd: number): QuotedPool {
  const noise = Math.max(-30, Math.min(30, rng.normal() * sd));
  return buildPool(p.id, p.a, p.b, p.va, p.vb, { ...p.spec, noise });
}
