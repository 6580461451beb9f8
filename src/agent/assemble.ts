import { randomBytes } from 'node:crypto';
import type { Market, Module } from '../market/types.js';
import { WSOL_MINT } from '../market/types.js';
import { MarketCollector } from './collector.js';
import { CompetitionSignal } from './competition-signal.js';
import { type AgentSettings, DEFAULT_AGENT_SETTINGS } from './config.js';
import { Engine, type EngineObserver, type SubmissionGate } from './engine.js';
import { JointPolicy } from './joint-policy.js';
import { JOINT_PRIORS, type JointPriors } from './joint-priors.js';
import { DiscountedBetaRoute, EwmaRoute, FixedRoute } from './route-policy.js';
import { HeuristicScorer } from './scorer.js';
import { ArbStrategy, BackrunStrategy } from './strategies.js';
import { BucketedTip, DiscountedThompsonTip, FixedTip, UcbEwmaTip } from './tip-policy.js';
import { betaPriors, ExploringTip, TunableRoute, TunableTip } from './tunable-policy.js';
import type { RoutePolicy, Scorer, TipPolicy } from './types.js';

/**
 * Which policies an agent runs: Landfall's (tip and route chosen together by one learnt model,
 * `joint-policy.ts`), Landfall's earlier pair (discounted Thompson tips + discounted Beta
 * routes, chosen apart), the baselines (UCB over EWMA + EWMA route switch), or one fixed tip
 * share and route (what the backtest's oracle chooses among).
 */
export type PolicyPair =
  | {
      readonly kind: 'landfall';
      /** The joint models' priors per module; default `JOINT_PRIORS` (refits pass their own). */
      readonly priors?: Readonly<Record<Module, JointPriors>>;
    }
  | { readonly kind: 'landfall_split' }
  | { readonly kind: 'baseline' }
  | { readonly kind: 'fixed'; readonly tipShare: number; readonly route: 'jito' | 'direct' };

/** What an agent needs of its market: where submissions go, and the fees that price them. */
export type AgentMarket = Pick<
  Market,
  'executor' | 'minTipLamports' | 'baseFeeLamports' | 'maxAmountIn' | 'resend'
>;

export interface AgentSpec {
  readonly agentId: string;
  /** Part of every event id (see `EngineOptions.runId`); default: a fresh `newRunId()`. */
  readonly runId?: string;
  readonly module: Module;
  readonly market: AgentMarket;
  readonly policy: PolicyPair;
  readonly settings?: AgentSettings;
  readonly observers?: readonly EngineObserver[];
  readonly scorer?: Scorer;
  /** The agent's kill switch and throttle (`control.ts`); none: always running. */
  readonly gate?: SubmissionGate;
  /** Shared by the agents of one process (they meet the same rivals); default: its own. */
  readonly competition?: CompetitionSignal;
  /** Paper exploration share (`EngineOptions.paperExploration`); never on a live market. */
  readonly paperExploration?: number;
}

/** The policies of one agent: a joint policy, or a tip and a route policy. */
export type Policies =
  | { readonly joint: JointPolicy }
  | { readonly tips: TipPolicy; readonly routes: RoutePolicy };

export function policiesFor(
  pair: PolicyPair,
  settings: AgentSettings,
  module: Module,
  competition: CompetitionSignal = new CompetitionSignal(),
): Policies {
  switch (pair.kind) {
    // Tunable: set_policy changes the ladder, exploration and route priors of a running agent.
    case 'landfall':
      return {
        joint: new JointPolicy(
          {
            ladder: settings.tipLadder,
            directLevels: settings.directLevels,
            forget: settings.jointForget,
            auctionTickMs: settings.auctionTickMs,
            slotMs: settings.slotMs,
            thompsonScale: settings.thompsonScale,
            priors: (pair.priors ?? JOINT_PRIORS)[module],
            seed: settings.seed,
          },
          competition,
        ),
      };
    case 'landfall_split':
      return {
        tips: new TunableTip(
          (ladder, exploration) =>
            new BucketedTip(
              (b) =>
                new ExploringTip(
                  new DiscountedThompsonTip(ladder, settings.tipDiscount, settings.seed + b),
                  ladder,
                  exploration,
                  settings.seed + 200 + b,
                ),
              ladder.length,
            ),
          settings.tipLadder,
        ),
        routes: new TunableRoute(
          (priors) =>
            new DiscountedBetaRoute(
              settings.routeDiscount,
              settings.seed + 100,
              1,
              priors === undefined ? {} : betaPriors(priors),
            ),
        ),
      };
    case 'baseline':
      return {
        tips: new TunableTip(
          (ladder, exploration) =>
            new ExploringTip(new UcbEwmaTip(ladder), ladder, exploration, settings.seed + 200),
          settings.tipLadder,
        ),
        routes: new EwmaRoute(),
      };
    case 'fixed':
      return { tips: new FixedTip(pair.tipShare), routes: new FixedRoute(pair.route) };
  }
}

/**
 * A run id: wall-clock milliseconds in base 36 (so ids of later runs sort after earlier ones)
 * and 32 random bits (so two processes started in the same millisecond still differ), 16
 * characters. Wall time on purpose: the simulator's clock starts at the same instant every run.
 */
export function newRunId(): string {
  return `${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}

/** One agent: arbitrage (module arb) or backrun (module mev) strategies behind one engine. */
export function createAgent(spec: AgentSpec): Engine {
  const settings = spec.settings ?? DEFAULT_AGENT_SETTINGS;
  const strategyOptions = {
    quoteMint: WSOL_MINT,
    minProfitLamports: BigInt(settings.minProfitLamports),
    ...(spec.market.maxAmountIn === undefined ? {} : { maxAmountIn: spec.market.maxAmountIn }),
  };
  const strategy =
    spec.module === 'arb' ? new ArbStrategy(strategyOptions) : new BackrunStrategy(strategyOptions);
  return new Engine({
    agentId: spec.agentId,
    runId: spec.runId ?? newRunId(),
    module: spec.module,
    collector: new MarketCollector(),
    strategies: [strategy],
    scorer: spec.scorer ?? new HeuristicScorer(),
    ...policiesFor(spec.policy, settings, spec.module, spec.competition),
    ...(spec.paperExploration === undefined ? {} : { paperExploration: spec.paperExploration }),
    executor: spec.market.executor,
    observers: spec.observers ?? [],
    ...(spec.gate === undefined ? {} : { gate: spec.gate }),
    minScore: settings.minScore,
    // Read per decision: a live market follows the tip floor.
    minTipLamports: () => BigInt(spec.market.minTipLamports),
    baseFeeLamports: BigInt(spec.market.baseFeeLamports),
    resendPerSlot: (spec.market.resend ?? 'per-slot') === 'per-slot',
    computeUnitLimit: settings.computeUnitLimit,
  });
}
