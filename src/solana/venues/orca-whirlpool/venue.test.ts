import {
  getSwapV2Instruction,
  WHIRLPOOL_ERROR__AMOUNT_OUT_BELOW_MINIMUM,
} from '@orca-so/whirlpools-client';
import { sqrtPriceToTickIndex, tickIndexToSqrtPrice } from '@orca-so/whirlpools-core';
import { type Address, createNoopSigner } from '@solana/kit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Draw } from '../../../bench/suites/amm-v4-parity-cases.js';
import { randomWhirlpoolCase } from '../../../bench/suites/whirlpool-parity-cases.js';
import { WSOL_MINT } from '../../../market/types.js';
import { associatedTokenAccount } from '../../raydium-cp-swap.js';
import { encodeMint } from '../../testing/mint-fixtures.js';
import { TOKEN_2022_PROGRAM, TOKEN_PROGRAM } from '../../token-2022.js';
import { oracleAddress, tickArrayAddress } from './accounts.js';
import {
  FIXTURE_ABSENT_START,
  FIXTURE_KEYS,
  FIXTURE_POOL,
  FIXTURE_POSITIONS,
  fixtureAccounts,
  USDC_MINT,
} from './fixture.js';
import { MEMO_PROGRAM, SWAP_V2_DISCRIMINATOR, swapTickArrays } from './instruction.js';
import type { TickArray } from './layout.js';
import { quoteWhirlpool, type WhirlpoolState } from './state.js';
import { afterSwap, simulateSwap, type WhirlpoolPool } from './swap.js';
import {
  MAX_SQRT_PRICE_X64,
  MAX_TICK_INDEX,
  MIN_SQRT_PRICE_X64,
  MIN_TICK_INDEX,
  sqrtPriceFromTickIndex,
  tickIndexFromSqrtPrice,
} from './tick-math.js';
import { orcaWhirlpool } from './venue.js';

const context = { unixTimestamp: 1_750_000_000n, epoch: 712n };
const PAYER = createNoopSigner('9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM' as Address);

const fixtureState = (accounts = fixtureAccounts()): WhirlpoolState =>
  orcaWhirlpool.decode(FIXTURE_POOL, (a) => accounts.get(a), context);

const fcDraw = (g: fc.GeneratorValue): Draw => ({
  int: (n) => g(fc.nat, { max: n - 1 }),
  below: (bits) => (bits === 0 ? 0n : g(fc.bigInt, { min: 0n, max: (1n << BigInt(bits)) - 1n })),
});

/** Liquidity in range at `tick`, from the ticks' liquidity_net: what the pool's must equal. */
function liquidityFromTicks(
  pool: WhirlpoolPool,
  tick: number,
  below: bigint,
  fromTick: number,
): bigint {
  // Walk the initialised ticks between the old and new current tick, as crossings do.
  const spacing = pool.whirlpool.tickSpacing;
  let l = below;
  const ticks = [...pool.tickArrays.values()].flatMap((a: TickArray | null) =>
    a === null ? [] : a.ticks.map((t, i) => [a.startTickIndex + i * spacing, t] as const),
  );
  for (const [index, t] of ticks) {
    if (!t.initialized) continue;
    if (index > fromTick && index <= tick) l += t.liquidityNet;
    if (index <= fromTick && index > tick) l -= t.liquidityNet;
  }
  return l;
}

describe('Orca Whirlpool tick maths', () => {
  it("maps ticks and sqrt prices exactly as the core's tick_math does", () => {
    for (const t of [MIN_TICK_INDEX, MAX_TICK_INDEX, 0, -1, 1]) {
      expect(sqrtPriceFromTickIndex(t)).toBe(tickIndexToSqrtPrice(t));
    }
    expect(sqrtPriceFromTickIndex(MIN_TICK_INDEX)).toBe(MIN_SQRT_PRICE_X64);
    expect(sqrtPriceFromTickIndex(MAX_TICK_INDEX)).toBe(MAX_SQRT_PRICE_X64);
    fc.assert(
      fc.property(fc.integer({ min: MIN_TICK_INDEX, max: MAX_TICK_INDEX }), (t) => {
        expect(sqrtPriceFromTickIndex(t)).toBe(tickIndexToSqrtPrice(t));
      }),
      { numRuns: 3_000 },
    );
    fc.assert(
      fc.property(fc.bigInt({ min: MIN_SQRT_PRICE_X64, max: MAX_SQRT_PRICE_X64 - 1n }), (p) => {
        expect(tickIndexFromSqrtPrice(p)).toBe(sqrtPriceToTickIndex(p));
      }),
      { numRuns: 3_000 },
    );
  });
});

describe('Orca Whirlpool venue', () => {
  it('watches the pool, the five arrays either way, the oracle and both mints', () => {
    const accounts = fixtureAccounts();
    const watched = orcaWhirlpool.watchedAccounts(
      FIXTURE_POOL,
      accounts.get(FIXTURE_POOL) as Uint8Array,
    );
    expect(watched).toHaveLength(1 + 5 + 1 + 2);
    expect(watched).toContain(oracleAddress(FIXTURE_POOL));
    const state = fixtureState(accounts);
    expect(state.pool.tickArrays.get(FIXTURE_ABSENT_START)).toBeNull();
    expect(state.pool.oracle?.adaptiveFeeConstants.tickGroupSize).toBe(64);
  });

  it('describes the pool by its virtual reserves at the price, and names its slippage error', () => {
    const s = orcaWhirlpool.snapshot(FIXTURE_POOL, fixtureState());
    expect(s).toMatchObject({ id: FIXTURE_POOL, mintA: WSOL_MINT, mintB: USDC_MINT, feeBps: 30 });
    // ~150 USDC per SOL: 10⁹ lamports against 1.5 · 10⁸ micro-USDC.
    const price = Number(s.reserveB) / Number(s.reserveA);
    expect(price > 0.149 && price < 0.151).toBe(true);
    expect(orcaWhirlpool.exceededSlippageError).toBe(WHIRLPOOL_ERROR__AMOUNT_OUT_BELOW_MINIMUM);
  });

  it("builds swap_v2 exactly as the client's getSwapV2Instruction: data, account order, roles", async () => {
    const state = fixtureState();
    for (const direction of ['aToB', 'bToA'] as const) {
      const mine = await orcaWhirlpool.swapInstruction({
        payer: PAYER,
        pool: FIXTURE_POOL,
        state,
        direction,
        amountIn: 123_456_789n,
        minimumAmountOut: 42n,
      });
      const [t0, t1, t2] = swapTickArrays(FIXTURE_POOL, state, direction === 'aToB') as [
        Address,
        Address,
        Address,
      ];
      const theirs = getSwapV2Instruction({
        tokenProgramA: TOKEN_PROGRAM,
        tokenProgramB: TOKEN_PROGRAM,
        memoProgram: MEMO_PROGRAM,
        tokenAuthority: PAYER,
        whirlpool: FIXTURE_POOL,
        tokenMintA: WSOL_MINT as Address,
        tokenMintB: USDC_MINT,
        tokenOwnerAccountA: await associatedTokenAccount(
          PAYER.address,
          WSOL_MINT as Address,
          TOKEN_PROGRAM,
        ),
        tokenVaultA: FIXTURE_KEYS.vaultA,
        tokenOwnerAccountB: await associatedTokenAccount(PAYER.address, USDC_MINT, TOKEN_PROGRAM),
        tokenVaultB: FIXTURE_KEYS.vaultB,
        tickArray0: t0,
        tickArray1: t1,
        tickArray2: t2,
        oracle: oracleAddress(FIXTURE_POOL),
        amount: 123_456_789n,
        otherAmountThreshold: 42n,
        sqrtPriceLimit: direction === 'aToB' ? MIN_SQRT_PRICE_X64 : MAX_SQRT_PRICE_X64,
        amountSpecifiedIsInput: true,
        aToB: direction === 'aToB',
        remainingAccountsInfo: null,
      });
      expect(mine.programAddress).toBe(theirs.programAddress);
      expect([...(mine.data ?? [])]).toEqual([...theirs.data]);
      expect([...(mine.data ?? [])].slice(0, 8)).toEqual([...SWAP_V2_DISCRIMINATOR]);
      const roles = (ix: typeof mine) => ix.accounts?.map((a) => [a.address, a.role]);
      expect(roles(mine)).toEqual(roles(theirs as unknown as typeof mine));
      // The arrays are the ones sparse_swap.rs rebuilds from the current tick in that direction.
      const starts =
        direction === 'aToB' ? [-22_528, -28_160, -33_792] : [-22_528, -16_896, -11_264];
      expect([t0, t1, t2]).toEqual(starts.map((s) => tickArrayAddress(FIXTURE_POOL, s)));
    }
  });

  it("names each mint's token program: a Token-2022 mint with a transfer fee is charged both ways", async () => {
    const accounts = fixtureAccounts();
    const fee = { epoch: 0n, maximumFee: 10_000_000n, basisPoints: 150 };
    accounts.set(
      USDC_MINT,
      encodeMint({
        program: TOKEN_2022_PROGRAM,
        decimals: 6,
        transferFee: { olderTransferFee: fee, newerTransferFee: fee },
      }),
    );
    const state = fixtureState(accounts);
    expect(state.mintB.program).toBe(TOKEN_2022_PROGRAM);
    const plain = fixtureState();
    // B→A: 1.5 % of the input never reaches the pool.
    const q = quoteWhirlpool(state, 'bToA', 100_000_000n, context.unixTimestamp, context.epoch);
    const reference = simulateSwap(
      plain.pool,
      'bToA',
      100_000_000n - 1_500_000n,
      context.unixTimestamp,
    );
    expect(
      q.ok && reference.ok && q.amountOut === reference.amountOut && q.amountIn === 100_000_000n,
    ).toBe(true);
    // A→B: the payer receives the output less 1.5 % (capped).
    const out = quoteWhirlpool(state, 'aToB', 1_000_000_000n, context.unixTimestamp, context.epoch);
    const gross = simulateSwap(plain.pool, 'aToB', 1_000_000_000n, context.unixTimestamp);
    if (!out.ok || !gross.ok) throw new Error('refused');
    expect(out.amountOut).toBe(gross.amountOut - (gross.amountOut * 150n + 9_999n) / 10_000n);
    const ix = await orcaWhirlpool.swapInstruction({
      payer: PAYER,
      pool: FIXTURE_POOL,
      state,
      direction: 'aToB',
      amountIn: 1n,
      minimumAmountOut: 1n,
    });
    expect(ix.accounts?.[1]?.address).toBe(TOKEN_2022_PROGRAM);
  });

  it('applies a swap: price, tick, liquidity in range, fee growth, protocol fee, crossed ticks, oracle', () => {
    const state = fixtureState();
    const q = orcaWhirlpool.quote(state, 'aToB', 2_000_000_000_000n, context);
    if (!q.ok) throw new Error(q.refusal);
    const after = orcaWhirlpool.apply(state, q, context);
    const w0 = state.pool.whirlpool;
    const w1 = after.pool.whirlpool;
    expect(w1.sqrtPrice).toBe(q.swap.next.sqrtPrice);
    expect(w1.sqrtPrice < w0.sqrtPrice).toBe(true);
    expect(w1.tickCurrentIndex).toBeLessThan(-19_520);
    const inRange = FIXTURE_POSITIONS.filter(
      ([l, u]) => l <= w1.tickCurrentIndex && w1.tickCurrentIndex < u,
    );
    expect(w1.liquidity).toBe(inRange.reduce((s, [, , l]) => s + l, 0n));
    expect(w1.protocolFeeOwedA).toBe(w0.protocolFeeOwedA + q.swap.protocolFee);
    expect(q.swap.protocolFee).toBeGreaterThan(0n);
    expect(w1.feeGrowthGlobalA).toBeGreaterThan(w0.feeGrowthGlobalA);
    expect(w1.feeGrowthGlobalB).toBe(w0.feeGrowthGlobalB);
    expect(after.pool.oracle?.adaptiveFeeVariables.lastMajorSwapTimestamp).toBe(
      context.unixTimestamp,
    );
    // Each crossed tick's fee growth outside A flipped to global − outside at its crossing.
    const crossed = after.pool.tickArrays
      .get(-22_528)
      ?.ticks.filter((t, i) => t !== state.pool.tickArrays.get(-22_528)?.ticks[i]);
    expect(crossed?.length).toBe(2);
  });

  it('keeps liquidity equal to the positions in range after any applied random swap', () => {
    let applied = 0;
    fc.assert(
      fc.property(fc.gen(), (g) => {
        const c = randomWhirlpoolCase(fcDraw(g));
        const q = simulateSwap(c.pool, c.direction, c.amountIn, c.unixTimestamp);
        if (!q.ok) return;
        applied++;
        const after = afterSwap(c.pool, q);
        const w0 = c.pool.whirlpool;
        const w1 = after.whirlpool;
        expect(
          liquidityFromTicks(c.pool, w1.tickCurrentIndex, w0.liquidity, w0.tickCurrentIndex),
        ).toBe(w1.liquidity);
        expect(
          c.direction === 'aToB' ? w1.sqrtPrice <= w0.sqrtPrice : w1.sqrtPrice >= w0.sqrtPrice,
        ).toBe(true);
        expect(
          w1.tickCurrentIndex === tickIndexFromSqrtPrice(w1.sqrtPrice) ||
            w1.sqrtPrice === sqrtPriceFromTickIndex(w1.tickCurrentIndex + 1),
        ).toBe(true);
      }),
      { numRuns: 1_500 },
    );
    expect(applied).toBeGreaterThan(400);
  });

  it('refuses as the program does: trade not enabled, a stale clock, a swap past its arrays', () => {
    const state = fixtureState();
    const oracle = state.pool.oracle;
    if (oracle === null) throw new Error('fixture has an oracle');
    const early = {
      ...state,
      pool: {
        ...state.pool,
        oracle: { ...oracle, tradeEnableTimestamp: context.unixTimestamp + 1n },
      },
    };
    expect(orcaWhirlpool.quote(early, 'aToB', 1_000n, context)).toEqual({
      ok: false,
      refusal: 'TradeIsNotEnabled',
    });
    expect(
      orcaWhirlpool.quote(state, 'aToB', 1_000n, { ...context, unixTimestamp: 1_749_980_000n }),
    ).toEqual({ ok: false, refusal: 'InvalidTimestamp' });
    expect(orcaWhirlpool.quote(state, 'aToB', (1n << 64n) - 1n, context)).toEqual({
      ok: false,
      refusal: 'TickArraySequenceInvalidIndex',
    });
    expect(orcaWhirlpool.quote(state, 'bToA', 0n, context)).toEqual({
      ok: false,
      refusal: 'ZeroTradableAmount',
    });
    expect(orcaWhirlpool.quote(state, 'aToB', 1n, context)).toEqual({
      ok: false,
      refusal: 'AmountOutBelowMinimum',
    });
  });
});
