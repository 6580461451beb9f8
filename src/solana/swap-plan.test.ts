import type { Address } from '@solana/kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { isLandfallError } from '../errors.js';
import { type Submission, type SwapLeg, WSOL_MINT } from '../market/types.js';
import { type RaydiumCpPool, swapBaseInput } from './raydium-cp-pool.js';
import { chainTolerance, guardedMinOut, planSwaps, shapeOf } from './swap-plan.js';
import { dislocatedPools, modelOf } from './testing/pool-fixtures.js';

/**
 * The live builder's amounts on the fixture pools (WSOL/USDC, one dear, one cheap): what a
 * chained leg spends and must return, and the last leg's profit guard.
 */
let low: RaydiumCpPool;
let high: RaydiumCpPool;
let book: { pool(id: string): RaydiumCpPool | undefined };

beforeAll(async () => {
  const [l, h] = await dislocatedPools();
  low = modelOf(l);
  high = modelOf(h);
  const byId = new Map<string, RaydiumCpPool>([
    [low.address, low],
    [high.address, high],
  ]);
  book = { pool: (id) => byId.get(id) };
});

/** WSOL's side of a pool: the direction that spends WSOL, and the one that buys it back. */
function wsolDirections(pool: RaydiumCpPool): {
  sell: SwapLeg['direction'];
  buy: SwapLeg['direction'];
} {
  return pool.state.token0Mint === WSOL_MINT
    ? { sell: 'aToB', buy: 'bToA' }
    : { sell: 'bToA', buy: 'aToB' };
}

function roundTrip(legs: Partial<SwapLeg>[] = [], overrides: Partial<Submission> = {}): Submission {
  const base: SwapLeg[] = [
    {
      pool: high.address,
      direction: wsolDirections(high).sell,
      amountIn: 1_000_000_000n,
      minAmountOut: 0n,
    },
    {
      pool: low.address,
      direction: wsolDirections(low).buy,
      amountIn: 'previous',
      minAmountOut: 0n,
    },
  ];
  return {
    id: 's-1',
    opportunityId: 's-1',
    module: 'arb',
    route: 'jito',
    legs: base.map((l, i) => ({ ...l, ...legs[i] })),
    tipLamports: 100_000n,
    priorityFeeMicroLamports: 0n,
    computeUnitLimit: 150_000,
    transactions: 1,
    signatures: 1,
    ...overrides,
  };
}

describe('planSwaps', () => {
  it("a chained leg spends the previous leg's predicted output less the tolerance, which that leg must return", () => {
    const plan = planSwaps(roundTrip(), book, 10);
    const [first, second] = plan.legs as [(typeof plan.legs)[0], (typeof plan.legs)[0]];
    const predicted = swapBaseInput(high, first.direction, 1_000_000_000n).amountOut;
    expect(first.expectedOut).toBe(predicted);
    expect(second.amountIn).toBe(predicted - (predicted * 10n) / 10_000n);
    expect(first.minOut).toBe(second.amountIn);
    expect(second.expectedOut).toBe(
      swapBaseInput(low, second.direction, second.amountIn).amountOut,
    );
    expect(plan).toMatchObject({
      inputMint: WSOL_MINT,
      outputMint: WSOL_MINT,
      amountIn: 1_000_000_000n,
    });
    expect(plan.expectedOut).toBe(second.expectedOut);
  });

  it('holds back at least one unit, and keeps a higher minimum the submission set itself', () => {
    expect(chainTolerance(5_000n, 1)).toBe(1n);
    expect(chainTolerance(0n, 0)).toBe(1n);
    const plan = planSwaps(roundTrip([{ minAmountOut: 10n ** 15n }]), book, 0);
    const [first, second] = plan.legs as [(typeof plan.legs)[0], (typeof plan.legs)[0]];
    expect(second.amountIn).toBe(first.expectedOut - 1n);
    expect(first.minOut).toBe(10n ** 15n);
  });

  it('a leg the pool would refuse is a market condition, an unknown pool a malformed submission', () => {
    const refused = (() => {
      try {
        planSwaps(roundTrip([{ amountIn: 1n }]), book, 1);
      } catch (err) {
        return err;
      }
    })();
    expect(isLandfallError(refused, 'LF_MARKET_CONDITION')).toBe(true);
    expect((refused as Error).message).toMatch(/leg 0: pool .* would refuse a swap of 1 \(/);
    expect(() => planSwaps(roundTrip([{ pool: 'nope' }]), book, 1)).toThrow(
      /leg 0: pool nope is not a watched, fully read pool/,
    );
  });

  it('refuses legs that do not form one chain: the guard floors only the first input', () => {
    // A second leg with its own input would spend WSOL the guard never counts.
    const fixed = roundTrip([{}, { amountIn: 10_000_000_000n }]);
    expect(() => planSwaps(fixed, book, 1)).toThrow(
      /leg 1: every leg after the first must spend 'previous'/,
    );
    // Spending what the previous leg did not return (USDC → ? from a leg that returned USDC, reversed).
    const broken = roundTrip([{}, { direction: wsolDirections(low).sell }]);
    expect(() => planSwaps(broken, book, 1)).toThrow(
      /leg 1: spends .* but the previous leg returns/,
    );
  });
});

describe('guardedMinOut', () => {
  it('a round trip to WSOL must return input + costs, or its own minimum when higher', () => {
    const plan = planSwaps(roundTrip(), book, 1);
    expect(guardedMinOut(plan, 123_456n)).toBe(1_000_000_000n + 123_456n);
    const own = planSwaps(roundTrip([{}, { minAmountOut: 2_000_000_000n }]), book, 1);
    expect(guardedMinOut(own, 123_456n)).toBe(2_000_000_000n);
  });

  it('legs that end in another mint keep their own minimum: lamports do not add to USDC', () => {
    const oneWay = roundTrip([{ minAmountOut: 77n }], {});
    const plan = planSwaps({ ...oneWay, legs: oneWay.legs.slice(0, 1) }, book, 1);
    expect(plan.outputMint).not.toBe(WSOL_MINT);
    expect(guardedMinOut(plan, 10n ** 9n)).toBe(77n);
  });
});

it('a shape is the route, the pools and the directions, not the amounts', () => {
  const a = roundTrip();
  const b = roundTrip([{ amountIn: 5n }], { tipLamports: 9n });
  expect(shapeOf(a)).toBe(shapeOf(b));
  expect(shapeOf(a)).not.toBe(shapeOf({ ...a, route: 'direct' }));
  expect(shapeOf(a)).toBe(
    `jito:${high.address}/${a.legs[0]?.direction},${low.address as Address}/${a.legs[1]?.direction}`,
  );
});
