import { Rng } from '../../random/rng.js';
import { swapBaseInput, swapBaseOutput } from '../../solana/raydium-cp-pool.js';
import type { MintInfo, TransferFee } from '../../solana/token-2022.js';
import type { BenchRow } from '../harness.js';
import { type BN, loadSdk, type Sdk, type SdkCurveFn, type SdkFeeConfig } from './raydium-sdk.js';
import { type Case, FULL_ENCODE_EVERY, randomCase } from './solana-parity-cases.js';

/**
 * Differential check of Landfall's CP-Swap maths against Raydium's own TypeScript SDK
 * (`@raydium-io/raydium-sdk-v2`, a dev dependency: this is bench and test tooling, never the
 * live path). Each random case (solana-parity-cases.ts) has its PoolState and AmmConfig bytes
 * decoded by the SDK's layouts and its swap priced both ways: the SDK's `CurveCalculator`, its
 * `getTransferAmountFeeV2` for Token-2022 fees and its reserves (vault less protocol, fund and
 * creator fees), against `swapBaseInput` / `swapBaseOutput`.
 *
 * Two places where the SDK is not the program are fed the program's rule instead: the creator-fee
 * side (`PoolState::is_creator_fee_on_input`, by direction; the SDK's `computeSwapAmount` ignores
 * the direction) and `adjust_creator_fee_rate` (no creator fee unless the pool enables it). One is
 * counted, not hidden: with the creator fee on the input, the program (since raydium-cp-swap
 * #59, "Fix audit") rounds up trade + creator fee as one amount and splits it, while the SDK still
 * rounds each up on its own. Where the two roundings differ (`sdkFeeRounding`), the case checks
 * the SDK's curve and transfer fees on the program's fee split instead.
 */

const U64_MAX = (1n << 64n) - 1n;
const PPM = 1_000_000n;

export interface ParityReport {
  readonly cases: number;
  /** Cases Landfall priced (the rest the program would refuse, and the SDK agreed). */
  readonly quoted: number;
  /** Cases where Landfall and the SDK disagree on anything compared. */
  readonly mismatches: number;
  /** Creator fee on the input where the SDK's pre-#59 rounding differs from the program's. */
  readonly sdkFeeRounding: number;
  /** Exact-output cases the program refuses (`TransferFeeCalculateNotMatch`) and the SDK prices. */
  readonly programOnlyRefusals: number;
  readonly firstMismatch: string | null;
}

function feeConfigOf(m: MintInfo): SdkFeeConfig | undefined {
  const f = m.transferFee;
  if (f === null) return undefined;
  const one = (t: TransferFee) => ({
    epoch: t.epoch.toString(),
    maximumFee: t.maximumFee.toString(),
    transferFeeBasisPoints: t.basisPoints,
  });
  return { olderTransferFee: one(f.olderTransferFee), newerTransferFee: one(f.newerTransferFee) };
}

/** One case priced by the SDK; a string names what differs from Landfall, or null. */
function compare(
  s: Sdk,
  c: Case,
  report: { quoted: number; sdkFeeRounding: number; programOnlyRefusals: number },
): string | null {
  const big = (v: bigint) => new s.BN(v.toString());
  const n = (v: BN | number | boolean | undefined) => BigInt((v ?? 0).toString());
  const p = s.poolLayout.decode(Buffer.from(c.stateBytes));
  const cfg = s.configLayout.decode(Buffer.from(c.configBytes));
  const reserveA =
    c.pool.vault0Amount - n(p.protocolFeesMintA) - n(p.fundFeesMintA) - n(p.creatorFeesMintA);
  const reserveB =
    c.pool.vault1Amount - n(p.protocolFeesMintB) - n(p.fundFeesMintB) - n(p.creatorFeesMintB);
  const aToB = c.direction === 'aToB';
  const [rIn, rOut] = aToB ? [reserveA, reserveB] : [reserveB, reserveA];
  const [mIn, mOut] = aToB
    ? [c.pool.mints[0], c.pool.mints[1]]
    : [c.pool.mints[1], c.pool.mints[0]];
  const feeOn = Number(p.feeOn);
  const onInput = feeOn === 0 || (feeOn === 1 && aToB) || (feeOn === 2 && !aToB);
  const creator = p.enableCreatorFee === true ? n(cfg.creatorFeeRate) : 0n;
  const [trade, protocol, fund] = [n(cfg.tradeFeeRate), n(cfg.protocolFeeRate), n(cfg.fundFeeRate)];
  const epochInfo = { epoch: Number(c.pool.epoch) };
  const tf = (m: MintInfo, v: bigint, add: boolean) =>
    m.transferFee === null ? 0n : n(s.transferFee(big(v), feeConfigOf(m), epochInfo, add).fee);
  const curve = (fn: SdkCurveFn, v: bigint) =>
    fn(big(v), big(rIn), big(rOut), big(trade), big(creator), big(protocol), big(fund), onInput);

  if (!c.exactOut) {
    const mine = swapBaseInput(c.pool, c.direction, c.amount);
    if (mine.ok) report.quoted++;
    const actual = c.amount - tf(mIn, c.amount, false);
    if (actual <= 0n) return mine.ok ? `input nets ${actual}, Landfall quoted` : null;
    const r = curve(s.swapBaseInput, actual);
    let out = n(r.outputAmount);
    const ceil = (rate: bigint) => (actual * rate + PPM - 1n) / PPM;
    const total = ceil(trade + creator);
    if (onInput && creator > 0n && n(r.creatorFee) !== (total * creator) / (trade + creator)) {
      // The SDK's own creator fee, ceil(amount · rate), is not the program's floored share of
      // the one rounded-up total; when the totals differ too, so do the outputs.
      report.sdkFeeRounding++;
      if (mine.ok && mine.tradeFee + mine.creatorFee !== total)
        return "fee total is not the program's";
      out = n(s.withoutFees(big(actual - total), big(rIn), big(rOut)));
    } else if (mine.ok) {
      const fees = [mine.tradeFee, mine.protocolFee, mine.fundFee, mine.creatorFee].join('/');
      const theirs = [r.tradeFee, r.protocolFee, r.fundFee, r.creatorFee].map(n).join('/');
      if (fees !== theirs) return `fees ${fees} vs SDK ${theirs}`;
    }
    const received = out - tf(mOut, out, false);
    const sdkOut = received > 0n ? received : 0n;
    const got = mine.ok ? mine.amountOut : 0n;
    return got === sdkOut ? null : `amountOut ${got} vs SDK ${sdkOut}`;
  }
  const mine = swapBaseOutput(c.pool, c.direction, c.amount);
  if (mine.ok) report.quoted++;
  if (!mine.ok && mine.refusal === 'TransferFeeCalculateNotMatch') {
    report.programOnlyRefusals++;
    return null;
  }
  const withFee = c.amount + tf(mOut, c.amount, true);
  // The program refuses an output the reserve cannot pay; the SDK's curve is undefined there.
  if (withFee >= rOut || withFee > U64_MAX)
    return mine.ok ? `output ${withFee} ≥ reserve, Landfall quoted` : null;
  let input: bigint;
  try {
    input = n(curve(s.swapBaseOutput, withFee).inputAmount);
  } catch {
    // The SDK throws where the output with the creator fee empties the reserve (a zero divisor).
    input = -1n;
  }
  // A negative divisor gives a negative input: the program refuses both (ZeroTradingTokens).
  if (input <= 0n) return mine.ok ? `SDK cannot price it, Landfall quoted ${mine.amountIn}` : null;
  const amountIn = input + tf(mIn, input, true);
  // The program takes the input as a u64 (`u64::try_from(..).unwrap()`): beyond it, it aborts.
  if (amountIn > U64_MAX)
    return mine.ok ? `input ${amountIn} exceeds a u64, Landfall quoted` : null;
  const got = mine.ok ? mine.amountIn : `refused ${mine.refusal}`;
  return got === amountIn ? null : `amountIn ${got} vs SDK ${amountIn}`;
}

/** Prices `cases` seeded random swaps with both; deterministic for a given seed. */
export function cpSwapSdkParity(cases: number, seed = 19): ParityReport {
  const s = loadSdk();
  const rng = Rng.stream(seed, 'cpswap-sdk-parity');
  const counts = { quoted: 0, sdkFeeRounding: 0, programOnlyRefusals: 0 };
  let mismatches = 0;
  let firstMismatch: string | null = null;
  for (let i = 0; i < cases; i++) {
    const c = randomCase(rng, i % FULL_ENCODE_EVERY === 0);
    const why = compare(s, c, counts);
    if (why === null) continue;
    mismatches++;
    firstMismatch ??= `case ${i} (${c.exactOut ? 'exact out' : 'exact in'} ${c.direction} ${c.amount}): ${why}`;
  }
  return { cases, mismatches, firstMismatch, ...counts };
}

/** Cases the `solana` suite prices; the unit test runs its own. */
const BENCH_CASES = 20_000;

/** The `cpswap.sdk_parity` rows of the `solana` suite: `mismatches` must read 0. */
export function sdkParityRows(): BenchRow[] {
  const r = cpSwapSdkParity(BENCH_CASES);
  const name = 'cpswap.sdk_parity';
  return [
    { name, metric: 'mismatches', value: r.mismatches, unit: 'cases' },
    { name, metric: 'cases', value: r.cases, unit: 'cases' },
    { name, metric: 'sdk_fee_rounding', value: r.sdkFeeRounding, unit: 'cases' },
  ];
}
