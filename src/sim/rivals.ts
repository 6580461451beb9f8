import { type ArbPlan, arbLegs, bestArb, planBackrun } from '../market/arb.js';
import { type Route, type Submission, WSOL_MINT } from '../market/types.js';
import type { KeyedStreams } from '../random/keyed.js';
import type { Chain } from './chain.js';
import type { SimConfig } from './config.js';
import type { SimContext, Trader } from './context.js';
import type { Flow } from './flow.js';
import type { Landing } from './landing.js';
import type { Opportunity } from './opportunities.js';
import type { PoolLedger } from './pools.js';
import type { Regime, Regimes } from './regimes.js';

interface Rival {
  readonly trader: Trader;
  readonly latencyMedianMs: number;
  readonly tipShare: number;
  readonly route: Route;
  /** Per opportunity (its `key`): whether this rival joins, and its latency. */
  readonly draws: KeyedStreams;
  count: number;
}

/**
 * The competing searchers. Each rival's traits (median latency, tip share, route) are drawn
 * once from its own stream; the regime in force decides how many of them compete (the first
 * `activeRivals`), and scales their latency and tip share. For each opportunity the market
 * opens, every active rival joins with probability `participation`, sees it after its
 * detection latency, re-plans on the pools as they are then (or as they will be after a
 * pending target), and submits through the same landing path as the agent: a bundle tipping
 * its share of the profit, or a direct transaction paying the going p95 priority fee.
 * A rival's draws for an opportunity come from that opportunity's own stream: whether it joins
 * and how fast it is do not depend on which other opportunities the agent's trades opened or
 * closed before.
 */
export class Rivals {
  private readonly rivals: Rival[] = [];
  private readonly minTip: bigint;
  private readonly baseFee: bigint;

  constructor(
    private readonly ctx: SimContext,
    private readonly config: SimConfig,
    private readonly pools: PoolLedger,
    private readonly flow: Flow,
    private readonly chain: Chain,
    private readonly regimes: Regimes,
    private readonly landing: Landing,
  ) {
    const r = config.rivals;
    for (let i = 0; i < r.population; i++) {
      const traits = ctx.rng(`rivals/${i}/traits`);
      this.rivals.push({
        trader: { id: `rival-${String(i).padStart(2, '0')}`, searcher: true },
        latencyMedianMs: traits.uniform(r.latencyMedianMs.min, r.latencyMedianMs.max),
        tipShare: traits.uniform(r.tipShare.min, r.tipShare.max),
        route: traits.chance(r.jitoPreference) ? 'jito' : 'direct',
        draws: ctx.keyed(`rivals/${i}`),
        count: 0,
      });
    }
    this.minTip = BigInt(config.jito.minTipLamports);
    this.baseFee = BigInt(config.chain.baseFeeLamports);
  }

  onOpportunity(opp: Opportunity): void {
    const regime = this.regimes.current();
    const { participation, latencySigma } = this.config.rivals;
    for (let i = 0; i < regime.activeRivals; i++) {
      const rival = this.rivals[i] as Rival;
      const rng = rival.draws.at(opp.key);
      if (!rng.chance(participation)) continue;
      const latency = rng.lognormal(rival.latencyMedianMs * regime.latencyMultiplier, latencySigma);
      this.ctx.at(this.ctx.scheduler.now() + latency, () => this.act(rival, opp, regime));
    }
  }

  private act(rival: Rival, opp: Opportunity, regime: Regime): void {
    const target = opp.target;
    if (target !== undefined && this.flow.status(target.signature) === 'failed') return;
    const plan = this.plan(opp);
    if (plan === null || plan.profit < BigInt(this.config.rivals.minProfitLamports)) return;
    const share = Math.min(0.95, rival.tipShare * regime.tipShareMultiplier);
    const bid = BigInt(Math.floor(Number(plan.profit) * share));
    const cuLimit = this.config.rivals.computeUnitLimit;
    const jito = rival.route === 'jito';
    const tip = jito ? (bid > this.minTip ? bid : this.minTip) : 0n;
    // Direct: the going p95 compute-unit price (scaled like tips by the regime), within budget.
    const going = BigInt(Math.ceil(this.chain.priorityFeeLevels().p95 * regime.tipShareMultiplier));
    const budget = (bid * 1_000_000n) / BigInt(cuLimit);
    const priority = jito ? 0n : going < budget ? going : budget;
    if (tip + this.baseFee >= plan.profit) return;
    const sub: Submission = {
      id: `${rival.trader.id}:${rival.count++}`,
      opportunityId: opp.id,
      module: opp.kind === 'backrun' ? 'mev' : 'arb',
      route: rival.route,
      legs: arbLegs(plan),
      tipLamports: tip,
      priorityFeeMicroLamports: priority,
      computeUnitLimit: cuLimit,
      transactions: 1,
      signatures: 1,
      ...(target === undefined ? {} : { afterSignature: target.signature }),
    };
    // Detection latency already includes the trip to the block engine or RPC.
    this.landing.submit(sub, rival.trader, this.ctx.scheduler.now());
  }

  private plan(opp: Opportunity): ArbPlan | null {
    const peers = this.pools.poolsOf(opp.token);
    const target = opp.target;
    if (target === undefined) return bestArb(peers, WSOL_MINT);
    const pool = this.pools.get(target.pool);
    if (pool === undefined) return null;
    if (this.flow.status(target.signature) === 'pending')
      return planBackrun(pool, target.direction, target.amountIn, peers, WSOL_MINT);
    return bestArb(peers, WSOL_MINT, { mustUse: target.pool });
  }
}
