import { type ArbPlan, arbLegs, bestArb, planBackrun, tokenOf } from '../market/arb.js';
import {
  type Executor,
  type MarketEvent,
  type PoolSnapshot,
  type Route,
  type Submission,
  type SubmissionOutcome,
  WSOL_MINT,
} from '../market/types.js';
import { BASE_FEE_LAMPORTS, MIN_TIP_LAMPORTS } from './calibration.js';

/** Which route the reference searcher takes: always one, or Jito when the current leader runs it. */
export type ReferenceRoute = Route | 'auto';

export interface ReferenceOptions {
  route: ReferenceRoute;
  /** Share of expected profit bid: the tip (Jito), or the cap on the priority fee (direct). */
  tipShare: number;
  minProfitLamports: bigint;
  computeUnitLimit: number;
}

export const DEFAULT_REFERENCE: ReferenceOptions = {
  route: 'jito',
  tipShare: 0.5,
  minProfitLamports: 50_000n,
  computeUnitLimit: 150_000,
};

export interface ReferenceReport {
  seen: { arb: number; backrun: number };
  submitted: number;
  outcomes: SubmissionOutcome[];
}

/**
 * The simulator's reference searcher: a fixed tip share and route, the yardstick `landfall sim`
 * reports the market with (the agents' policies are compared in `src/agent/backtest.ts`). It
 * knows the market only through the MarketSource events and the Executor, as any agent must. A
 * bundle tips `tipShare` of the expected profit; a direct transaction pays the going p95
 * priority fee, capped at that share. It takes every opportunity it sees above
 * `minProfitLamports`: an arbitrage between two pools of a token, or a backrun of
 * a pending large swap, keeping at most one submission in flight per token.
 */
export class ReferenceSearcher {
  private readonly pools = new Map<string, PoolSnapshot>();
  private readonly poolsOfToken = new Map<string, string[]>();
  private readonly inFlight = new Set<string>();
  private readonly profitable = new Set<string>();
  private leaderRunsJito = true;
  private goingPriorityFee = 0n;
  private count = 0;
  private failure: unknown;
  readonly report: ReferenceReport = { seen: { arb: 0, backrun: 0 }, submitted: 0, outcomes: [] };

  constructor(
    private readonly executor: Executor,
    private readonly options: ReferenceOptions = DEFAULT_REFERENCE,
  ) {}

  /** The MarketEventHandler to start a source with. */
  readonly handle = (event: MarketEvent): void => {
    // A rejected submission is a bug in this searcher: end the run with it.
    if (this.failure !== undefined) throw this.failure;
    switch (event.kind) {
      case 'slot':
        this.leaderRunsJito = event.leaderRunsJito;
        return;
      case 'fees':
        this.goingPriorityFee = BigInt(Math.ceil(event.priorityFeeMicroLamports.p95));
        return;
      case 'pool':
        this.onPool(event.pool);
        return;
      case 'pendingSwap':
        this.onPending(event.signature, event.pool, event.direction, event.amountIn);
        return;
      default:
        return;
    }
  };

  private onPool(pool: PoolSnapshot): void {
    const token = tokenOf(pool, WSOL_MINT);
    if (token === null) return;
    if (!this.pools.has(pool.id))
      this.poolsOfToken.set(token, [...(this.poolsOfToken.get(token) ?? []), pool.id]);
    this.pools.set(pool.id, pool);
    const plan = bestArb(this.peers(token), WSOL_MINT);
    if (plan === null || plan.profit < this.options.minProfitLamports) {
      this.profitable.delete(token);
      return;
    }
    if (!this.profitable.has(token)) this.report.seen.arb++;
    this.profitable.add(token);
    if (!this.inFlight.has(token)) this.submit(token, plan, `arb-${this.count}`);
  }

  private onPending(
    signature: string,
    poolId: string,
    direction: 'aToB' | 'bToA',
    amountIn: bigint,
  ): void {
    const pool = this.pools.get(poolId);
    const token = pool === undefined ? null : tokenOf(pool, WSOL_MINT);
    if (pool === undefined || token === null) return;
    const plan = planBackrun(pool, direction, amountIn, this.peers(token), WSOL_MINT);
    if (plan === null || plan.profit < this.options.minProfitLamports) return;
    this.report.seen.backrun++;
    if (!this.inFlight.has(token)) this.submit(token, plan, `backrun-${signature}`, signature);
  }

  private submit(token: string, plan: ArbPlan, opportunityId: string, after?: string): void {
    const { tipShare, computeUnitLimit } = this.options;
    const route: Route =
      this.options.route === 'auto'
        ? this.leaderRunsJito
          ? 'jito'
          : 'direct'
        : this.options.route;
    const bid = BigInt(Math.floor(Number(plan.profit) * tipShare));
    const minTip = BigInt(MIN_TIP_LAMPORTS);
    const tip = route === 'jito' ? (bid > minTip ? bid : minTip) : 0n;
    if (tip + BigInt(BASE_FEE_LAMPORTS) >= plan.profit) return;
    const submission: Submission = {
      id: `agent-${this.count++}`,
      opportunityId,
      module: after === undefined ? 'arb' : 'mev',
      route,
      legs: arbLegs(plan),
      tipLamports: tip,
      priorityFeeMicroLamports: route === 'direct' ? this.priorityFor(bid) : 0n,
      computeUnitLimit,
      transactions: 1,
      signatures: 1,
      ...(after === undefined ? {} : { afterSignature: after }),
    };
    this.inFlight.add(token);
    this.report.submitted++;
    this.executor.submit(submission).then(
      (outcome) => {
        this.inFlight.delete(token);
        this.report.outcomes.push(outcome);
      },
      (err: unknown) => {
        this.failure = err;
      },
    );
  }

  /** Direct: the going p95 compute-unit price, within a budget of `bid` lamports. */
  private priorityFor(bid: bigint): bigint {
    const budget = (bid * 1_000_000n) / BigInt(this.options.computeUnitLimit);
    return this.goingPriorityFee < budget ? this.goingPriorityFee : budget;
  }

  private peers(token: string): PoolSnapshot[] {
    return (this.poolsOfToken.get(token) ?? []).map((id) => this.pools.get(id) as PoolSnapshot);
  }
}
