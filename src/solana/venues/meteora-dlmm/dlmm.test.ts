import type { Address, TransactionSigner } from '@solana/kit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareDlmmCase, emptyCounts } from '../../../bench/suites/dlmm-parity.js';
import { BIN_STEPS, randomDlmmCase } from '../../../bench/suites/dlmm-parity-cases.js';
import { loadDlmmSdk } from '../../../bench/suites/dlmm-parity-sdk.js';
import { WSOL_MINT } from '../../../market/types.js';
import { Rng } from '../../../random/rng.js';
import { associatedTokenAccount } from '../../raydium-cp-swap.js';
import { TOKEN_PROGRAM } from '../../token-2022.js';
import { feeFromIncludedAmount, feeOnExcludedAmount, totalFeeRate } from './fee.js';
import { FIXTURE_ACTIVE_ID, FIXTURE_PAIR, fixtureAccounts, USDC_MINT } from './fixture.js';
import { swap2Instruction } from './instruction.js';
import { priceFromId } from './math.js';
import { binArrayAddress } from './pda.js';
import { type DlmmPool, quoteExactIn } from './swap.js';
import { meteoraDlmm } from './venue.js';

const NOW = 1_750_000_000n;
const context = { unixTimestamp: NOW, epoch: 700n };
const PAYER = { address: '9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM' as Address };

function fixturePool(overrides = {}): DlmmPool {
  const accounts = fixtureAccounts(overrides);
  return meteoraDlmm.decode(FIXTURE_PAIR, (a) => accounts.get(a), context);
}

describe('Meteora DLMM maths against the SDK', () => {
  const sdk = loadDlmmSdk();
  const lib = sdk.lib;

  it("prices every bin as the program's pow does (getQPriceFromId)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...BIN_STEPS), fc.integer({ min: -1, max: 1 }), (step, sign) => {
        const limit = Math.floor(Math.log(2 ** 60) / Math.log1p(step / 10_000));
        for (const id of [sign * limit, sign * Math.floor(limit / 3), sign, 0]) {
          const theirs = BigInt(lib.getQPriceFromId(new sdk.BN(id), new sdk.BN(step)).toString());
          expect(priceFromId(id, step)).toBe(theirs);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('charges the fee rates and amounts the SDK computes', () => {
    const params = fc.record({
      baseFactor: fc.integer({ min: 0, max: 65_535 }),
      baseFeePowerFactor: fc.integer({ min: 0, max: 3 }),
      variableFeeControl: fc.integer({ min: 0, max: 500_000 }),
    });
    fc.assert(
      fc.property(
        params,
        fc.constantFrom(...BIN_STEPS),
        fc.integer({ min: 0, max: 600_000 }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        (p, step, acc, amount) => {
          const s = { ...p, protocolShare: 0 } as Parameters<typeof totalFeeRate>[0];
          const rate = totalFeeRate(s, step, acc);
          const v = { volatilityAccumulator: acc };
          expect(rate).toBe(BigInt(lib.getTotalFee(step, s, v).toString()));
          const a = new sdk.BN(amount.toString());
          const fee = feeFromIncludedAmount(amount, rate);
          expect(fee).toBe(BigInt(lib.computeFeeFromAmount(step, s, v, a).toString()));
          const onTop = feeOnExcludedAmount(amount, rate);
          const theirs = BigInt(lib.computeFee(step, s, v, a).toString());
          expect(onTop === null ? theirs >= 1n << 64n : onTop === theirs).toBe(true);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('quotes exactly as DLMM.swapQuote on 10 000 random pairs, under the program rules', () => {
    const counts = emptyCounts();
    let cases = 0;
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        cases++;
        const why = compareDlmmCase(sdk, randomDlmmCase(Rng.stream(seed, 'dlmm-test')), counts);
        expect(why).toBeNull();
      }),
      { numRuns: 10_000, seed: 1_000_025 },
    );
    console.log(`DLMM SDK parity: ${cases} pairs, mismatches 0, ${JSON.stringify(counts)}`);
    expect(counts.quoted).toBeGreaterThan(10_000);
    expect(counts.multiBin).toBeGreaterThan(3_000);
    expect(counts.refusalsCompared).toBeGreaterThan(3_000);
    for (const edge of [
      'feeAtCap',
      'accumulatorAtCap',
      'filterPeriod',
      'decayWindow',
      'reset',
    ] as const) {
      expect(counts[edge]).toBeGreaterThan(100);
    }
  }, 900_000);
});

describe('Meteora DLMM venue on the fixture pair', () => {
  it('moves bins, active id and volatility as the swap went', () => {
    const pool = fixturePool();
    const q = meteoraDlmm.quote(pool, 'aToB', 1_000_000_000_000n, context);
    if (!q.ok) throw new Error(q.refusal);
    expect(q.bins.length).toBeGreaterThan(5);
    expect(q.activeId).toBeLessThan(FIXTURE_ACTIVE_ID);
    const after = meteoraDlmm.apply(pool, q, context);
    expect(after.pair.activeId).toBe(q.activeId);
    expect(after.pair.vParameters.lastUpdateTimestamp).toBe(NOW);
    expect(after.pair.vParameters.volatilityAccumulator).toBe(q.volatility.volatilityAccumulator);
    const first = q.bins[0];
    if (first === undefined) throw new Error('no bin');
    const before = pool.binArrays.get(-28)?.bins[first.binId + 28 * 70];
    const now = after.binArrays.get(-28)?.bins[first.binId + 28 * 70];
    expect(now?.amountX).toBe((before?.amountX ?? 0n) + first.mm.amountIn);
    expect(now?.amountY).toBe((before?.amountY ?? 0n) - first.mm.amountOut);
    // The next swap pays a higher variable fee: it starts where this one left the accumulator.
    const again = meteoraDlmm.quote(after, 'aToB', 1_000_000n, context);
    const fresh = meteoraDlmm.quote(pool, 'aToB', 1_000_000n, context);
    if (!again.ok || !fresh.ok) throw new Error('refused');
    expect(again.fee).toBeGreaterThan(fresh.fee);
  });

  it('refuses a disabled pair and a permissioned pair before its activation', () => {
    expect(meteoraDlmm.quote(fixturePool({ status: 1 }), 'aToB', 1_000n, context)).toEqual({
      ok: false,
      refusal: 'PoolDisabled',
    });
    const early = fixturePool({ pairType: 1, activationPoint: NOW + 1n });
    expect(meteoraDlmm.quote(early, 'bToA', 1_000n, context)).toEqual({
      ok: false,
      refusal: 'PoolDisabled',
    });
    const open = fixturePool({ pairType: 1, activationPoint: NOW });
    expect(meteoraDlmm.quote(open, 'bToA', 1_000n, context).ok).toBe(true);
  });

  it('takes the fee from the Y output on an OnlyY pair selling X', () => {
    const q = quoteExactIn(fixturePool({ collectFeeMode: 1 }), 'aToB', 1_000_000_000n, context);
    if (!q.ok) throw new Error(q.refusal);
    expect(q.fee).toBe(0n);
    expect(q.outputFee).toBeGreaterThan(0n);
  });

  it("builds the SDK's swap2: same accounts, order and data", async () => {
    const sdk = loadDlmmSdk();
    const pool = fixturePool();
    const sdkPair = sdk.decode('lbPair', fixtureAccounts().get(FIXTURE_PAIR) as Uint8Array);
    for (const [direction, amountIn] of [
      ['aToB', 1_000_000_000_000n],
      ['bToA', 5_000_000n],
      ['bToA', 900_000_000_000n],
    ] as const) {
      const ix = await swap2Instruction({
        payer: PAYER as TransactionSigner,
        pool: FIXTURE_PAIR,
        state: pool,
        direction,
        amountIn,
        minimumAmountOut: 7n,
      });
      const q = quoteExactIn(pool, direction, amountIn, context);
      if (!q.ok) throw new Error(q.refusal);
      const swapForY = direction === 'aToB';
      const [inMint, outMint] = swapForY ? [WSOL_MINT, USDC_MINT] : [USDC_MINT, WSOL_MINT];
      const theirs = await sdk.swap2Instruction({
        pool: FIXTURE_PAIR,
        lbPair: sdkPair,
        bitmapExtension: null,
        user: PAYER.address,
        userTokenIn: await associatedTokenAccount(PAYER.address, inMint as Address, TOKEN_PROGRAM),
        userTokenOut: await associatedTokenAccount(
          PAYER.address,
          outMint as Address,
          TOKEN_PROGRAM,
        ),
        tokenXProgram: TOKEN_PROGRAM,
        tokenYProgram: TOKEN_PROGRAM,
        amountIn,
        minOutAmount: 7n,
        binArrays: q.binArrays.map((i) => binArrayAddress(FIXTURE_PAIR, i)),
      });
      // The bin arrays are the ones the SDK's own quote names for this swap.
      const sdkQuote = sdk.swapQuote({
        lbPair: sdkPair,
        binArrays: [...pool.binArrays.keys()].map((i) => ({
          publicKey: new sdk.PublicKey(binArrayAddress(FIXTURE_PAIR, i)),
          account: sdk.decode(
            'binArray',
            fixtureAccounts().get(binArrayAddress(FIXTURE_PAIR, i)) as Uint8Array,
          ),
        })),
        swapForY,
        amountIn,
        now: NOW,
        epoch: 700n,
      });
      expect(sdkQuote.binArrays).toEqual(q.binArrays.map((i) => binArrayAddress(FIXTURE_PAIR, i)));
      expect(ix.programAddress).toBe(theirs.programId);
      expect(ix.data).toEqual(theirs.data);
      expect(
        ix.accounts?.map((a) => ({
          pubkey: a.address,
          isSigner: a.role >= 2,
          isWritable: a.role === 1 || a.role === 3,
        })),
      ).toEqual(theirs.keys);
    }
  });
});
