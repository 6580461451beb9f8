import { z } from 'zod';
import { LandfallError } from '../errors.js';
import * as cal from './calibration.js';
import { crossFieldProblems } from './config-checks.js';
import { CURVE_KINDS } from './curve-kinds.js';

/**
 * Every knob of the market simulator, in one place (config section `sim`). Published figures
 * come from `calibration.ts` (sources there); the rest are modelling assumptions, marked so,
 * chosen to give a market of about ten contested opportunities a minute. Where a default is a
 * published figure its source is named beside it (full citations in calibration.ts).
 */
const pos = () => z.number().positive();
const share = () => z.number().min(0).max(1);
const range = (min: number, max: number) =>
  z
    .strictObject({ min: pos(), max: pos() })
    .refine((r) => r.min <= r.max, 'min must not exceed max')
    .default({ min, max });

const tipLevels = z
  .strictObject({ p25: pos(), p50: pos(), p75: pos(), p95: pos(), p99: pos() })
  .refine((t) => t.p25 <= t.p50 && t.p50 <= t.p75 && t.p75 <= t.p95 && t.p95 <= t.p99, {
    message: 'percentiles must not decrease from p25 to p99',
  });

const chainSchema = z.strictObject({
  /** Slot length, ms. Solana docs: ~400 ms. */
  slotMs: pos().default(cal.SLOT_MS),
  /** Consecutive slots per leader. Solana docs: 4. */
  slotsPerLeader: z.number().int().min(1).default(cal.SLOTS_PER_LEADER),
  /** Per signature. Solana docs: 5,000 lamports. */
  baseFeeLamports: z.number().int().min(0).default(cal.BASE_FEE_LAMPORTS),
  /**
   * Share of leaders running Jito-Solana. Alchemy: ~95 % of stake. Exactly round(share ×
   * validators) validators run it, all with equal stake.
   */
  jitoShare: share().default(cal.JITO_STAKE_SHARE),
  /** Cosmetic: the first slot number. */
  startSlot: z.number().int().min(0).default(300_000_000),
  /** Assumption: leaders drawn uniformly (equal stake) from this many validators. */
  validators: z.number().int().min(1).max(10_000).default(64),
  /** Assumption: congestion is a mean-reverting (Ornstein–Uhlenbeck) process on its logit. */
  congestion: z
    .strictObject({
      /** Long-run level, 0 idle … 1 saturated. */
      mean: z.number().gt(0).lt(1).default(0.3),
      /** Pull back to the mean, per minute (1/time constant). */
      reversionPerMinute: pos().default(0.2),
      /** Standard deviation of the logit's change over one minute. */
      volatility: z.number().min(0).default(0.5),
    })
    .prefault({}),
  /** Assumption: median priority fee (µlamports/CU) moves log-linearly from idle to saturated. */
  priorityFee: z
    .strictObject({
      /** Median at congestion 0 and at congestion 1. */
      idleP50: pos().default(2_000),
      saturatedP50: pos().default(400_000),
      /** p75/p50 ratio of the fee distribution (a log-normal). */
      spread: z.number().gt(1).default(4),
    })
    .prefault({}),
  /** Assumption: how a direct (non-bundle) transaction lands. */
  direct: z
    .strictObject({
      /**
       * Median ms from arrival at the RPC to execution by the leader when idle (log-normal,
       * σ 0.5); congestion stretches it by (1 + congestionDelay × congestion): the leader's
       * scheduler queue.
       */
      forwardMs: pos().default(120),
      /** See forwardMs. */
      congestionDelay: z.number().min(0).default(3),
      /** Share of transactions dropped whatever they pay, at full congestion. */
      maxDropAtSaturation: share().default(0.6),
      /** p = (1 − drop) / (1 + (marketP50 / fee)^steepness). */
      steepness: pos().default(1.5),
    })
    .prefault({}),
});

const jitoSchema = z.strictObject({
  /** Block-engine auction cadence, ms. trendflows (secondary source): 200 ms. */
  auctionTickMs: pos().default(cal.AUCTION_TICK_MS),
  /**
   * Bundles tipping less are rejected (`tip_below_minimum`). Alchemy: 1,000 lamports. At least
   * 1: a bundle without a tip is malformed (`validate-submission.ts`), and tips start here.
   */
  minTipLamports: z.number().int().min(1).default(cal.MIN_TIP_LAMPORTS),
  /** Alchemy: up to 5 transactions per bundle (a backrun's target counts). */
  maxBundleTransactions: z.number().int().min(1).default(cal.MAX_BUNDLE_TRANSACTIONS),
  /**
   * Landed-tip percentiles at mean congestion, lamports: a published sample by name (Jito
   * tip_floor samples: bloXroute 2024-04, NextBlock 2025-05), or levels of your own.
   */
  tipFloor: z.union([z.enum(['2024-04', '2025-05']), tipLevels]).default('2025-05'),
  /** Assumption: tips scale by swing^(congestion − mean) (×4 from idle to saturated). */
  congestionSwing: z.number().min(1).default(4),
  /**
   * Assumption: each auction tick, other searchers' bundles set a clearing tip at a uniform
   * quantile in [0, q] of the landed-tip curve, q moving from `idle` to `saturated`.
   */
  clearingQuantile: z
    .strictObject({ idle: share().default(0.05), saturated: share().default(0.4) })
    .prefault({}),
  /** Assumption: cadence of the tip-floor feed. */
  tipFloorIntervalMs: pos().default(10_000),
});

const tokenSchema = z.strictObject({
  /** Names the mint (`sim:<symbol>`) and its pools (`<venue>:<symbol>-SOL`). */
  symbol: z.string().regex(/^[A-Z0-9]{2,10}$/, 'expected 2-10 capital letters or digits'),
  /** Atomic units per token = 10^decimals. */
  decimals: z.number().int().min(0).max(12),
  /** Fair price at start, SOL per whole token. */
  priceSol: pos(),
  /** Quote-side reserve of a depth-share-1 pool at start, SOL. */
  depthSol: pos(),
  /** Geometric Brownian motion: standard deviation of log-price over one hour. */
  volatilityPerHour: z.number().min(0),
  /** Price jumps (Poisson) per hour, and the standard deviation of a jump's log size. */
  jumpsPerHour: z.number().min(0),
  jumpSize: z.number().min(0),
});

/** Every venue lists one pool per token, against SOL. */
const venueSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]{2,20}$/, 'expected 2-20 lowercase letters, digits or -'),
  /** LP fee on the input, basis points. */
  feeBps: z.number().int().min(0).max(1_000),
  /** This venue's pools hold depthShare × the token's depthSol. */
  depthShare: pos(),
  /**
   * The program its pools run (`curve-kinds.ts`); absent: the simulator's own constant product.
   * A live venue's pools are priced by that venue's exact maths, their depth near the price
   * matching a constant-product pool of the same reserves.
   */
  curve: z.enum(CURVE_KINDS).optional(),
});

const marketSchema = z.strictObject({
  /** Default: four illustrative tokens (calibration.ts). */
  tokens: z
    .array(tokenSchema)
    .min(1)
    .default(() => cal.DEFAULT_TOKENS.map((t) => ({ ...t }))),
  /** Default: three constant-product venues (fee tiers in calibration.ts). */
  venues: z
    .array(venueSchema)
    .min(2)
    .default(() => cal.DEFAULT_VENUES.map((v) => ({ ...v }))),
  /** Assumption: uninformed traders, Poisson arrivals, Pareto sizes, 50/50 direction. */
  noise: z
    .strictObject({
      /** Poisson rate over all of a token's pools (picked by depth share). */
      tradesPerMinutePerToken: pos().default(60),
      /** Pareto scale and tail index of a trade's size in SOL (smaller alpha, heavier tail). */
      minSizeSol: pos().default(0.2),
      paretoAlpha: pos().default(1.3),
      /** Cap on one trade, as a share of the pool's quote reserve at start (flow never reads state). */
      maxReserveShare: z.number().gt(0).max(0.5).default(0.03),
    })
    .prefault({}),
  /** Assumption: swaps this large are seen pending shortly before they land. */
  largeSwaps: z
    .strictObject({
      /** Noise trades at least this large (SOL) are announced as pending. */
      thresholdSol: pos().default(5),
      /** How long before landing they are announced, ms (uniform in the range). */
      leadMs: range(150, 600),
      /** Share of announced swaps that never land (their backruns expire). */
      failProbability: share().default(0.03),
    })
    .prefault({}),
  /**
   * Assumption: arbitrageurs outside the modelled competition (CEX–DEX) pull each pool to its
   * fee band around fair value, each slot with this probability, once it strays `extraBps` out.
   */
  externalArb: z
    .strictObject({
      probabilityPerSlot: share().default(0.08),
      extraBps: z.number().min(0).default(15),
    })
    .prefault({}),
  /** A dislocation counts as an opportunity above this profit (before tip and fees). */
  opportunityMinProfitLamports: z.number().int().min(1).default(50_000),
});

const regimeSchema = z.strictObject({
  /** The first N rivals of the population compete in this regime. */
  activeRivals: z.number().int().min(0),
  /** Scales every active rival's detection latency (below 1: faster). */
  latencyMultiplier: pos(),
  /** Scales every active rival's tip share (capped at 0.95 of expected profit). */
  tipShareMultiplier: pos(),
});

/** Assumption, all of it: no published figures describe competing searchers. */
const rivalsSchema = z.strictObject({
  /** Rivals that exist; a regime activates the first `activeRivals` of them. */
  population: z.number().int().min(0).max(1_000).default(12),
  /** Each rival's median detection-to-arrival latency, drawn once in this range (ms). */
  latencyMedianMs: range(20, 250),
  /** Standard deviation of the log latency around a rival's median. */
  latencySigma: z.number().min(0).default(0.5),
  /** Each rival's share of expected profit bid as tip (or priority fee), drawn once. */
  tipShare: range(0.3, 0.85),
  /** Share of rivals that send Jito bundles; the rest send direct transactions. */
  jitoPreference: share().default(0.8),
  /** Chance a rival goes for any one opportunity (its own filters, capital, focus). */
  participation: share().default(0.8),
  /** Rivals ignore plans expected to make less (lamports, before tip and fees). */
  minProfitLamports: z.number().int().min(0).default(50_000),
  /** CU limit of a rival's arbitrage transaction (sets its priority fee in lamports). */
  computeUnitLimit: z.number().int().min(1).max(cal.MAX_COMPUTE_UNITS).default(150_000),
  /**
   * Levels of competition by name: calm (3 slow, cheap rivals), competitive (7), hyper (all
   * 12, twice as fast, tipping 30 % more). A fixed policy fares very differently in each.
   */
  regimes: z.record(z.string().min(1), regimeSchema).default({
    calm: { activeRivals: 3, latencyMultiplier: 1.6, tipShareMultiplier: 0.6 },
    competitive: { activeRivals: 7, latencyMultiplier: 1, tipShareMultiplier: 1 },
    hyper: { activeRivals: 12, latencyMultiplier: 0.5, tipShareMultiplier: 1.3 },
  }),
  /** `markov`: switch to another regime after an exponential dwell; `schedule`: a fixed cycle. */
  switching: z
    .discriminatedUnion('mode', [
      z.strictObject({
        mode: z.literal('markov'),
        meanDwellMinutes: pos().default(12),
        initial: z.string().default('competitive'),
      }),
      z.strictObject({
        mode: z.literal('schedule'),
        schedule: z.array(z.strictObject({ regime: z.string(), minutes: pos() })).min(1),
      }),
    ])
    .default({ mode: 'markov', meanDwellMinutes: 12, initial: 'competitive' }),
});

const agentSchema = z.strictObject({
  /** Median ms from the engine's submit to the block engine or RPC (log-normal, σ 0.3). */
  submitLatencyMs: pos().default(15),
  /** A submission not executed this long after it arrives expires (e.g. its target never landed). */
  expiryMs: pos().default(2_000),
});

export const simConfigSchema = z
  .strictObject({
    /** Same seed and config, same run (virtual pace), bit for bit. */
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(1),
    /**
     * Virtual time at start, ms since the epoch (default 2025-01-01T00:00Z), for backtests.
     * Paper mode (`landfall up`, `landfall agent`) starts at the wall clock instead.
     */
    startTimeMs: z.number().int().min(0).default(cal.DEFAULT_START_MS),
    /** `virtual`: as fast as possible (backtests); `wall`: paced to wall time (`landfall up`). */
    pace: z.enum(['virtual', 'wall']).default('virtual'),
    /** Wall pace only: simulated seconds per wall second. */
    speed: pos().default(1),
    chain: chainSchema.prefault({}),
    jito: jitoSchema.prefault({}),
    market: marketSchema.prefault({}),
    rivals: rivalsSchema.prefault({}),
    agent: agentSchema.prefault({}),
  })
  .superRefine((sim, ctx) => {
    for (const { path, message } of crossFieldProblems(sim))
      ctx.addIssue({ code: 'custom', path, message });
  });

export type SimConfig = z.infer<typeof simConfigSchema>;
export type SimConfigInput = z.input<typeof simConfigSchema>;

/** Validates a `sim` section (partial: defaults fill the rest); errors name the field at fault. */
export function parseSimConfig(raw: unknown = {}): SimConfig {
  const result = simConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `sim.${i.path.join('.')}: ${i.message}`);
  throw new LandfallError('LF_SIM_CONFIG', `invalid simulator config: ${lines.join('; ')}`);
}

/** The landed-tip levels the config names. */
export function tipLevelsOf(config: SimConfig): cal.TipLevels {
  const t = config.jito.tipFloor;
  return typeof t === 'string' ? cal.TIP_FLOOR_SAMPLES[t] : t;
}
