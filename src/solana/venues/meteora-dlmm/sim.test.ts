import { describe, expect, it } from 'vitest';
import { FEE_PRECISION, totalFeeRate } from './fee.js';
import { presetBinStep, simulatedDlmm } from './sim.js';
import type { DlmmPool } from './swap.js';
import { virtualReserves } from './virtual-reserves.js';

const context = { unixTimestamp: 1_750_000_000n, epoch: 700n };
const spec = {
  mintA: 'So11111111111111111111111111111111111111112',
  mintB: 'sim:USDC',
  reserveA: 20_000_000_000_000n, // 20 000 SOL
  reserveB: 3_000_000_000_000n, // 3 000 000 USDC: 0.15 atomic units of B per unit of A
  feeBps: 25,
  seed: 7,
};

/** What x·y = k with the spec's reserves pays for `amountIn` after the same fee. */
function constantProduct(amountIn: bigint, aToB: boolean, feeBps: number): number {
  const [rIn, rOut] = aToB ? [spec.reserveA, spec.reserveB] : [spec.reserveB, spec.reserveA];
  const net = Number(amountIn) * (1 - feeBps / 10_000);
  return (Number(rOut) * net) / (Number(rIn) + net);
}

describe('simulated DLMM pair', () => {
  it('takes the preset bin step for its fee and charges exactly that fee', () => {
    expect([1, 5, 25, 30, 100, 1_000].map(presetBinStep)).toEqual([1, 5, 25, 25, 100, 400]);
    const pool = simulatedDlmm(spec).curve.state as DlmmPool;
    expect(pool.pair.binStep).toBe(25);
    const rate = totalFeeRate(pool.pair.parameters, pool.pair.binStep, 0);
    expect(rate).toBe((25n * FEE_PRECISION) / 10_000n);
  });

  it('prices and deepens near the price as the constant product it stands for', () => {
    for (const feeBps of [1, 5, 25, 100]) {
      const sim = simulatedDlmm({ ...spec, feeBps });
      const pool = sim.curve.state as DlmmPool;
      const step = pool.pair.binStep / 10_000;
      for (const [aToB, amountIn] of [
        [true, 10_000_000_000n], // 10 SOL
        [true, 200_000_000_000n], // 200 SOL: 1 % of the pool, many bins
        [false, 30_000_000_000n], // 30 000 USDC
      ] as const) {
        const q = sim.curve.maths.quote(pool, aToB ? 'aToB' : 'bToA', amountIn, context);
        if (!q.ok) throw new Error(q.refusal);
        const cp = constantProduct(amountIn, aToB, feeBps);
        // Within about a bin's price step: the active bin's price is the bin nearest the spot
        // (half a step off at most), and a bin's price is flat where the curve's moves.
        expect(Math.abs(Number(q.amountOut) / cp - 1)).toBeLessThan(1.5 * step);
      }
      const [a, b] = virtualReserves(pool);
      expect(Math.abs(Number(a) / Number(spec.reserveA) - 1)).toBeLessThan(2 * step + 1e-6);
      expect(Math.abs(Number(b) / Number(spec.reserveB) - 1)).toBeLessThan(2 * step + 1e-6);
    }
  });

  it('draws its shape from the seed, reproducibly', () => {
    const one = simulatedDlmm(spec).curve.state as DlmmPool;
    const same = simulatedDlmm(spec).curve.state as DlmmPool;
    const other = simulatedDlmm({ ...spec, seed: 8 }).curve.state as DlmmPool;
    expect(same.binArrays).toEqual(one.binArrays);
    expect(other.binArrays).not.toEqual(one.binArrays);
    const q = (p: DlmmPool) => simulatedDlmm(spec).curve.maths.quote(p, 'aToB', 10n ** 9n, context);
    expect(q(other)).toEqual(q(one));
  });

  it('trades a pair far from price one through its bitmap extension', () => {
    const sim = simulatedDlmm({ ...spec, reserveA: 10n ** 18n, reserveB: 10n ** 12n, feeBps: 1 });
    const pool = sim.curve.state as DlmmPool;
    expect(pool.bitmapExtension).toBeDefined();
    const q = sim.curve.maths.quote(pool, 'bToA', 1_000_000n, context);
    expect(q.ok).toBe(true);
  });
});
