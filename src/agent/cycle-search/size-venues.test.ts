import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NO_CLOCK, swapExact } from '../../market/pool-quote.js';
import type { PoolSnapshot } from '../../market/types.js';
import { type CurveKind, poolFactory } from '../../sim/curve-kinds.js';
import type { DlmmPool } from '../../solana/venues/meteora-dlmm/swap.js';
import type { WhirlpoolState } from '../../solana/venues/orca-whirlpool/state.js';
import { sizeCycle } from './size-cycle.js';
import { executes } from './snapshot-cycles.js';
import { CurveSnapshotPool, quotedPool } from './snapshot-pool.js';
import type { Cycle, CycleHop } from './types.js';

/**
 * `sizeCycle` against a brute-force walk over every input, on cycles through the venues' own
 * maths (constant product, Raydium AMM v4 and CP-Swap, Orca Whirlpool, Meteora DLMM), built
 * as the simulator builds them (`sim/pools.ts`: the venue's `sim.ts` at a constant-product
 * pool's price and depth) and entering the search as `snapshot-pool.ts` quotes them. The pools
 * are 10⁴–10⁵ units deep and mispriced by −5 % to +10 % each, so cycles profit at inputs small
 * enough to walk, and their optimal swaps cross Whirlpool ticks and DLMM bins.
 */

const KINDS: readonly CurveKind[] = [
  'constant_product',
  'raydium_amm_v4',
  'raydium_cp',
  'orca_whirlpool',
  'meteora_dlmm',
];

const poolArb = fc.record({
  kind: fc.constantFrom(...KINDS),
  /** Depth of the A side, in base units of value. */
  depth: fc.integer({ min: 10_000, max: 100_000 }),
  /** Mispricing against the mints' values, per mille (leaning cheap: most cycles profit). */
  noise: fc.integer({ min: -50, max: 100 }),
  /**
   * 5 bps and up: below, a pool this small has DLMM bins (step = fee) that round to empty and
   * Whirlpool ticks (spacing 1–4) whose nine arrays it leaves within a few units.
   */
  feeBps: fc.constantFrom(5, 10, 16, 25, 30),
  /** The pool lists the cycle's mints the other way round: the hop runs bToA. */
  flip: fc.boolean(),
  seed: fc.nat(0x7fff_ffff),
});
type PoolArb = typeof poolArb extends fc.Arbitrary<infer T> ? T : never;

const cycleArb = fc.record({
  /** Base units per atomic unit of the inner mints: 10^(e/10), 0.3 to 3. */
  values: fc.tuple(fc.integer({ min: -5, max: 5 }), fc.integer({ min: -5, max: 5 })),
  pools: fc.array(poolArb, { minLength: 3, maxLength: 3 }),
  hops: fc.constantFrom(2 as const, 3 as const),
  /** Unbiased: fast-check's bias would spend many runs on domains of a few units. */
  maxIn: fc.noBias(fc.bigInt({ min: 1n, max: 3_000n })),
});

function snapshot(id: string, from: string, to: string, rate: number, spec: PoolArb): PoolSnapshot {
  const reserveFrom = BigInt(Math.max(1, Math.round(spec.depth)));
  const reserveTo = BigInt(Math.max(1, Math.round(spec.depth * rate * (1 + spec.noise / 1000))));
  const [mintA, mintB, reserveA, reserveB] = spec.flip
    ? [to, from, reserveTo, reserveFrom]
    : [from, to, reserveFrom, reserveTo];
  const cp: PoolSnapshot = {
    id,
    venue: spec.kind,
    mintA,
    mintB,
    reserveA,
    reserveB,
    feeBps: spec.feeBps,
  };
  const factory = poolFactory(spec.kind);
  if (factory === undefined) return cp;
  const built = factory({ mintA, mintB, reserveA, reserveB, feeBps: spec.feeBps, seed: spec.seed });
  return { ...cp, reserveA: built.reserveA, reserveB: built.reserveB, curve: built.curve };
}

interface Built {
  readonly cycle: Cycle;
  readonly snapshots: readonly PoolSnapshot[];
}

/** base → m1 (→ m2) → base, one pool per hop. */
function build(input: typeof cycleArb extends fc.Arbitrary<infer T> ? T : never): Built {
  const values = [1, 10 ** (input.values[0] / 10), 10 ** (input.values[1] / 10)];
  const mints = input.hops === 2 ? ['base', 'm1'] : ['base', 'm1', 'm2'];
  const snapshots = mints.map((mint, i) => {
    const next = (i + 1) % mints.length;
    const spec = input.pools[i] as PoolArb;
    const rate = (values[i] as number) / (values[next] as number);
    // Depth in units of the hop's input mint.
    const depth = { ...spec, depth: spec.depth / (values[i] as number) };
    return snapshot(`${spec.kind}-${i}`, mint, mints[next] as string, rate, depth);
  });
  const hops: CycleHop[] = snapshots.map((s, i) => ({
    slot: { pool: quotedPool(s, NO_CLOCK) },
    direction: (input.pools[i] as PoolArb).flip ? 'bToA' : 'aToB',
  }));
  return { cycle: { key: 'venues', base: 'base', hops }, snapshots };
}

/**
 * What the programs pay for `amountIn` through the cycle: 0 as soon as one refuses (a pool that
 * runs out of ticks or bins), as on chain, where the whole transaction reverts.
 */
function programsPay(hops: readonly CycleHop[], amountIn: bigint): bigint {
  let amount = amountIn;
  for (const { slot, direction } of hops) {
    const pool = slot.pool;
    amount =
      pool instanceof CurveSnapshotPool
        ? pool.pays(direction, amount)
        : pool.quote(direction, amount);
    if (amount === 0n) return 0n;
  }
  return amount;
}

/** The best profit the programs pay over every input in [1, maxIn], and its input. */
function bruteForce(hops: readonly CycleHop[], maxIn: bigint) {
  let best = 0n;
  let at = 0n;
  let refused = false;
  for (let x = 1n; x <= maxIn; x++) {
    const out = programsPay(hops, x);
    if (out === 0n && x > 1n) refused = true;
    if (out - x > best) {
      best = out - x;
      at = x;
    }
  }
  return { best, at, refused };
}

/** Whether the swaps of `amountIn` through the cycle cross an initialised tick or a bin. */
function crosses(built: Built, amountIn: bigint): boolean {
  let amount = amountIn;
  let crossed = false;
  built.snapshots.forEach((pool, i) => {
    const direction = built.cycle.hops[i]?.direction ?? 'aToB';
    const swap = swapExact(pool, direction, amount, NO_CLOCK);
    const before = pool.curve?.state;
    const after = swap.pool.curve?.state;
    if (pool.venue === 'orca_whirlpool') {
      const [b, a] = [before as WhirlpoolState, after as WhirlpoolState];
      if (b.pool.whirlpool.liquidity !== a.pool.whirlpool.liquidity) crossed = true;
    } else if (pool.venue === 'meteora_dlmm') {
      if ((before as DlmmPool).pair.activeId !== (after as DlmmPool).pair.activeId) crossed = true;
    }
    amount = swap.amountOut;
  });
  return crossed;
}

/** Room for the certificate to finish on any 3,000-unit domain. */
const UNLIMITED = 1_000_000;

describe('sizeCycle on venue curves against brute force over the whole input domain', () => {
  it('exact search finds the optimum; the hot path never overstates it', () => {
    const counts = {
      runs: 0,
      /** Runs where a program refuses some input of the domain (runs out of ticks or bins). */
      refusing: 0,
      profitable: 0,
      crossing: 0,
      threeHop: 0,
      curveHops: 0,
      hotExact: 0,
      hotWithinOne: 0,
      hotShort: 0,
      hotMissed: 0,
      /** Hot-path plans sized past what a program executes, dropped. */
      hotDropped: 0,
      /** Where the hot path fell short by more than one unit: [brute-force best, found]. */
      shortfalls: [] as [bigint, bigint][],
    };
    fc.assert(
      fc.property(cycleArb, (input) => {
        const built = build(input);
        const { cycle } = built;
        const maxIn = input.maxIn;
        const brute = bruteForce(cycle.hops, maxIn);
        counts.runs++;
        if (brute.refused) counts.refusing++;
        if (cycle.hops.length === 3) counts.threeHop++;
        counts.curveHops += built.snapshots.filter((s) => s.curve !== undefined).length;

        // (1) Exact search: the brute-force optimum, reproduced by its plan.
        const exact = sizeCycle(cycle, { maxIn, budget: UNLIMITED });
        expect(exact?.profit ?? 0n).toBe(brute.best);
        if (exact !== null) {
          expect(exact.amountIn).toBeGreaterThanOrEqual(1n);
          expect(exact.amountIn).toBeLessThanOrEqual(maxIn);
          expect(programsPay(cycle.hops, exact.amountIn) - exact.amountIn).toBe(exact.profit);
          expect(exact.amountOut).toBe(exact.amountIn + exact.profit);
          expect(executes(exact)).toBe(true);
          expect(exact.profitBound).toBe(exact.profit);
        }

        // (2) The hot path as the strategies size (exactSearch false, default budget).
        // A plan the programs would not execute is dropped before it becomes a candidate.
        const sized = sizeCycle(cycle, { maxIn, exactSearch: false });
        const hot = sized !== null && executes(sized) ? sized : null;
        if (sized !== null && hot === null) counts.hotDropped++;
        const found = hot?.profit ?? 0n;
        expect(found).toBeLessThanOrEqual(brute.best);
        if (hot !== null) {
          expect(programsPay(cycle.hops, hot.amountIn) - hot.amountIn).toBe(hot.profit);
          expect(hot.profitBound).toBeGreaterThanOrEqual(brute.best);
        }
        if (brute.best <= 0n) return;
        counts.profitable++;
        if (crosses(built, brute.at)) counts.crossing++;
        const short = brute.best - found;
        if (short === 0n) counts.hotExact++;
        else if (short === 1n) counts.hotWithinOne++;
        else {
          if (hot === null) counts.hotMissed++;
          else counts.hotShort++;
          counts.shortfalls.push([brute.best, found]);
        }
      }),
      { numRuns: 300, seed: 31 },
    );
    console.log('size-venues:', counts);
    // Not vacuous: cycles profit, through three pools, and their optimal swaps cross ticks or bins.
    expect(counts.profitable).toBeGreaterThan(counts.runs / 5);
    expect(counts.threeHop).toBeGreaterThan(0);
    expect(counts.crossing).toBeGreaterThan(0);
  }, 60_000);
});
