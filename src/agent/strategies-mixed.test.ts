import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PoolCurve } from '../market/curve.js';
import { NO_CLOCK } from '../market/pool-quote.js';
import { type PoolSnapshot, WSOL_MINT } from '../market/types.js';
import { poolFactory } from '../sim/curve-kinds.js';
import { simulatedDlmm } from '../solana/venues/meteora-dlmm/sim.js';
import { simulatedAmmV4 } from '../solana/venues/raydium-amm-v4/sim.js';
import { simulatedRaydiumCp } from '../solana/venues/raydium-cp/sim.js';
import { CycleSearch, sizedLegs } from './cycle-search/cycle-search.js';
import { quotedPool } from './cycle-search/snapshot-pool.js';
import { ArbStrategy, BackrunStrategy } from './strategies.js';
import type { MarketView } from './types.js';

/**
 * On pools of mixed curves (constant product, AMM v4, CP-Swap, Whirlpool and DLMM maths), the strategies report
 * the best of every profitable cycle the cycle search finds through the pool that changed: 2-
 * and 3-pool cycles, whichever hop the pool is, across curve kinds.
 */
const MINTS = [WSOL_MINT, 'sim:A', 'sim:B'] as const;
/** Lamports per atomic unit of each mint. */
const VALUE = [1, 0.02, 3] as const;
const KINDS = ['cp', 'amm-v4', 'cp-swap', 'dlmm', 'whirlpool'] as const;

const poolArb = fc.record({
  pair: fc.constantFrom([0, 1], [0, 2], [1, 2]),
  kind: fc.constantFrom(...KINDS),
  depthSol: fc.integer({ min: 50, max: 5_000 }),
  skewPct: fc.integer({ min: -30, max: 30 }),
  feeBps: fc.constantFrom(20, 25, 30),
});
type Spec = typeof poolArb extends fc.Arbitrary<infer T> ? T : never;

function build(spec: Spec, i: number): PoolSnapshot {
  const [a, b] = spec.pair as [number, number];
  const lamports = spec.depthSol * 1e9;
  const reserveA = BigInt(Math.round(lamports / (VALUE[a as 0] as number)));
  const reserveB = BigInt(Math.round((lamports * (1 + spec.skewPct / 1000)) / VALUE[b as 0]));
  const base: PoolSnapshot = {
    id: `${spec.kind}-${i}`,
    venue: spec.kind,
    mintA: MINTS[a as 0],
    mintB: MINTS[b as 0],
    reserveA,
    reserveB,
    feeBps: spec.feeBps,
  };
  if (spec.kind === 'cp') return base;
  const factory =
    spec.kind === 'amm-v4'
      ? simulatedAmmV4
      : spec.kind === 'dlmm'
        ? simulatedDlmm
        : spec.kind === 'whirlpool'
          ? (poolFactory('orca_whirlpool') as NonNullable<ReturnType<typeof poolFactory>>)
          : simulatedRaydiumCp;
  const built = factory({ ...base, seed: i });
  return {
    ...base,
    reserveA: built.reserveA,
    reserveB: built.reserveB,
    curve: built.curve as PoolCurve,
  };
}

function viewOf(pools: readonly PoolSnapshot[]): MarketView {
  return {
    nowMs: 0,
    slot: 1,
    leaderRunsJito: true,
    leaderSlotsLeft: 3,
    nextLeaderRunsJito: true,
    slotStartMs: 0,
    congestion: 0,
    priorityFeeP50: 0,
    priorityFeeP95: 0,
    tipFloorP50: 0,
    pool: (id) => pools.find((p) => p.id === id),
    poolsWith: (mint) => pools.filter((p) => p.mintA === mint || p.mintB === mint),
  };
}

const MIN_PROFIT = 1_000n;

describe('strategies on mixed curves', () => {
  it('report the best of every profitable cycle the cycle search finds, across curve kinds', () => {
    let found = 0;
    let acrossKinds = 0;
    let threeHop = 0;
    fc.assert(
      fc.property(fc.array(poolArb, { minLength: 3, maxLength: 8 }), (specs) => {
        const pools = specs.map(build);
        const view = viewOf(pools);
        const strategy = new ArbStrategy({ quoteMint: WSOL_MINT, minProfitLamports: MIN_PROFIT });
        const search = new CycleSearch({
          bases: [{ mint: WSOL_MINT, maxIn: (1n << 64n) - 1n, minProfit: MIN_PROFIT }],
          exactSearch: false,
        });
        for (const pool of pools) search.upsert(quotedPool(pool, NO_CLOCK));
        for (const pool of pools) {
          const [candidate] = strategy.onEvent({ kind: 'pool', atMs: 0, slot: 1, pool }, view);
          const sized = search.evaluate(pool.id);
          if (sized.length === 0) {
            expect(candidate).toBeUndefined();
            continue;
          }
          const best = sized[0] as (typeof sized)[number];
          for (const s of sized)
            expect(candidate?.grossProfitLamports).toBeGreaterThanOrEqual(s.profit);
          expect(candidate?.grossProfitLamports).toBe(best.profit);
          expect(candidate?.legs).toEqual(sizedLegs(best));
          expect(candidate?.strategy).toBe(best.cycle.hops.length === 2 ? 'arb2' : 'arb3');
          found++;
          const kinds = new Set(best.cycle.hops.map((h) => h.slot.pool.id.split('-')[0]));
          if (kinds.size > 1) acrossKinds++;
          if (best.cycle.hops.length === 3) threeHop++;
        }
      }),
      { numRuns: 150, seed: 25 },
    );
    // Not vacuous: cycles were found, across curve kinds and through three pools.
    expect(found).toBeGreaterThan(20);
    expect(acrossKinds).toBeGreaterThan(5);
    expect(threeHop).toBeGreaterThan(0);
  });

  it('backrun: sizes on the curve pool as the pending swap leaves it, and lands after it', () => {
    const cheap = build(
      { pair: [0, 1], kind: 'amm-v4', depthSol: 1_000, skewPct: 0, feeBps: 25 },
      0,
    );
    const peer = build({ pair: [0, 1], kind: 'cp-swap', depthSol: 800, skewPct: 0, feeBps: 25 }, 1);
    const view = viewOf([cheap, peer]);
    const strategy = new BackrunStrategy({ quoteMint: WSOL_MINT, minProfitLamports: MIN_PROFIT });
    for (const pool of [cheap, peer])
      strategy.onEvent({ kind: 'pool', atMs: 0, slot: 1, pool }, view);
    const [candidate] = strategy.onEvent(
      {
        kind: 'pendingSwap',
        atMs: 0,
        signature: 'whale',
        pool: cheap.id,
        direction: 'bToA',
        amountIn: 2_500n * 10n ** 9n,
      },
      view,
    );
    expect(candidate?.afterSignature).toBe('whale');
    expect(candidate?.pools).toEqual(expect.arrayContaining([cheap.id, peer.id]));
    expect(candidate?.grossProfitLamports).toBeGreaterThan(MIN_PROFIT);
    // The what-if state is not left behind: a tiny swap on the peer finds the pools level.
    const after = strategy.onEvent(
      {
        kind: 'pendingSwap',
        atMs: 0,
        signature: 'small',
        pool: peer.id,
        direction: 'bToA',
        amountIn: 1_000n,
      },
      view,
    );
    expect(after).toEqual([]);
  });
});
