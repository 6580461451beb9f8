import { Rng } from '../../random/rng.js';
import { encodeTokenAccount } from '../../solana/raydium-cp-layout.js';
import {
  type AmmInfo,
  decodeAmmInfo,
  RAYDIUM_AMM_V4_PROGRAM,
} from '../../solana/venues/raydium-amm-v4/layout.js';
import { swapBaseIn, tradableReserves } from '../../solana/venues/raydium-amm-v4/math.js';
import type { BenchRow } from '../harness.js';
import { type AmmV4Case, randomAmmV4Case, rngDraw } from './amm-v4-parity-cases.js';
import { type AmmV4Sdk, loadAmmV4Sdk, type SdkAccountInfo } from './raydium-amm-v4-sdk.js';

/**
 * Differential check of the venue modules against each venue's own TypeScript SDK (dev
 * dependencies: bench and test tooling, never the live path). Raydium AMM v4: each random case
 * (amm-v4-parity-cases.ts) has its AmmInfo bytes decoded by Landfall and by the SDK's
 * `liquidityStateV4Layout`, every field compared; then the SDK reads the pool through its own
 * `getRpcPoolInfos` (on a connection serving the case's AmmInfo and vault accounts, so it nets the
 * PnL owed to the protocol off the vaults itself), and prices the swap with `computeAmountOut`,
 * against `swapBaseIn`.
 *
 * The SDK checks less than the program: where the program refuses, the SDK's answer must be
 * the one the refusal implies (nothing out: InvalidInput; the whole reserve or more:
 * InsufficientFunds; a throw on the zero divisor: ArithmeticAbort). Refusals on what the SDK does
 * not look at (status and open time, both vaults of one mint, PnL above a vault) are counted.
 */

export interface AmmV4ParityReport {
  readonly cases: number;
  /** Cases the program would execute; every one compared amount out and fee. */
  readonly quoted: number;
  /** Program refusals checked against what the SDK returned. */
  readonly refusalsCompared: number;
  /** Refusals on a rule the SDK does not check (status, open time, mints, PnL above a vault). */
  readonly programOnlyRefusals: number;
  readonly mismatches: number;
  readonly firstMismatch: string | null;
}

/** Landfall's AmmInfo fields by the SDK's names (liquidityStateV4Layout), in layout order. */
const SDK_FIELDS: readonly [string, (i: AmmInfo) => unknown][] = [
  ['status', (i) => i.status],
  ['nonce', (i) => i.nonce],
  ['maxOrder', (i) => i.orderNum],
  ['depth', (i) => i.depth],
  ['baseDecimal', (i) => i.coinDecimals],
  ['quoteDecimal', (i) => i.pcDecimals],
  ['state', (i) => i.state],
  ['resetFlag', (i) => i.resetFlag],
  ['minSize', (i) => i.minSize],
  ['volMaxCutRatio', (i) => i.volMaxCutRatio],
  ['amountWaveRatio', (i) => i.amountWave],
  ['baseLotSize', (i) => i.coinLotSize],
  ['quoteLotSize', (i) => i.pcLotSize],
  ['minPriceMultiplier', (i) => i.minPriceMultiplier],
  ['maxPriceMultiplier', (i) => i.maxPriceMultiplier],
  ['systemDecimalValue', (i) => i.sysDecimalValue],
  ['minSeparateNumerator', (i) => i.fees.minSeparateNumerator],
  ['minSeparateDenominator', (i) => i.fees.minSeparateDenominator],
  ['tradeFeeNumerator', (i) => i.fees.tradeFeeNumerator],
  ['tradeFeeDenominator', (i) => i.fees.tradeFeeDenominator],
  ['pnlNumerator', (i) => i.fees.pnlNumerator],
  ['pnlDenominator', (i) => i.fees.pnlDenominator],
  ['swapFeeNumerator', (i) => i.fees.swapFeeNumerator],
  ['swapFeeDenominator', (i) => i.fees.swapFeeDenominator],
  ['baseNeedTakePnl', (i) => i.stateData.needTakePnlCoin],
  ['quoteNeedTakePnl', (i) => i.stateData.needTakePnlPc],
  ['quoteTotalPnl', (i) => i.stateData.totalPnlPc],
  ['baseTotalPnl', (i) => i.stateData.totalPnlCoin],
  ['poolOpenTime', (i) => i.stateData.poolOpenTime],
  ['punishPcAmount', (i) => i.stateData.padding[0]],
  ['punishCoinAmount', (i) => i.stateData.padding[1]],
  ['orderbookToInitTime', (i) => i.stateData.orderbookToInitTime],
  ['swapBaseInAmount', (i) => i.stateData.swapCoinInAmount],
  ['swapQuoteOutAmount', (i) => i.stateData.swapPcOutAmount],
  ['swapBase2QuoteFee', (i) => i.stateData.swapAccPcFee],
  ['swapQuoteInAmount', (i) => i.stateData.swapPcInAmount],
  ['swapBaseOutAmount', (i) => i.stateData.swapCoinOutAmount],
  ['swapQuote2BaseFee', (i) => i.stateData.swapAccCoinFee],
  ['baseVault', (i) => i.coinVault],
  ['quoteVault', (i) => i.pcVault],
  ['baseMint', (i) => i.coinVaultMint],
  ['quoteMint', (i) => i.pcVaultMint],
  ['lpMint', (i) => i.lpMint],
  ['openOrders', (i) => i.openOrders],
  ['marketId', (i) => i.market],
  ['marketProgramId', (i) => i.marketProgram],
  ['targetOrders', (i) => i.targetOrders],
  // The SDK reads the program's `padding1: [u64; 8]` as two keys.
  ['withdrawQueue', (i) => i.padding1.slice(0, 4).join()],
  ['lpVault', (i) => i.padding1.slice(4).join()],
  ['owner', (i) => i.ammOwner],
  ['lpReserve', (i) => i.lpAmount],
  ['padding', (i) => [i.clientOrderId, i.recentEpoch, i.padding2].join()],
];

/** A key's 32 bytes as four little-endian u64s, the way the program's padding holds them. */
function keyAsWords(key: unknown): string {
  const raw = (key as { toBytes(): Uint8Array }).toBytes();
  const view = new DataView(raw.buffer, raw.byteOffset, 32);
  return [0, 8, 16, 24].map((o) => view.getBigUint64(o, true)).join();
}

/** The first field the SDK decodes differently from Landfall, or null. */
export function ammV4DecodeDiff(s: AmmV4Sdk, bytes: Uint8Array): string | null {
  const mine = decodeAmmInfo(bytes, 'parity case');
  const theirs = s.stateLayout.decode(Buffer.from(bytes)) as Record<string, unknown>;
  for (const [name, get] of SDK_FIELDS) {
    const value = theirs[name];
    const text =
      name === 'withdrawQueue' || name === 'lpVault'
        ? keyAsWords(value)
        : Array.isArray(value)
          ? value.join()
          : String((value as { toBase58?: () => string }).toBase58?.() ?? value);
    if (text !== String(get(mine))) return `${name}: SDK ${text}, Landfall ${String(get(mine))}`;
  }
  return null;
}

function connectionOf(s: AmmV4Sdk, c: AmmV4Case) {
  const info = c.pool.info;
  const owner = new s.PublicKey(RAYDIUM_AMM_V4_PROGRAM);
  const vault = (mint: typeof info.coinVaultMint, amount: bigint) =>
    Buffer.from(encodeTokenAccount({ mint, owner: info.ammOwner, amount }));
  const accounts = new Map<string, Buffer>([
    [c.address, Buffer.from(c.bytes)],
    [info.coinVault, vault(info.coinVaultMint, c.pool.coinVaultAmount)],
    [info.pcVault, vault(info.pcVaultMint, c.pool.pcVaultAmount)],
  ]);
  return {
    async getMultipleAccountsInfo(keys: { toBase58(): string }[]) {
      return keys.map((k): SdkAccountInfo | null => {
        const data = accounts.get(k.toBase58());
        return data === undefined
          ? null
          : { data, owner, lamports: 1, executable: false, rentEpoch: 0 };
      });
    },
  };
}

type Counts = {
  quoted: number;
  refusalsCompared: number;
  programOnlyRefusals: number;
  /** Quoted swaps whose fee is under one unit before rounding up: where rounding rules differ. */
  subUnitFees: number;
};

/** One case priced by both; a string names what differs, or null. */
export async function compareAmmV4(s: AmmV4Sdk, c: AmmV4Case, counts: Counts) {
  const decoded = ammV4DecodeDiff(s, c.bytes);
  if (decoded !== null) return `decode: ${decoded}`;
  const rpc = await s.rpcPoolInfos(connectionOf(s, c), [c.address]);
  const poolInfo = s.toComputePoolInfo(rpc)[c.address] as Record<string, unknown>;
  const n = (v: unknown) => BigInt(String(v));
  const [sdkCoin, sdkPc] = [n(poolInfo.baseReserve), n(poolInfo.quoteReserve)];
  const reserves = tradableReserves(c.pool);
  if (reserves !== null && (reserves[0] !== sdkCoin || reserves[1] !== sdkPc)) {
    return `reserves ${reserves.join('/')} vs SDK ${sdkCoin}/${sdkPc}`;
  }
  const info = c.pool.info;
  const aToB = c.direction === 'aToB';
  let sdk: { amountOut: bigint; fee: bigint } | 'threw';
  try {
    const r = s.computeAmountOut({
      poolInfo,
      amountIn: new s.BN(c.amountIn.toString()),
      mintIn: aToB ? info.coinVaultMint : info.pcVaultMint,
      mintOut: aToB ? info.pcVaultMint : info.coinVaultMint,
      slippage: 0,
    });
    sdk = { amountOut: n(r.amountOut), fee: n(r.fee) };
  } catch {
    sdk = 'threw';
  }
  const mine = swapBaseIn(c.pool, c.direction, c.amountIn, c.unixTimestamp);
  if (mine.ok) {
    counts.quoted++;
    if (c.amountIn * info.fees.swapFeeNumerator < info.fees.swapFeeDenominator)
      counts.subUnitFees++;
    if (sdk === 'threw') return `SDK threw, Landfall quoted ${mine.amountOut}`;
    if (sdk.amountOut !== mine.amountOut)
      return `amountOut ${mine.amountOut} vs SDK ${sdk.amountOut}`;
    return sdk.fee === mine.fee ? null : `fee ${mine.fee} vs SDK ${sdk.fee}`;
  }
  const reserveOut = aToB ? sdkPc : sdkCoin;
  const agrees = {
    InvalidInput: sdk !== 'threw' && sdk.amountOut === 0n,
    InsufficientFunds: sdk !== 'threw' && sdk.amountOut >= reserveOut,
    // The SDK answers a zero input with zero before dividing; the program divides and aborts.
    ArithmeticAbort: sdk === 'threw' || (c.amountIn === 0n && sdk.amountOut === 0n),
  } as Record<string, boolean>;
  const expected = agrees[mine.refusal];
  if (expected === undefined) {
    counts.programOnlyRefusals++;
    return null;
  }
  counts.refusalsCompared++;
  if (expected) return null;
  const theirs = sdk === 'threw' ? 'threw' : `${sdk.amountOut} out`;
  return `Landfall refused ${mine.refusal}, SDK ${theirs}`;
}

/** Prices `cases` seeded random swaps with both; deterministic for a given seed. */
export async function ammV4SdkParity(cases: number, seed = 25): Promise<AmmV4ParityReport> {
  const s = loadAmmV4Sdk();
  const draw = rngDraw(Rng.stream(seed, 'ammv4-sdk-parity'));
  const counts: Counts = {
    quoted: 0,
    refusalsCompared: 0,
    programOnlyRefusals: 0,
    subUnitFees: 0,
  };
  let mismatches = 0;
  let firstMismatch: string | null = null;
  for (let i = 0; i < cases; i++) {
    const c = randomAmmV4Case(draw);
    const why = await compareAmmV4(s, c, counts);
    if (why === null) continue;
    mismatches++;
    firstMismatch ??= `case ${i} (${c.direction} ${c.amountIn}): ${why}`;
  }
  return { cases, mismatches, firstMismatch, ...counts };
}

/**
 * Cases the `solana` suite prices (about 40 s: the SDK reads each pool through its own RPC path);
 * the unit test runs its own 10 000 through fast-check.
 */
const BENCH_CASES = 12_000;

/** The `ammv4.sdk_parity` rows of the `solana` suite: `mismatches` must read 0. */
export async function venueParityRows(): Promise<BenchRow[]> {
  const r = await ammV4SdkParity(BENCH_CASES);
  const name = 'ammv4.sdk_parity';
  return [
    { name, metric: 'mismatches', value: r.mismatches, unit: 'cases' },
    { name, metric: 'cases', value: r.cases, unit: 'cases' },
    { name, metric: 'quoted', value: r.quoted, unit: 'cases' },
    { name, metric: 'refusals_compared', value: r.refusalsCompared, unit: 'cases' },
    { name, metric: 'program_only_refusals', value: r.programOnlyRefusals, unit: 'cases' },
  ];
}
