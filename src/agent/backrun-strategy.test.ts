import { describe, expect, it } from 'vitest';
import { applySwap } from '../market/cpmm.js';
import type { PendingSwapEvent, PoolSnapshot } from '../market/types.js';
import { BackrunStrategy } from './strategies.js';
import type { MarketView } from './types.js';

/** The backrun strategy sizes on the state the pending swap leaves, and only ever after it. */
const QUOTE = 'So11111111111111111111111111111111111111112';
const TOKEN = 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v';
const pool = (id: string, sol: bigint, usdc: bigint): PoolSnapshot => ({
  id,
  venue: 'raydium-cp',
  mintA: QUOTE,
  mintB: TOKEN,
  reserveA: sol,
  reserveB: usdc,
  feeBps: 25,
});

function viewOf(pools: PoolSnapshot[]): MarketView {
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

describe('backrun strategy', () => {
  const a = pool('a', 25_000_000_000_000n, 3_500_000_000_000n);
  const b = pool('b', 20_000_000_000_000n, 2_800_000_000_000n);
  const strategy = new BackrunStrategy({ quoteMint: QUOTE, minProfitLamports: 1n });
  const swap: PendingSwapEvent = {
    kind: 'pendingSwap',
    atMs: 0,
    signature: 'target',
    pool: 'a',
    direction: 'aToB',
    amountIn: 2_000_000_000_000n,
  };

  it('sizes on the exact state the source priced (poolAfter), named after the target', () => {
    const exact = pool('a', 27_000_000_000_000n, 3_200_000_000_000n);
    const [withExact] = strategy.onEvent({ ...swap, poolAfter: exact }, viewOf([a, b]));
    const [withCurve] = strategy.onEvent(swap, viewOf([a, b]));
    expect(withExact?.afterSignature).toBe('target');
    expect(withExact?.module).toBe('mev');
    // A different post-swap state sizes a different trade: the exact one was used.
    const curve = applySwap(a, 'aToB', swap.amountIn).pool;
    expect(curve.reserveB).not.toBe(exact.reserveB);
    expect(withExact?.inputAmount).not.toBe(withCurve?.inputAmount);
    expect(withExact?.pools).toContain('a');
  });

  it('finds nothing to backrun when the pools agree after the swap', () => {
    const [none] = strategy.onEvent({ ...swap, poolAfter: { ...b, id: 'a' } }, viewOf([a, b]));
    expect(none).toBeUndefined();
  });
});
