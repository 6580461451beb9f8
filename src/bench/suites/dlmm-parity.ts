import { Rng } from '../../random/rng.js';
import { MAX_FEE_RATE, totalFeeRate } from '../../solana/venues/meteora-dlmm/fee.js';
import type { BinArray } from '../../solana/venues/meteora-dlmm/layout.js';
import { quoteExactIn } from '../../solana/venues/meteora-dlmm/swap.js';
import type { BenchRow } from '../harness.js';
import { type DlmmCase, randomDlmmCase } from './dlmm-parity-cases.js';
import { type DlmmSdk, loadDlmmSdk } from './dlmm-parity-sdk.js';

/**
 * Differential check of the DLMM venue's maths (src/solana/venues/meteora-dlmm) against Meteora's
 * SDK `DLMM.swapQuote`. Each random pair (dlmm-parity-cases.ts) is handed to the SDK as its anchor
 * coder decodes the LbPair bytes, with the bin arrays Landfall read, and every swap priced by
 * both: amount consumed, amount out and total fee (the SDK reports the LP's part and the
 * protocol's part apart; the program's fee is their sum) and the protocol's part must be equal.
 *
 * Where the SDK departs from the program, the program's rule is compared:
 * - the SDK reads the wall clock (`Date.now() / 1000`, fractional) for the fee decay; the program
 *   reads `Clock::unix_timestamp`. The SDK's clock is pinned to the case's unix time.
 * - the SDK does not check the pair's status or activation point, nor u64 overflow of a bin's
 *   amounts (it uses BN), nor the u32 product of `update_references`: such program refusals
 *   (`PoolDisabled`, `ActivationSlotUnknown`, `MathOverflow`) are counted, not compared.
 * - a bin whose input all goes to the fee (nothing left to fill) charges that fee; the SDK's
 *   `splitFee` then reports it as neither LP nor protocol fee, so its fee is short by it.
 * - where the program cannot find liquidity (no marked array, an array not supplied, the
 *   bitmap's edge with no extension, the bin id range) the SDK must throw
 *   `SWAP_QUOTE_INSUFFICIENT_LIQUIDITY`; a zero input, throw; a zero output, return zero.
 */

export interface DlmmParityReport extends Readonly<Counts> {
  readonly cases: number;
  /** Swaps priced (cases × swaps per case). */
  readonly swaps: number;
  readonly mismatches: number;
  readonly firstMismatch: string | null;
}

const LIQUIDITY = new Set([
  'CannotFindNonZeroLiquidityBinArrayId',
  'BinArrayNotFound',
  'BitmapExtensionAccountIsNotProvided',
  'PairInsufficientLiquidity',
]);
const PROGRAM_ONLY = new Set(['PoolDisabled', 'ActivationSlotUnknown', 'MathOverflow']);

/** The SDK's bin arrays, built from Landfall's decoded ones (the BN shape its coder returns). */
export function sdkBinArrays(sdk: DlmmSdk, arrays: ReadonlyMap<number, BinArray>) {
  const bn = (v: bigint) => new sdk.BN(v.toString());
  return [...arrays].map(([index, a]) => ({
    publicKey: new sdk.PublicKey(a.lbPair),
    account: {
      index: new sdk.BN(index),
      bins: a.bins.map((b) => ({
        amountX: bn(b.amountX),
        amountY: bn(b.amountY),
        price: bn(b.price),
        openOrderAmount: bn(b.openOrderAmount),
        processedOrderRemainingAmount: bn(b.processedOrderRemainingAmount),
        limitOrderAskSide: b.limitOrderAskSide,
      })),
    },
  }));
}

export interface Counts {
  /** Swaps both executed: consumed, out, fee and protocol fee compared. */
  quoted: number;
  /** Of those, crossing more than one bin. */
  multiBin: number;
  /** Program refusals checked against what the SDK did (threw, or returned zero). */
  refusalsCompared: number;
  /** Refusals on a rule the SDK does not check: counted, not compared. */
  programOnlyRefusals: number;
  /** Quotes with a bin whose input all went to the fee, which the SDK leaves out of its fee. */
  sdkUnsplitFee: number;
  /** Quoted swaps whose last bin paid the 10 % cap / had the accumulator at its maximum. */
  feeAtCap: number;
  accumulatorAtCap: number;
  /** Quoted swaps by fee-decay regime: inside the filter period, in the decay window, after it. */
  filterPeriod: number;
  decayWindow: number;
  reset: number;
}

/** Null when both agree on this case's every swap, else why not. */
export function compareDlmmCase(sdk: DlmmSdk, c: DlmmCase, counts: Counts): string | null {
  const sdkPair = sdk.decode('lbPair', c.lbPairBytes);
  const arrays = sdkBinArrays(sdk, c.pool.binArrays);
  for (const s of c.swaps) {
    const mine = quoteExactIn(c.pool, s.swapForY ? 'aToB' : 'bToA', s.amountIn, c.context);
    if (!mine.ok && PROGRAM_ONLY.has(mine.refusal)) {
      counts.programOnlyRefusals++;
      continue;
    }
    let theirs: ReturnType<DlmmSdk['swapQuote']> | string;
    try {
      theirs = sdk.swapQuote({
        lbPair: sdkPair,
        binArrays: arrays,
        swapForY: s.swapForY,
        amountIn: s.amountIn,
        now: c.context.unixTimestamp,
        epoch: c.context.epoch,
      });
    } catch (e) {
      theirs = `${(e as { name?: string }).name}: ${(e as Error).message}`;
    }
    const where = `${s.swapForY ? 'X→Y' : 'Y→X'} ${s.amountIn}`;
    if (mine.ok) {
      if (typeof theirs === 'string')
        return `${where}: Landfall ${mine.amountOut} out, SDK threw ${theirs}`;
      counts.quoted++;
      if (mine.bins.length > 1) counts.multiBin++;
      tally(c, mine.volatility.volatilityAccumulator, counts);
      // A bin whose whole input went to the fee (nothing left to fill) still charges it (the
      // program's `fee` is the trading fee) but the SDK's `split_fee` reports it as neither the
      // LP's nor the protocol's: its reported fee is short by those bins' fees.
      const unsplit = mine.bins
        .filter((b) => b.mm.amountIn + b.processedOrders.amountIn + b.openOrders.amountIn === 0n)
        .reduce((sum, b) => sum + b.fee, 0n);
      if (unsplit > 0n) counts.sdkUnsplitFee++;
      const fee = mine.fee + mine.outputFee - unsplit;
      const same =
        theirs.consumedInAmount === mine.amountIn &&
        theirs.outAmount === mine.amountOut &&
        theirs.fee + theirs.protocolFee === fee &&
        theirs.protocolFee === mine.protocolFee;
      if (!same) {
        return `${where}: Landfall in ${mine.amountIn} out ${mine.amountOut} fee ${fee} protocol ${mine.protocolFee}, SDK in ${theirs.consumedInAmount} out ${theirs.outAmount} fee ${theirs.fee + theirs.protocolFee} protocol ${theirs.protocolFee}`;
      }
      continue;
    }
    counts.refusalsCompared++;
    const agrees =
      mine.refusal === 'ExceededAmountSlippageTolerance'
        ? typeof theirs !== 'string' && theirs.outAmount === 0n
        : mine.refusal === 'InvalidInput' || LIQUIDITY.has(mine.refusal)
          ? typeof theirs === 'string'
          : false;
    if (!agrees) {
      const what = typeof theirs === 'string' ? `threw ${theirs}` : `${theirs.outAmount} out`;
      return `${where}: Landfall refused ${mine.refusal}, SDK ${what}`;
    }
  }
  return null;
}

function tally(c: DlmmCase, accumulator: number, counts: Counts): void {
  const { parameters: p, binStep, vParameters } = c.pool.pair;
  if (totalFeeRate(p, binStep, accumulator) === MAX_FEE_RATE) counts.feeAtCap++;
  if (accumulator === p.maxVolatilityAccumulator) counts.accumulatorAtCap++;
  const elapsed = c.context.unixTimestamp - vParameters.lastUpdateTimestamp;
  if (elapsed < BigInt(p.filterPeriod)) counts.filterPeriod++;
  else if (elapsed < BigInt(p.decayPeriod)) counts.decayWindow++;
  else counts.reset++;
}

export function emptyCounts(): Counts {
  return {
    quoted: 0,
    multiBin: 0,
    refusalsCompared: 0,
    programOnlyRefusals: 0,
    sdkUnsplitFee: 0,
    feeAtCap: 0,
    accumulatorAtCap: 0,
    filterPeriod: 0,
    decayWindow: 0,
    reset: 0,
  };
}

/** Prices `cases` seeded random pairs with both; deterministic for a given seed. */
export function dlmmSdkParity(cases: number, seed = 25): DlmmParityReport {
  const sdk = loadDlmmSdk();
  const rng = Rng.stream(seed, 'dlmm-sdk-parity');
  const counts = emptyCounts();
  let mismatches = 0;
  let swaps = 0;
  let firstMismatch: string | null = null;
  for (let i = 0; i < cases; i++) {
    const c = randomDlmmCase(rng);
    swaps += c.swaps.length;
    const why = compareDlmmCase(sdk, c, counts);
    if (why === null) continue;
    mismatches++;
    firstMismatch ??= `case ${i}: ${why}`;
  }
  return { cases, swaps, mismatches, firstMismatch, ...counts };
}

const BENCH_CASES = 10_000;

/** The `dlmm.sdk_parity` rows of the `solana` suite: `mismatches` must read 0. */
export function dlmmParityRows(): BenchRow[] {
  const r = dlmmSdkParity(BENCH_CASES);
  const name = 'dlmm.sdk_parity';
  return [
    { name, metric: 'mismatches', value: r.mismatches, unit: 'cases' },
    { name, metric: 'cases', value: r.cases, unit: 'cases' },
    { name, metric: 'swaps', value: r.swaps, unit: 'swaps' },
    { name, metric: 'quoted', value: r.quoted, unit: 'swaps' },
    { name, metric: 'multi_bin', value: r.multiBin, unit: 'swaps' },
    { name, metric: 'refusals_compared', value: r.refusalsCompared, unit: 'swaps' },
    { name, metric: 'program_only_refusals', value: r.programOnlyRefusals, unit: 'swaps' },
    { name, metric: 'sdk_unsplit_fee', value: r.sdkUnsplitFee, unit: 'swaps' },
    { name, metric: 'fee_at_cap', value: r.feeAtCap, unit: 'swaps' },
    { name, metric: 'accumulator_at_cap', value: r.accumulatorAtCap, unit: 'swaps' },
    { name, metric: 'in_filter_period', value: r.filterPeriod, unit: 'swaps' },
    { name, metric: 'in_decay_window', value: r.decayWindow, unit: 'swaps' },
    { name, metric: 'after_decay_reset', value: r.reset, unit: 'swaps' },
  ];
}
