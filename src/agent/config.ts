import { z } from 'zod';
import { LandfallError } from '../errors.js';
import { DEFAULT_DIRECT_LEVELS } from './joint-policy.js';
import { DEFAULT_TIP_LADDER } from './tip-policy.js';

/** The `agent` config section: what every agent (arb and mev) runs with. */
export const agentConfigSchema = z.strictObject({
  /**
   * Tip and route policies: Landfall's joint model, Landfall's earlier pair (tip and route
   * chosen apart), or the baselines they are compared against.
   */
  policy: z.enum(['landfall', 'landfall_split', 'baseline']).default('landfall'),
  /** Candidates below this gross profit (lamports, before tip and fees) are ignored. */
  minProfitLamports: z.number().int().min(1).default(50_000),
  /** Opportunities the scorer gives less than this chance of paying are skipped. */
  minScore: z.number().min(0).max(1).default(0.02),
  /** CU limit of an arbitrage transaction (prices the direct route's priority fee). */
  computeUnitLimit: z.number().int().min(1).max(1_400_000).default(150_000),
  /** Tip arms, as shares of the gross profit (floored at the minimum tip). */
  tipLadder: z
    .array(z.number().gt(0).lt(1))
    .min(1)
    .default(() => [...DEFAULT_TIP_LADDER]),
  /** Per-update evidence discount of the Thompson tip bandit (memory ≈ 1/(1 − d) updates). */
  tipDiscount: z.number().gt(0).max(1).default(0.97),
  /** Per-update evidence discount of the route posteriors. */
  routeDiscount: z.number().gt(0).max(1).default(0.995),
  /** Per-outcome evidence retention of the joint policy's models (memory ≈ 1/(1 − f)). */
  jointForget: z.number().gt(0).max(1).default(0.998),
  /**
   * Spread of the joint policy's Thompson draws as a multiple of the posterior's: 1 is plain
   * Thompson sampling; 0.5 (tuned on seeds 1–14 and validation seeds 101–128, where 0.3–0.75
   * did alike and 1 worse) explores less where a wrong bid costs real profit.
   */
  thompsonScale: z.number().min(0).max(2).default(0.5),
  /** Direct compute-unit price levels the joint policy prices, as multiples of the going p95. */
  directLevels: z
    .array(z.number().gt(0).max(100))
    .min(1)
    .default(() => [...DEFAULT_DIRECT_LEVELS]),
  /** The block engine's auction tick and the slot length, ms (when a bundle meets a leader). */
  auctionTickMs: z.number().int().min(1).default(200),
  slotMs: z.number().int().min(1).default(400),
  /**
   * Paper mode only: the share of would-be-skipped opportunities sent anyway as a bundle at
   * the minimum tip, flagged `explore` in telemetry, so trained models see both sides of the
   * gate. Refused on a live market.
   */
  paperExploration: z.number().min(0).max(0.5).default(0),
  /** Seeds the policies' sampling, so a backtest decides the same way each run. */
  seed: z.number().int().min(0).default(1),
  /** Cadence of the MetricsUpdate stream, ms. */
  metricsIntervalMs: z.number().int().min(100).default(1_000),
  /**
   * CPUs the agent's hot thread (Node's main thread) is pinned to; [] leaves it where the
   * scheduler puts it. Use isolated CPUs (`landfall doctor`, deploy/kernel/cmdline.conf).
   */
  cpus: z.array(z.number().int().min(0).max(1023)).default([]),
  /**
   * Scheduling of the hot thread when permitted: `normal` leaves it; `nice` sets nice −10;
   * `fifo` runs it SCHED_FIFO at `rtPriority` (needs CAP_SYS_NICE; a busy FIFO thread starves
   * its CPU, so only on isolated CPUs).
   */
  priority: z.enum(['normal', 'nice', 'fifo']).default('normal'),
  /** The SCHED_FIFO priority `fifo` asks for (1-99; threaded IRQ handlers run at 50). */
  rtPriority: z.number().int().min(1).max(99).default(10),
});

export type AgentConfig = z.infer<typeof agentConfigSchema>;

/** The `agent` config section, as the engine needs it. */
export interface AgentSettings {
  readonly minProfitLamports: number;
  readonly minScore: number;
  readonly computeUnitLimit: number;
  readonly tipLadder: readonly number[];
  readonly tipDiscount: number;
  readonly routeDiscount: number;
  readonly jointForget: number;
  readonly thompsonScale: number;
  readonly directLevels: readonly number[];
  readonly auctionTickMs: number;
  readonly slotMs: number;
  readonly seed: number;
}

export function settingsFrom(config: AgentConfig): AgentSettings {
  return {
    minProfitLamports: config.minProfitLamports,
    minScore: config.minScore,
    computeUnitLimit: config.computeUnitLimit,
    tipLadder: config.tipLadder,
    tipDiscount: config.tipDiscount,
    routeDiscount: config.routeDiscount,
    jointForget: config.jointForget,
    thompsonScale: config.thompsonScale,
    directLevels: config.directLevels,
    auctionTickMs: config.auctionTickMs,
    slotMs: config.slotMs,
    seed: config.seed,
  };
}

/** The schema's defaults: one definition for configs, backtests and tests. */
export const DEFAULT_AGENT_SETTINGS: AgentSettings = settingsFrom(agentConfigSchema.parse({}));

/**
 * The paper exploration share an agent may run with: exploring sends would-be-skipped
 * opportunities that mostly lose, which paper trading can afford and live money cannot.
 */
export function paperExplorationOf(config: AgentConfig, mode: string): number {
  const share = config.paperExploration;
  if (share > 0 && mode !== 'paper') {
    throw new LandfallError(
      'LF_CONFIG_INVALID',
      `agent.paperExploration ${share}: exploration sends would-be-skipped opportunities at the minimum tip, so it runs in paper mode only (mode is ${mode}); set it to 0`,
    );
  }
  return share;
}
