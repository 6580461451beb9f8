import { type Address, getAddressDecoder, getAddressEncoder } from '@solana/kit';
import type { SwapDirection } from '../../market/types.js';
import { type Rng, splitmix64 } from '../../random/rng.js';
import {
  type AmmInfo,
  AmmStatus,
  encodeAmmInfo,
} from '../../solana/venues/raydium-amm-v4/layout.js';
import type { AmmV4Pool } from '../../solana/venues/raydium-amm-v4/math.js';

/**
 * Random Raydium AMM v4 pools and swaps for the SDK parity check. Every field of AmmInfo is
 * drawn (u64s log-uniform over their whole range), so a decode compares all 752 bytes; the
 * vaults over the whole u64 range with the PnL owed to the protocol anywhere from none to more
 * than the vault holds; statuses swappable or not, either side of the open time; amounts with
 * the fee's edges (1..800, where the rounded-up fee is 1 or 2 and can take all of it; multiples
 * of 400 ± 1, where 25 / 10 000 is exact or just not; u64::MAX).
 *
 * The swap fee is the program's default, 25 / 10 000 (`Fees::initialize`), on every pool: the
 * SDK's `computeAmountOut` hard-codes that rate rather than read the pool's, so a pool with
 * another rate would only measure that. Other rates are covered by the venue's own tests.
 *
 * Cases draw through `Draw`, so the unit test feeds them from fast-check (shrinking included)
 * and the bench from a seeded `Rng`. Fields the swap never reads come from one drawn seed
 * (splitmix64), so each case costs a few dozen draws, not hundreds.
 */

export interface Draw {
  /** Uniform in [0, n). */
  int(n: number): number;
  /** Uniform in [0, 2^bits). */
  below(bits: number): bigint;
}

export function rngDraw(rng: Rng): Draw {
  const word = () => (BigInt(rng.nextU32()) << 32n) | BigInt(rng.nextU32());
  return {
    int: (n) => rng.int(n),
    below: (bits) => (bits === 0 ? 0n : ((word() << 64n) | word()) & ((1n << BigInt(bits)) - 1n)),
  };
}

const U64_MAX = (1n << 64n) - 1n;
const addresses = getAddressDecoder();
const addressBytes = getAddressEncoder();

export interface AmmV4Case {
  readonly address: Address;
  readonly pool: AmmV4Pool;
  readonly bytes: Uint8Array;
  readonly direction: SwapDirection;
  readonly amountIn: bigint;
  readonly unixTimestamp: bigint;
}

function pick<T>(d: Draw, values: readonly T[]): T {
  return values[d.int(values.length)] as T;
}

/** Log-uniform below 2^maxBits. */
function u64(d: Draw, maxBits = 64): bigint {
  return d.below(d.int(maxBits + 1));
}

function addressOf(words: readonly bigint[]): Address {
  const bytes = new Uint8Array(32);
  const view = new DataView(bytes.buffer);
  for (const [i, w] of words.entries()) view.setBigUint64(i * 8, w);
  return addresses.decode(bytes);
}

function address(d: Draw): Address {
  return addressOf([d.below(64), d.below(64), d.below(64), d.below(64)]);
}

/** `a` unless it is one of `taken` (a shrunk case draws zeros alike); then another address. */
function distinct(a: Address, taken: readonly Address[]): Address {
  if (!taken.includes(a)) return a;
  const bytes = new Uint8Array(addressBytes.encode(a));
  bytes[31] = ((bytes[31] as number) + 1 + taken.length) & 0xff;
  return distinct(addresses.decode(bytes), taken);
}

/** Values for the fields no swap reads, from one seed: log-uniform u64s, u128s and keys. */
function filler(seed: bigint) {
  let state = seed;
  const word = () => {
    const [out, next] = splitmix64(state);
    state = next;
    return out;
  };
  const u64 = () => word() >> (word() & 63n);
  return {
    u64,
    u128: () => ((word() << 64n) | word()) >> (word() & 127n),
    address: () => addressOf([word(), word(), word(), word()]),
  };
}

/** What the protocol is owed out of a vault: mostly none or a share; all of it, or more. */
function pnl(d: Draw, vault: bigint): bigint {
  const k = d.int(20);
  if (k < 6) return 0n;
  if (k < 16) return (vault * BigInt(d.int(1_001))) / 1_000n;
  if (k < 18) return vault;
  if (k < 19) return vault + 1n > U64_MAX ? U64_MAX : vault + 1n;
  return u64(d);
}

/** A vault balance: mostly 2^20..2^64 (a live pool), sometimes anything from zero. */
function vault(d: Draw): bigint {
  return d.int(10) === 0 ? u64(d) : d.below(20 + d.int(45)) | (1n << 19n);
}

function amountIn(d: Draw, reserveIn: bigint): bigint {
  switch (d.int(8)) {
    case 0:
      return BigInt(d.int(801));
    case 1: {
      const v = u64(d, 54) * 400n + BigInt(d.int(3)) - 1n;
      return v < 0n ? 0n : v > U64_MAX ? U64_MAX : v;
    }
    case 2:
      return U64_MAX - BigInt(d.int(2));
    case 3:
      return u64(d);
    default: {
      // Near the pool's own size: 2^-30 to 2x the input reserve.
      const v = ((reserveIn >> BigInt(d.int(31))) + d.below(d.int(33))) << BigInt(d.int(2));
      return v > U64_MAX ? U64_MAX : v;
    }
  }
}

export function randomAmmV4Case(d: Draw): AmmV4Case {
  const f = filler(d.below(64));
  const pool = address(d);
  const coinVault = distinct(address(d), [pool]);
  const pcVault = distinct(address(d), [pool, coinVault]);
  const coinMint = address(d);
  const openTime = u64(d, 40);
  const swappable = [AmmStatus.SwapOnly, AmmStatus.Initialized, AmmStatus.WaitingTrade];
  const others = [AmmStatus.Disabled, AmmStatus.WithdrawOnly, AmmStatus.LiquidityOnly];
  const coinVaultAmount = vault(d);
  const pcVaultAmount = vault(d);
  const info: AmmInfo = {
    status: d.int(25) === 0 ? pick(d, [...others, AmmStatus.OrderBookOnly]) : pick(d, swappable),
    nonce: f.u64(),
    orderNum: f.u64(),
    depth: f.u64(),
    // The SDK turns decimals into JavaScript numbers (10 ** decimals): keep them real.
    coinDecimals: f.u64() % 19n,
    pcDecimals: f.u64() % 19n,
    state: f.u64(),
    resetFlag: f.u64(),
    minSize: f.u64(),
    volMaxCutRatio: f.u64(),
    amountWave: f.u64(),
    coinLotSize: f.u64(),
    pcLotSize: f.u64(),
    minPriceMultiplier: f.u64(),
    maxPriceMultiplier: f.u64(),
    sysDecimalValue: f.u64(),
    fees: {
      minSeparateNumerator: f.u64(),
      minSeparateDenominator: f.u64(),
      tradeFeeNumerator: f.u64(),
      tradeFeeDenominator: f.u64(),
      pnlNumerator: f.u64(),
      pnlDenominator: f.u64(),
      swapFeeNumerator: 25n,
      swapFeeDenominator: 10_000n,
    },
    stateData: {
      needTakePnlCoin: pnl(d, coinVaultAmount),
      needTakePnlPc: pnl(d, pcVaultAmount),
      totalPnlPc: f.u64(),
      totalPnlCoin: f.u64(),
      poolOpenTime: openTime,
      padding: [f.u64(), f.u64()],
      orderbookToInitTime: f.u64(),
      swapCoinInAmount: f.u128(),
      swapPcOutAmount: f.u128(),
      swapAccPcFee: f.u64(),
      swapPcInAmount: f.u128(),
      swapCoinOutAmount: f.u128(),
      swapAccCoinFee: f.u64(),
    },
    coinVault,
    pcVault,
    coinVaultMint: coinMint,
    // Both vaults of one mint: the program refuses (NotAllowed).
    pcVaultMint: d.int(100) === 0 ? coinMint : distinct(address(d), [coinMint]),
    lpMint: f.address(),
    openOrders: f.address(),
    market: f.address(),
    marketProgram: f.address(),
    targetOrders: f.address(),
    padding1: Array.from({ length: 8 }, () => f.u64()),
    ammOwner: f.address(),
    lpAmount: f.u64(),
    clientOrderId: f.u64(),
    recentEpoch: f.u64(),
    padding2: f.u64(),
  };
  const direction: SwapDirection = d.int(2) === 0 ? 'aToB' : 'bToA';
  const reserveIn =
    direction === 'aToB'
      ? coinVaultAmount - info.stateData.needTakePnlCoin
      : pcVaultAmount - info.stateData.needTakePnlPc;
  const unixTimestamp = openTime + pick(d, [-1n, 0n, 1n, u64(d, 32), u64(d, 32), u64(d, 32)]);
  return {
    address: pool,
    pool: { info, coinVaultAmount, pcVaultAmount },
    bytes: encodeAmmInfo(info),
    direction,
    amountIn: amountIn(d, reserveIn < 0n ? 0n : reserveIn),
    unixTimestamp: unixTimestamp < 0n ? 0n : unixTimestamp,
  };
}
