import { z } from 'zod';
import { DEFAULT_TIP_LADDER } from './tip-policy.js';

/** The `agent` config section: what every agent (arb and mev) runs with. */
export const agentConfigSchema = z.strictObject({
  /** Tip and route policies: Landfall's, or the baselines they are compared against. */
  policy: z.enum(['landfall', 'baseline']).default('landfall'),
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
    seed: config.seed,
  };
}

/** The schema's defaults: one definition for configs, backtests and tests. */
export const DEFAULT_AGENT_SETTINGS: AgentSettings = settingsFrom(agentConfigSchema.parse({}));
