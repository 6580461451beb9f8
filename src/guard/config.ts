import { z } from 'zod';

/**
 * The `guard` config section: the SLOs the guard holds each module to, how it judges them
 * (rolling windows and burn rates), and what it does about a violation. Every threshold is
 * per module (`arb`, `mev`) and judged over the agents' 1 s MetricsUpdate stream.
 *
 * Burn rate (Google SRE workbook, "multiwindow, multi-burn-rate alerts"): the share of bad
 * events in a window divided by the share the SLO allows (its error budget). A burn rate of 1
 * is exactly at the SLO. The guard trips only when the slow window AND the fast window both
 * burn at least their factor: the slow window makes a brief blip too small to count, the fast
 * window makes a burn that has already stopped too stale to act on.
 */
const burnSchema = (fast: number, slow: number) =>
  z
    .strictObject({
      /** Burn rate over the fast window at or above which the SLO counts as burning now. */
      fast: z.number().positive().max(1_000).default(fast),
      /** Burn rate over the slow window (the SLO window) at or above which it is violated. */
      slow: z.number().positive().max(1_000).default(slow),
    })
    .prefault({});

export const guardConfigSchema = z
  .strictObject({
    /** Run the guard (inside `landfall up`; `landfall guard` runs it regardless). */
    enabled: z.boolean().default(true),
    /** The SLO window, also the slow burn-rate window, ms. */
    windowMs: z.number().int().min(1_000).max(3_600_000).default(30_000),
    /** The fast burn-rate window, ms; must be shorter than windowMs. */
    fastWindowMs: z.number().int().min(1_000).max(3_600_000).default(5_000),
    /** How often the guard evaluates every module (on its clock), ms. */
    evaluateEveryMs: z.number().int().min(100).max(60_000).default(1_000),
    /**
     * At or above this many events in the slow window, the observed share of bad events decides
     * (the burn-rate rule). Below it, the window must also be conclusively past the trip line
     * (factor × budget) at `confidence`, by an exact binomial test (the Clopper–Pearson bound):
     * so a searcher making a few submissions a minute is judged on evidence (6 of 6 lost trips
     * landed > 70 %; 2 of 3 lost does not) instead of never. At low volume an empty fast window
     * does not clear a burn either: no new event is no sign the burn stopped.
     */
    minSamples: z.number().int().min(1).max(1_000_000).default(20),
    /**
     * One-sided confidence of that test, in (0.5, 1): at 0.95 a window under `minSamples`
     * trips only when a module exactly at its trip line would show that many bad events or
     * more less than 5 % of the time.
     */
    confidence: z.number().gt(0.5).lt(1).default(0.95),
    /** An agent whose last update is older than this is left out of its module's windows, ms. */
    staleAfterMs: z.number().int().min(1_000).max(3_600_000).default(5_000),
    slo: z
      .strictObject({
        /**
         * Hot path (event received → submission built) p99 must stay under this, ms. Judged as
         * "at most 1 % of hot paths slower than it" (the budget of a p99), from the agents'
         * counts of slow hot paths.
         */
        hotpathP99Ms: z.number().positive().max(60_000).default(20),
        /** Landed share of decided submissions must stay above this, percent. Budget: 100 − it. */
        landedMinPct: z.number().min(0).lt(100).default(70),
        /**
         * On a paper market (`mode: paper`) these replace `landedMinPct` and `negEvMaxRate`.
         * Defaults 0 and 1: shown but never judged there. The simulator's contested auctions
         * land 15–30 % of submissions (one winner per conflicting bundle set), and a direct
         * transaction that is included but beaten to the pools still pays its fee, which
         * counts as an outcome that lost money: both normal on that market, so production
         * objectives (70 %, 1 %) would read them as a permanent violation and kill the paper
         * agents within minutes. The hot path is judged as live. Set them to judge paper runs.
         */
        paperLandedMinPct: z.number().min(0).lt(100).default(0),
        paperNegEvMaxRate: z.number().gt(0).max(1).default(1),
        /** Share of decided submissions that lost money must stay under this. Budget: it. */
        negEvMaxRate: z.number().gt(0).max(1).default(0.01),
      })
      .prefault({}),
    /**
     * Burn-rate factors per SLO. Defaults: hot path and negative EV (1 % budgets) trip at 10×
     * — at least 10 % of events bad over the window and over the last fast window, so an
     * all-bad blip must last 10 % of the window (3 s of 30 s) to count; landed (30 % budget)
     * trips when the window itself is under the SLO (1×) and the fast window is at 1.5×.
     */
    burn: z
      .strictObject({
        hotpath: burnSchema(10, 10),
        landed: burnSchema(1.5, 1),
        negEv: burnSchema(10, 10),
      })
      .prefault({}),
    /** What a throttle command asks of the agents. */
    throttle: z
      .strictObject({
        /** Share of the would-be submissions still sent, in (0, 1]. */
        rateFraction: z.number().gt(0).max(1).default(0.5),
        /** Added to the agents' score threshold, in [0, 1]. */
        thresholdRaise: z.number().min(0).max(1).default(0.1),
      })
      .prefault({}),
    escalation: z
      .strictObject({
        /**
         * `throttle_then_kill`: throttle first, kill when severe or persisting;
         * `throttle_only`: never kill; `kill`: kill at once; `observe`: report, send nothing.
         */
        policy: z
          .enum(['throttle_then_kill', 'throttle_only', 'kill', 'observe'])
          .default('throttle_then_kill'),
        /** Still tripping this long after the guard's throttle: kill, ms. */
        killAfterMs: z.number().int().min(0).max(3_600_000).default(10_000),
        /** Slow burn at least this multiple of its factor is severe: kill without waiting. */
        severeMultiple: z.number().min(1).max(1_000).default(4),
        /** The guard's throttles of one module within memoryMs before the next one is a kill. */
        maxThrottles: z.number().int().min(1).max(100).default(2),
        memoryMs: z.number().int().min(1_000).max(86_400_000).default(300_000),
      })
      .prefault({}),
    /**
     * Hysteresis: consecutive healthy evaluations (no slow window at or over its factor)
     * before a module counts as recovered and the guard lifts its own throttle. A kill is
     * never lifted by the guard: it stays until an operator resumes.
     */
    recoveryEvaluations: z.number().int().min(1).max(10_000).default(5),
  })
  .refine((g) => g.fastWindowMs < g.windowMs, {
    message: 'fastWindowMs must be shorter than windowMs',
    path: ['fastWindowMs'],
  });

export type GuardConfig = z.infer<typeof guardConfigSchema>;

/** The guard's settings for a market of `mode`: on paper, the paper objectives. */
export function guardConfigFor(guard: GuardConfig, mode: string): GuardConfig {
  if (mode !== 'paper') return guard;
  const { paperLandedMinPct, paperNegEvMaxRate } = guard.slo;
  return {
    ...guard,
    slo: { ...guard.slo, landedMinPct: paperLandedMinPct, negEvMaxRate: paperNegEvMaxRate },
  };
}
export type GuardConfigInput = z.input<typeof guardConfigSchema>;
export type SloName = keyof GuardConfig['burn'];
