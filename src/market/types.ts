/**
 * What the agent engine sees of a market, and how it acts on it. The simulator (`src/sim`)
 * implements these interfaces, and so will the live Solana adapters (`src/solana`): the engine
 * must not be able to tell them apart, so nothing here names a simulator concept.
 *
 * Amounts are bigint atomic units (lamports for SOL) on every path that decides money, so a
 * landing is exact; float helpers for sizing live in `cpmm.ts` and `arb.ts`.
 *
 * Non-goal, permanently: nothing here can place a transaction ahead of another user's. A
 * backrun names the pending swap it must land *after* (`Submission.afterSignature`).
 */

import type { PoolCurve } from './curve.js';

/** The wrapped SOL mint: the quote asset every profit is measured in. */
export const WSOL_MINT = 'So11111111111111111111111111111111111111112';

export type Route = 'jito' | 'direct';
/** `arb`: dislocation between pools; `mev`: backrun of a pending large swap. */
export type Module = 'arb' | 'mev';
/** Which reserve a swap pays into: `aToB` spends mint A and receives mint B. */
export type SwapDirection = 'aToB' | 'bToA';

/** A constant-product pool as last seen. Reserves in atomic units of each mint. */
export interface PoolSnapshot {
  readonly id: string;
  readonly venue: string;
  readonly mintA: string;
  readonly mintB: string;
  readonly reserveA: bigint;
  readonly reserveB: bigint;
  /** LP fee taken on the input amount, in basis points. */
  readonly feeBps: number;
  /**
   * The program's exact curve, where the pool is not the plain constant product above: then
   * `reserveA`/`reserveB` are its virtual reserves at the current price (for display, features
   * and rate bounds) and every amount that decides money comes from `curve`.
   */
  readonly curve?: PoolCurve;
}

/** Levels of a fee or tip distribution at one moment. */
export interface Percentiles {
  readonly p25: number;
  readonly p50: number;
  readonly p75: number;
  readonly p95: number;
  readonly p99: number;
}

/** A new slot began. Sent before any other event of that slot. */
export interface SlotEvent {
  readonly kind: 'slot';
  readonly atMs: number;
  readonly slot: number;
  readonly leader: string;
  /** Only a leader running the Jito client lands bundles. */
  readonly leaderRunsJito: boolean;
  /** Slots this leader still holds after this one. */
  readonly leaderSlotsLeft: number;
  readonly nextLeader: string;
  readonly nextLeaderRunsJito: boolean;
}

/** A pool's reserves changed (or, at start, its initial state: every pool is sent once first). */
export interface PoolEvent {
  readonly kind: 'pool';
  readonly atMs: number;
  readonly slot: number;
  readonly pool: PoolSnapshot;
}

/** A large swap was seen before it landed: the flow a backrun reacts to. It may never land. */
export interface PendingSwapEvent {
  readonly kind: 'pendingSwap';
  readonly atMs: number;
  readonly signature: string;
  readonly pool: string;
  readonly direction: SwapDirection;
  readonly amountIn: bigint;
  /** The slot the swap was seen in (a live stream says; the simulator's swaps have none). */
  readonly slot?: number;
  /**
   * The pool as the swap leaves it, priced by the venue's exact maths where the source knows
   * them; absent, a strategy applies the swap to the pool itself (constant product, `feeBps`).
   */
  readonly poolAfter?: PoolSnapshot;
}

/** A swap executed on chain (anyone's, searchers' legs included). */
export interface LandedSwapEvent {
  readonly kind: 'landedSwap';
  readonly atMs: number;
  readonly slot: number;
  readonly signature: string;
  readonly pool: string;
  readonly direction: SwapDirection;
  readonly amountIn: bigint;
  readonly amountOut: bigint;
  /** Who paid for the transaction (its fee payer), where the source knows it. */
  readonly signer?: string;
}

/** Network congestion and the priority fee it takes to land a plain transaction. */
export interface FeeLevelEvent {
  readonly kind: 'fees';
  readonly atMs: number;
  readonly slot: number;
  /** 0 = idle, 1 = saturated. */
  readonly congestion: number;
  /** Compute-unit prices paid by recently landed transactions, micro-lamports per CU. */
  readonly priorityFeeMicroLamports: Percentiles;
}

/** Tips paid by recently landed bundles, as Jito's tip-floor feed reports them. */
export interface TipFloorEvent {
  readonly kind: 'tipFloor';
  readonly atMs: number;
  readonly landedTipLamports: Percentiles;
  readonly emaP50Lamports: number;
}

export type MarketEvent =
  | SlotEvent
  | PoolEvent
  | PendingSwapEvent
  | LandedSwapEvent
  | FeeLevelEvent
  | TipFloorEvent;

/** May return a promise; see `MarketSource` for what a source does with it. */
export type MarketEventHandler = (event: MarketEvent) => void | Promise<void>;

/**
 * Delivers market events in time order, one handler call at a time.
 * - `start` sends every pool's current state first, then live events.
 * - A source may wait for a returned promise before the next event (the simulator does, so
 *   virtual time stands still while the engine thinks); a live source may not. Handlers must
 *   be fast either way.
 * - A handler that throws ends the source: `ended` rejects with that error.
 */
export interface MarketSource {
  /** Starts delivery to `handler`; resolves once started. A source is started once. */
  start(handler: MarketEventHandler): Promise<void>;
  /**
   * Stops delivery; resolves when no handler call is running, so a handler may call it but
   * must not await it. Idempotent.
   */
  stop(): Promise<void>;
  /** Settles when the source ends: a backtest reached its horizon, `stop()`, or a failure. */
  readonly ended: Promise<void>;
}

/** One swap of a submission; legs run in order inside one atomic unit. */
export interface SwapLeg {
  readonly pool: string;
  readonly direction: SwapDirection;
  /** Input amount, or `'previous'`: spend exactly what the previous leg returned. */
  readonly amountIn: bigint | 'previous';
  /** The leg (and so the whole submission) reverts if it returns less. */
  readonly minAmountOut: bigint;
}

export interface Submission {
  /** Unique per executor. */
  readonly id: string;
  readonly opportunityId: string;
  readonly module: Module;
  readonly route: Route;
  readonly legs: readonly SwapLeg[];
  /** Jito tip; must be 0 for `direct`. */
  readonly tipLamports: bigint;
  /** Compute-unit price, micro-lamports per CU. */
  readonly priorityFeeMicroLamports: bigint;
  readonly computeUnitLimit: number;
  /** The searcher's own transactions (a bundle holds at most 5, a backrun's target included). */
  readonly transactions: number;
  /** Signatures paid for (base fee each); at least `transactions`. */
  readonly signatures: number;
  /** Backrun only: the pending swap this must land after. Never placed ahead of it. */
  readonly afterSignature?: string;
}

/**
 * Why a submission did not land. `slippage`: a leg's `minAmountOut` failed because the pool
 * moved, with no rival trade on it; `rival_first`: a rival's trade moved it first;
 * `rejected`: the block engine refused the bundle as invalid before any auction;
 * `market_condition`: skipped before the send because the market no longer allows it as built
 * (a leg that no longer pays, a transaction that cannot fit). Which of these teach the tip and
 * route policies is decided in one place: `src/agent/learning.ts`.
 */
export type FailureReason =
  | 'auction_lost'
  | 'rival_first'
  | 'not_jito_leader'
  | 'dropped'
  | 'expired'
  | 'slippage'
  | 'tip_below_minimum'
  | 'rejected'
  | 'market_condition';

export interface SubmissionOutcome {
  readonly submissionId: string;
  readonly opportunityId: string;
  readonly module: Module;
  readonly route: Route;
  readonly landed: boolean;
  /** The slot it landed in, or where it was decided (lost, dropped, reverted). */
  readonly slot: number;
  readonly leader: string;
  /** Quote-mint gain of the legs minus tip and fees; negative when fees bought nothing. */
  readonly profitLamports: bigint;
  /** Tip paid: 0 unless a bundle landed. */
  readonly tipLamports: bigint;
  /** Base and priority fees paid (a direct transaction that reverts still pays them). */
  readonly feeLamports: bigint;
  readonly failure: FailureReason | null;
  /** Submission → outcome known, on the source's clock. */
  readonly latencyMs: number;
  /**
   * The network send alone, ms, as the executor timed it around the send itself (sendBundle,
   * sendTransaction, the dry run's simulation; the simulator's modelled delay to the block
   * engine or leader). Absent when nothing was sent (refused before the send).
   */
  readonly sendLatencyMs?: number;
  readonly atMs: number;
}

/** Carries submissions out. Rejects only for a malformed submission (`LF_MARKET_SUBMISSION_INVALID`). */
export interface Executor {
  submit(submission: Submission): Promise<SubmissionOutcome>;
}

/** Time as the market source keeps it: virtual in a backtest, wall time live. */
export interface Clock {
  /** Milliseconds since the Unix epoch on this clock's timeline. */
  now(): number;
  /** Calls `fn` once, `delayMs` from now on this timeline; returns a function that cancels it. */
  schedule(delayMs: number, fn: () => void): () => void;
}

/**
 * A market adapter: the one thing an agent runner is given. The simulator (`src/sim/market.ts`)
 * and Solana (`src/solana/market.ts`) implement it; the runner and the engine cannot tell them
 * apart. Rules every adapter keeps (checked by `contract.ts`):
 * - `source` delivers events in time order on `clock`; `executor` refuses a malformed
 *   submission with `LF_MARKET_SUBMISSION_INVALID` (`validate-submission.ts`) and answers every
 *   accepted one with exactly one outcome, stamped on `clock`.
 * - `stop()` stops the source and releases what the adapter owns; it resolves when no handler
 *   call is running and is idempotent.
 */
export interface Market {
  /** Where the market comes from, for agent ids and logs: `paper-<seed>`, `live-<wallet>`. */
  readonly tag: string;
  readonly source: MarketSource;
  readonly executor: Executor;
  readonly clock: Clock;
  /**
   * The smallest tip a bundle may carry, lamports. Read per decision: a live market follows the
   * tip floor, so the value may change between reads.
   */
  readonly minTipLamports: number;
  /** Base fee per signature, lamports. */
  readonly baseFeeLamports: number;
  /** Largest quote-mint input a candidate may be sized to (live trading's cap); none: any. */
  readonly maxAmountIn?: bigint;
  /**
   * When an agent may send on a pool again: `per-slot` (default) — a bundle lives for one
   * auction, so an opportunity still there next slot is sent again; `after-outcome` — pools
   * wait for each submission's outcome. The simulator holds until the outcome for now: with
   * per-slot re-sends the policies, tuned without them, earned less there (seed 1, 60 min:
   * 2.36 against 3.44 SOL; re-sent bundles on contested opportunities lose their auctions), and
   * paper results stay comparable with the baselines measured before. A direct transaction
   * always holds its pools until its outcome (it may still land in a later slot).
   */
  readonly resend?: 'per-slot' | 'after-outcome';
  /** Banner lines: where events come from and where submissions go. */
  describe(): readonly string[];
  /** End-of-run lines: what the market saw and did. */
  summary(): readonly string[];
  stop(): Promise<void>;
}
