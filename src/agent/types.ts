import type {
  MarketEvent,
  Module,
  PoolSnapshot,
  Route,
  SubmissionOutcome,
  SwapLeg,
} from '../market/types.js';

/**
 * The agent's pipeline, one small interface per role: collectors keep what the market said,
 * strategies turn an event into candidates, a scorer estimates the chance of a profitable
 * landing, the tip and route policies price and place it, an executor (`src/market/types.ts`)
 * carries it out. The engine (`engine.ts`) wires them and measures; nothing here names a
 * simulator, a bus or a chain.
 *
 * Non-goal, permanently: a candidate that reacts to another user's pending swap carries that
 * swap's signature in `afterSignature`, and the engine only ever places it after that swap.
 */

export type StrategyName = 'arb2' | 'arb3' | 'backrun';

/** What the collectors know of the market right now; strategies and policies read it. */
export interface MarketView {
  readonly nowMs: number;
  readonly slot: number;
  readonly leaderRunsJito: boolean;
  readonly leaderSlotsLeft: number;
  /** Whether the leader after this one runs Jito (a bundle that reaches a later tick meets it). */
  readonly nextLeaderRunsJito: boolean;
  /** When the current slot began (its slot event), ms. */
  readonly slotStartMs: number;
  readonly congestion: number;
  /** Going compute-unit prices (µlamports/CU) of recently landed transactions. */
  readonly priorityFeeP50: number;
  readonly priorityFeeP95: number;
  /** Median tip of recently landed bundles, lamports. */
  readonly tipFloorP50: number;
  pool(id: string): PoolSnapshot | undefined;
  /** Pools holding `mint`, in the order first seen. */
  poolsWith(mint: string): readonly PoolSnapshot[];
}

/** Turns market events into the state strategies read. Must be cheap: it runs on the hot path. */
export interface Collector {
  readonly view: MarketView;
  onEvent(event: MarketEvent): void;
}

/** A priced trade a strategy found: the legs to send and what they return, exactly. */
export interface Candidate {
  readonly strategy: StrategyName;
  readonly module: Module;
  /** Pools written, in leg order. */
  readonly pools: readonly string[];
  readonly legs: readonly SwapLeg[];
  readonly inputMint: string;
  readonly inputAmount: bigint;
  /** Quote-mint gain of the legs before tip and fees, exact against the state it was sized on. */
  readonly grossProfitLamports: bigint;
  /** Backrun only: the pending swap this trades after; never placed ahead of it. */
  readonly afterSignature?: string;
  /** Depth of the shallowest pool used, in quote lamports (a feature). */
  readonly minDepthLamports: number;
}

/**
 * Turns an event into candidates (at most a few, best first). A strategy keeps no pool state
 * of its own beyond caches keyed on the view; the collector is the single source of truth.
 */
export interface Strategy {
  readonly name: string;
  readonly module: Module;
  onEvent(event: MarketEvent, view: MarketView): readonly Candidate[];
}

/** A candidate with its features, as scored and published. */
export interface Opportunity extends Candidate {
  readonly id: string;
  readonly atMs: number;
  readonly slot: number;
  /** Name of the feature vector's layout (`features.ts`); models are trained against it. */
  readonly featureSet: string;
  /** The exact vector the scorer saw. */
  readonly features: Float32Array;
}

/**
 * The probability that an opportunity lands profitably, from its feature vector. The
 * heuristic scorer serves until a trained model exists; the model-backed scorer plugs in here
 * (ABI v1: `predict(const float* feats, size_t len)`).
 */
export interface Scorer {
  readonly version: string;
  readonly featureSet: string;
  /**
   * The decision threshold of the model that served the latest score, when it carries one (a
   * trained model's profit-maximising cut); the engine then uses it instead of `minScore`.
   */
  readonly threshold?: number | undefined;
  score(features: Float32Array, module: Module): number;
}

/**
 * Size class of an opportunity by gross profit: < 10⁵, < 10⁶, < 10⁷, ≥ 10⁷ lamports. Larger
 * opportunities draw more rivals, so landing rates are learnt per class where it matters.
 */
export function sizeBucket(grossProfitLamports: bigint): number {
  if (grossProfitLamports < 100_000n) return 0;
  if (grossProfitLamports < 1_000_000n) return 1;
  if (grossProfitLamports < 10_000_000n) return 2;
  return 3;
}
export const SIZE_BUCKETS = 4;

export interface TipContext {
  readonly grossProfitLamports: bigint;
  readonly minTipLamports: bigint;
}

export interface TipChoice {
  /** Index of the arm pulled; passed back to `update`. */
  readonly arm: number;
  readonly tipLamports: bigint;
}

/** Summary of one arm for the metrics stream. */
export interface ArmStat {
  readonly label: string;
  readonly pulls: number;
  readonly meanPayoff: number;
  /** Mean net profit per pull, SOL (0 for a pull that did not land). */
  readonly meanPayoffSol: number;
}

/**
 * Picks a Jito tip from a ladder of arms and learns from outcomes. `payoff` is landed × net
 * profit as a share of the gross profit (so opportunities of any size are comparable);
 * `payoffLamports` the same net profit in lamports, for the metrics only (0 when not given).
 */
export interface TipPolicy {
  readonly name: string;
  choose(context: TipContext): TipChoice;
  update(arm: number, landed: boolean, payoff: number, payoffLamports?: number): void;
  arms(): readonly ArmStat[];
}

/** What one route would cost for this opportunity. */
export interface RouteQuote {
  readonly route: Route;
  readonly tipLamports: bigint;
  /** Base and priority fees the route pays. */
  readonly feeLamports: bigint;
  /** Direct transactions pay fees even when they revert or lose; bundles pay nothing then. */
  readonly feePaidOnFailure: boolean;
}

/** What a route decision is conditioned on (and learnt under). */
export interface RouteFeedback {
  readonly grossProfitLamports: bigint;
  readonly leaderRunsJito: boolean;
}

export interface RouteContext extends RouteFeedback {
  readonly quotes: readonly RouteQuote[];
}

export interface RouteChoice {
  readonly quote: RouteQuote;
  /** The landing probability the choice was made with. */
  readonly pLand: number;
  /** pLand × (gross − tip − fees) − (1 − pLand) × fees paid on failure, lamports. */
  readonly expectedNetLamports: number;
}

/** Picks Jito or direct per decision by expected net profit; learns landing rates. */
export interface RoutePolicy {
  readonly name: string;
  choose(context: RouteContext): RouteChoice;
  update(route: Route, context: RouteFeedback, outcome: SubmissionOutcome): void;
}
