/**
 * Published Solana / Jito figures behind the simulator's defaults, each with its source
 * (collected in CALIBRATION.md). Defaults that are modelling assumptions rather than
 * published figures say so where they are declared, in `config.ts`.
 */

/** Slot length. Solana docs: a slot is ~400 ms. */
export const SLOT_MS = 400;

/** Consecutive slots per leader. Solana docs: each leader holds 4 consecutive slots. */
export const SLOTS_PER_LEADER = 4;

/** Base fee per signature. Solana docs: 5,000 lamports per signature. */
export const BASE_FEE_LAMPORTS = 5_000;

/**
 * Share of leaders running Jito-Solana. Alchemy, "Solana Jito Bundles and Transactions":
 * about 95 % of stake "at time of writing".
 */
export const JITO_STAKE_SHARE = 0.95;

/**
 * Minimum bundle tip. Alchemy (same page): 1,000 lamports. One provider page says Jito no
 * longer enforces a minimum; we keep it, so a policy tuned here never relies on tiny tips.
 */
export const MIN_TIP_LAMPORTS = 1_000;

/** Transactions per bundle. Alchemy (same page): up to 5, sequential and atomic in one slot. */
export const MAX_BUNDLE_TRANSACTIONS = 5;

/** Block engine auction cadence. trendflows "Tip Floor API" article (secondary source): 200 ms. */
export const AUCTION_TICK_MS = 200;

/** Solana's per-transaction compute ceiling (Solana docs: 1.4 M CU). */
export const MAX_COMPUTE_UNITS = 1_400_000;

/** Percentile levels of landed tips, lamports (1 SOL = 1e9 lamports). */
export interface TipLevels {
  p25: number;
  p50: number;
  p75: number;
  p95: number;
  p99: number;
}

/**
 * Landed-tip percentiles from Jito's tip-floor API (`GET /api/v1/bundles/tip_floor`, fields
 * `landed_tips_{25,50,75,95,99}th_percentile`, in SOL), as sampled by third parties.
 */
export const TIP_FLOOR_SAMPLES: Readonly<Record<'2024-04' | '2025-05', TipLevels>> = {
  /** bloXroute sample, April 2024: 0.0000825 / 0.000305 / 0.0017 / 0.0075 / 0.0177 SOL. */
  '2024-04': { p25: 82_500, p50: 305_000, p75: 1_700_000, p95: 7_500_000, p99: 17_700_000 },
  /** NextBlock sample, May 2025: 0.0011 / 0.005 / 0.0156 / 0.093 / 0.48 SOL. */
  '2025-05': {
    p25: 1_100_000,
    p50: 5_000_000,
    p75: 15_600_000,
    p95: 93_000_000,
    p99: 480_000_000,
  },
};

/** A token of the default market (fields documented in config.ts, `market.tokens`). */
export interface TokenDefault {
  symbol: string;
  decimals: number;
  priceSol: number;
  depthSol: number;
  volatilityPerHour: number;
  jumpsPerHour: number;
  jumpSize: number;
}

/**
 * Assumption, not a snapshot of real pools: early-2025 orders of magnitude for price (SOL per
 * token; SOL ≈ $150) and the mint's decimals; depths, volatilities and jumps are illustrative.
 */
export const DEFAULT_TOKENS: readonly TokenDefault[] = [
  {
    symbol: 'USDC',
    decimals: 6,
    priceSol: 1 / 150,
    depthSol: 20_000,
    volatilityPerHour: 0.008,
    jumpsPerHour: 1,
    jumpSize: 0.004,
  },
  {
    symbol: 'JUP',
    decimals: 6,
    priceSol: 0.0053,
    depthSol: 6_000,
    volatilityPerHour: 0.015,
    jumpsPerHour: 3,
    jumpSize: 0.012,
  },
  {
    symbol: 'BONK',
    decimals: 5,
    priceSol: 1.3e-7,
    depthSol: 4_000,
    volatilityPerHour: 0.025,
    jumpsPerHour: 4,
    jumpSize: 0.02,
  },
  {
    symbol: 'WIF',
    decimals: 6,
    priceSol: 0.0067,
    depthSol: 3_000,
    volatilityPerHour: 0.03,
    jumpsPerHour: 4,
    jumpSize: 0.025,
  },
];

/**
 * Constant-product fee tiers: Raydium AMM v4 charges 0.25 %, Orca's legacy constant-product
 * pools 0.30 % (venue docs; not in CALIBRATION.md). The third venue's fee and every depth
 * share are assumptions.
 */
export const DEFAULT_VENUES: readonly { name: string; feeBps: number; depthShare: number }[] = [
  { name: 'raydium', feeBps: 25, depthShare: 1 },
  { name: 'orca', feeBps: 30, depthShare: 0.6 },
  { name: 'meteora', feeBps: 20, depthShare: 0.35 },
];

/**
 * The default market's venues, each on a live program's exact maths instead of the simulator's
 * constant product (`--venues mixed`): the same names, fee tiers and depths, so a backtest on it
 * differs from the default only by the curves. Raydium runs AMM v4 (constant product with the
 * program's fee rounding and refusals); Orca runs Whirlpool concentrated liquidity and Meteora
 * DLMM bins, each with the depth near the price a constant-product pool's and the liquidity
 * farther out drawn per pool (their `sim.ts`). `raydium_cp` (CP-Swap) is a kind too.
 */
export const MIXED_VENUES: readonly {
  name: string;
  feeBps: number;
  depthShare: number;
  curve: 'constant_product' | 'raydium_amm_v4' | 'raydium_cp' | 'orca_whirlpool' | 'meteora_dlmm';
}[] = [
  { name: 'raydium', feeBps: 25, depthShare: 1, curve: 'raydium_amm_v4' },
  { name: 'orca', feeBps: 30, depthShare: 0.6, curve: 'orca_whirlpool' },
  { name: 'meteora', feeBps: 20, depthShare: 0.35, curve: 'meteora_dlmm' },
];

/** 2025-01-01T00:00:00Z: where virtual time starts, so timestamps look like real ones. */
export const DEFAULT_START_MS = Date.UTC(2025, 0, 1);
