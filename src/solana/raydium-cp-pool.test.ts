import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SwapDirection } from '../market/types.js';
import {
  afterSwap,
  creatorFeeOnInput,
  poolReserves,
  type RaydiumCpPool,
  type SwapOutcome,
  type SwapQuote,
  swapBaseInput,
  swapBaseOutput,
} from './raydium-cp-pool.js';
import { creatorFeePool, modelOf } from './testing/pool-fixtures.js';
import { type MintInfo, TOKEN_2022_PROGRAM, type TransferFee } from './token-2022.js';

/**
 * The venue maths of CP-Swap's creator-fee release on hand-worked cases, and how a swap leaves
 * the pool. The differential test against Raydium's SDK is src/bench/suites/solana-parity.test.ts.
 */

let base: RaydiumCpPool;
beforeAll(async () => {
  // WSOL is token 0; the creator takes 500 ppm in token 1 (USDC) only.
  base = modelOf(await creatorFeePool());
});

function ok(q: SwapOutcome): SwapQuote {
  if (!q.ok) throw new Error(`refused: ${q.refusal}`);
  return q;
}

const withFee = (bps: number, maximumFee: bigint, epoch = 0n): TransferFee => ({
  epoch,
  maximumFee,
  basisPoints: bps,
});
const feeMint = (older: TransferFee, newer: TransferFee): MintInfo => ({
  program: TOKEN_2022_PROGRAM,
  decimals: 6,
  transferFee: { olderTransferFee: older, newerTransferFee: newer },
});

describe('CP-Swap swap_base_input with creator fees', () => {
  it('charges trade and creator fee on the input as one rounded-up fee, split in the creator’s favour floor', () => {
    // bToA spends USDC, the creator's token: creator fee on the input.
    const q = ok(swapBaseInput(base, 'bToA', 1_000_001n));
    expect(q.creatorFeeOnInput).toBe(true);
    // total = ceil(1 000 001 · 3 000 / 10⁶) = 3 001; creator = floor(3 001 · 500 / 3 000) = 500.
    expect([q.tradeFee, q.creatorFee]).toEqual([2_501n, 500n]);
    // protocol 12 % and fund 4 % of the trade fee, floored.
    expect([q.protocolFee, q.fundFee]).toEqual([300n, 100n]);
    const [r0, r1] = poolReserves(base);
    const net = 1_000_001n - 3_001n;
    expect(q.amountOut).toBe((r0 * net) / (r1 + net));
  });

  it('takes the creator fee from the output, rounded up, when the input is not the creator’s token', () => {
    const q = ok(swapBaseInput(base, 'aToB', 1_000_000_000n));
    expect(q.creatorFeeOnInput).toBe(false);
    const [r0, r1] = poolReserves(base);
    const net = 1_000_000_000n - 2_500_000n;
    const swapped = (r1 * net) / (r0 + net);
    const creator = (swapped * 500n + 999_999n) / 1_000_000n;
    expect([q.tradeFee, q.creatorFee, q.amountOut]).toEqual([
      2_500_000n,
      creator,
      swapped - creator,
    ]);
  });

  it('decides the creator fee side as is_creator_fee_on_input does, and charges none when disabled', () => {
    const s = base.state;
    const on = (mode: number, d: SwapDirection) =>
      creatorFeeOnInput({ ...s, creatorFeeOn: mode }, d);
    expect([on(0, 'aToB'), on(0, 'bToA')]).toEqual([true, true]);
    expect([on(1, 'aToB'), on(1, 'bToA')]).toEqual([true, false]);
    expect([on(2, 'aToB'), on(2, 'bToA')]).toEqual([false, true]);
    expect(on(3, 'aToB')).toBeNull();
    const bad = { ...base, state: { ...s, creatorFeeOn: 3 } };
    expect(swapBaseInput(bad, 'aToB', 1_000n)).toEqual({
      ok: false,
      refusal: 'InvalidFeeModel',
      amountOut: 0n,
    });
    const off = { ...base, state: { ...s, enableCreatorFee: false } };
    expect(ok(swapBaseInput(off, 'bToA', 1_000_001n)).creatorFee).toBe(0n);
    expect(ok(swapBaseInput(off, 'bToA', 1_000_001n)).tradeFee).toBe(2_501n);
  });

  it('refuses what the program refuses', () => {
    const refusal = (p: RaydiumCpPool, d: SwapDirection, a: bigint) => {
      const q = swapBaseInput(p, d, a);
      return q.ok ? 'ok' : q.refusal;
    };
    expect(refusal(base, 'aToB', 1n)).toBe('ZeroAmount');
    const drained = { ...base, vault1Amount: 1n };
    expect(refusal(drained, 'aToB', 1_000n)).toBe('InsufficientVault');
    // Fees on the input with both rates zero: split_creator_fee divides by zero.
    const free = {
      ...base,
      state: { ...base.state, creatorFeeOn: 0 },
      config: { ...base.config, tradeFeeRate: 0n, creatorFeeRate: 0n },
    };
    expect(refusal(free, 'aToB', 1_000n)).toBe('ZeroTradingTokens');
    const allFee = {
      ...base,
      mints: [feeMint(withFee(10_000, 10_000n), withFee(10_000, 10_000n)), base.mints[1]] as const,
    };
    expect(refusal(allFee, 'aToB', 10_000n)).toBe('ZeroAmount');
  });
});

describe('Token-2022 transfer fees around the swap', () => {
  it('swaps the input net of its transfer fee and pays the output net of its own, by epoch', () => {
    const older = withFee(100, 1_000_000n);
    const newer = withFee(50, 3n, 800n);
    const pool = {
      ...base,
      mints: [
        feeMint(older, newer),
        feeMint(withFee(30, 10n ** 12n), withFee(30, 10n ** 12n)),
      ] as const,
    };
    const plain = ok(swapBaseInput(base, 'aToB', 1_000_000_000n - 1_000_000n));
    const q = ok(swapBaseInput(pool, 'aToB', 1_000_000_000n));
    // 1 % of 10⁹ is 10⁷, capped at 10⁶ by the older fee (epoch 712 < 800).
    expect(q.inputTransferFee).toBe(1_000_000n);
    const curveOut = plain.amountOut;
    const outFee = (curveOut * 30n + 9_999n) / 10_000n;
    expect([q.outputTransferFee, q.amountOut]).toEqual([outFee, curveOut - outFee]);
    expect(q.vaultOut).toBe(curveOut);
    // From epoch 800 the newer fee (capped at 3) applies.
    expect(
      ok(swapBaseInput({ ...pool, epoch: 800n }, 'aToB', 1_000_000_000n)).inputTransferFee,
    ).toBe(3n);
  });
});

describe('the pool after a swap', () => {
  it('moves vaults and accrued-fee counters as the program leaves them; the reserves lose the set-aside fees', () => {
    const [r0, r1] = poolReserves(base);
    const q = ok(swapBaseInput(base, 'bToA', 5_000_000_000n));
    const next = afterSwap(base, q);
    expect(next.vault1Amount).toBe(base.vault1Amount + 5_000_000_000n);
    expect(next.vault0Amount).toBe(base.vault0Amount - q.amountOut);
    expect(next.state.protocolFeesToken1).toBe(base.state.protocolFeesToken1 + q.protocolFee);
    expect(next.state.fundFeesToken1).toBe(base.state.fundFeesToken1 + q.fundFee);
    expect(next.state.creatorFeesToken1).toBe(base.state.creatorFeesToken1 + q.creatorFee);
    expect(next.state.creatorFeesToken0).toBe(base.state.creatorFeesToken0);
    // Not the whole input: the protocol, fund and creator fees leave the tradable reserve.
    const [n0, n1] = poolReserves(next);
    expect(n1).toBe(r1 + 5_000_000_000n - q.protocolFee - q.fundFee - q.creatorFee);
    expect(n0).toBe(r0 - q.amountOut);
    expect(n1 * n0 >= r1 * r0).toBe(true);
  });

  it('books a creator fee on the output to the output token', () => {
    const q = ok(swapBaseInput(base, 'aToB', 7_000_000_000n));
    const next = afterSwap(base, q);
    expect(next.state.creatorFeesToken1).toBe(base.state.creatorFeesToken1 + q.creatorFee);
    expect(next.state.protocolFeesToken0).toBe(base.state.protocolFeesToken0 + q.protocolFee);
    const [, r1] = poolReserves(base);
    // The output reserve loses what the curve swapped out: the payout plus the creator fee.
    expect(poolReserves(next)[1]).toBe(r1 - q.amountOut - q.creatorFee);
  });
});

describe('swap_base_output', () => {
  const arbFee = fc.record({
    epoch: fc.constant(0n),
    maximumFee: fc.bigInt({ min: 0n, max: 10n ** 12n }),
    basisPoints: fc.integer({ min: 0, max: 10_000 }),
  });

  it('asks for an input that, swapped exactly in, delivers at least the requested output', () => {
    let quoted = 0;
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        fc.boolean(),
        fc.integer({ min: 0, max: 2 }),
        fc.option(arbFee),
        fc.option(arbFee),
        (amountOut, aToB, mode, f0, f1) => {
          const mint = (f: TransferFee | null) => (f === null ? base.mints[0] : feeMint(f, f));
          const pool = {
            ...base,
            state: { ...base.state, creatorFeeOn: mode },
            mints: [mint(f0), mint(f1)] as const,
          };
          const d: SwapDirection = aToB ? 'aToB' : 'bToA';
          const out = swapBaseOutput(pool, d, amountOut);
          if (!out.ok) return;
          quoted++;
          expect(out.amountOut).toBe(amountOut);
          const back = swapBaseInput(pool, d, out.amountIn);
          expect(back.ok && back.amountOut >= amountOut).toBe(true);
        },
      ),
      { numRuns: 1_000 },
    );
    // Most requests are payable; only a transfer fee that eats everything refuses.
    expect(quoted).toBeGreaterThan(500);
  });
});
