import { curveContextAt } from '../market/pool-quote.js';
import type { FailureReason, Submission, SubmissionOutcome } from '../market/types.js';
import type { KeyedStreams } from '../random/keyed.js';
import type { Rng } from '../random/rng.js';
import { type AuctionBid, runAuction } from './auction.js';
import type { Chain } from './chain.js';
import type { SimConfig } from './config.js';
import { AGENT_ID, type SimContext, type Trader } from './context.js';
import { DrawKeys } from './draw-keys.js';
import { type Execution, feesOf, simulateLegs } from './execute.js';
import type { Flow } from './flow.js';
import type { PoolLedger } from './pools.js';
import type { Regimes } from './regimes.js';
import { countOutcome, countSubmission, type SimStats } from './stats.js';

interface Bid extends AuctionBid {
  readonly sub: Submission;
  readonly trader: Trader;
  /** Its draws' key (`draw-keys.ts`). */
  readonly key: string;
  readonly submittedAt: number;
  readonly regime: string;
  readonly resolve: ((outcome: SubmissionOutcome) => void) | undefined;
  done: boolean;
  execution?: Execution;
}

/**
 * How submissions land, for the agent and rivals alike.
 * - Bundles (`jito`) reach the block engine at their arrival time; one under the minimum tip
 *   is rejected at once. Each auction tick runs an auction (auction.ts) over the bundles that
 *   arrived since the last tick, but only when the slot's leader runs Jito: otherwise they
 *   fail `not_jito_leader`. A losing or failing bundle pays nothing.
 * - Direct transactions reach the leader a log-normal forwarding delay after arrival (longer
 *   under congestion), are
 *   included with a probability set by their priority fee against congestion (chain.ts), and
 *   pay fees once included, even when a leg reverts.
 * - A backrun (`afterSignature`) waits until its target lands, then goes on as above: it is
 *   never executed before its target. If the target fails or does not land within
 *   `agent.expiryMs`, it expires.
 * Outcomes are final when decided and reported at the start of the next slot (confirmation).
 *
 * Common random numbers: the clearing tip of auction tick n is drawn from tick n's own stream,
 * so it is the same whether or not that tick (or any earlier one) had bids; a direct
 * transaction's delay and inclusion come from its submission's own stream. What one trader
 * sends never shifts the luck of another's submission.
 */
export class Landing {
  private queue: Bid[] = [];
  private readonly waiting = new Map<string, Bid[]>();
  private readonly undelivered = new Map<Bid, SubmissionOutcome>();
  private readonly open = new Set<Bid>();
  private readonly directDraws: KeyedStreams;
  private readonly auctionDraws: KeyedStreams;
  private readonly keys = new DrawKeys();
  private seq = 0;

  constructor(
    private readonly ctx: SimContext,
    private readonly config: SimConfig,
    private readonly pools: PoolLedger,
    private readonly chain: Chain,
    private readonly flow: Flow,
    private readonly regimes: Regimes,
    private readonly stats: SimStats,
    private readonly observe?: (
      searcher: string,
      outcome: SubmissionOutcome,
      submission: Submission,
    ) => void,
  ) {
    this.directDraws = ctx.keyed('landing/direct');
    this.auctionDraws = ctx.keyed('landing/auction');
  }

  start(): void {
    const tickMs = this.config.jito.auctionTickMs;
    const tick = (n: number) => {
      this.tick(n);
      this.ctx.at(this.config.startTimeMs + (n + 1) * tickMs, () => tick(n + 1));
    };
    this.ctx.at(this.config.startTimeMs + tickMs, () => tick(1));
  }

  /** The key of the draws for `sub`, sent by `trader` now; once per submission. */
  keyOf(sub: Submission, trader: Trader): string {
    return this.keys.submission(trader.id, sub, this.ctx.scheduler.now());
  }

  /**
   * Takes a (valid) submission now; it reaches the market at `arriveAt`. `key` is the one
   * `keyOf` gave for it, when the caller drew with it already (the agent's network delay).
   */
  submit(
    sub: Submission,
    trader: Trader,
    arriveAt: number,
    resolve?: (o: SubmissionOutcome) => void,
    key: string = this.keyOf(sub, trader),
  ): void {
    const bid: Bid = {
      sub,
      trader,
      key,
      tip: sub.tipLamports,
      arrivedAt: arriveAt,
      seq: this.seq++,
      pools: [...new Set(sub.legs.map((l) => l.pool))],
      submittedAt: this.ctx.scheduler.now(),
      regime: this.regimes.current().name,
      resolve,
      done: false,
    };
    this.open.add(bid);
    for (const tally of this.talliesOf(bid)) countSubmission(tally, sub.route);
    this.ctx.at(arriveAt, () => this.arrive(bid));
  }

  onLanded(signature: string): void {
    const bids = this.waiting.get(signature);
    if (bids === undefined) return;
    this.waiting.delete(signature);
    for (const bid of bids) if (!bid.done) this.proceed(bid);
  }

  onFailed(signature: string): void {
    const bids = this.waiting.get(signature);
    if (bids === undefined) return;
    this.waiting.delete(signature);
    for (const bid of bids) if (!bid.done) this.decide(bid, 'expired');
  }

  /** End of run: everything undecided expires; every decided outcome is delivered now. */
  finish(): void {
    for (const bid of [...this.open]) this.decide(bid, 'expired');
    for (const [bid, outcome] of [...this.undelivered]) this.deliver(bid, outcome);
  }

  private arrive(bid: Bid): void {
    if (bid.sub.route === 'jito' && bid.tip < BigInt(this.config.jito.minTipLamports)) {
      this.decide(bid, 'tip_below_minimum', true);
      return;
    }
    const target = bid.sub.afterSignature;
    const status = target === undefined ? undefined : this.flow.status(target);
    if (status === 'failed') {
      this.decide(bid, 'expired');
      return;
    }
    if (status === 'pending' && target !== undefined) {
      const list = this.waiting.get(target) ?? [];
      list.push(bid);
      this.waiting.set(target, list);
      this.ctx.at(this.ctx.scheduler.now() + this.config.agent.expiryMs, () => {
        if (!bid.done && this.waiting.get(target)?.includes(bid)) this.decide(bid, 'expired');
      });
      return;
    }
    this.proceed(bid);
  }

  private proceed(bid: Bid): void {
    if (bid.sub.route === 'jito') {
      this.queue.push(bid);
      return;
    }
    const { forwardMs, congestionDelay } = this.config.chain.direct;
    const median = forwardMs * (1 + congestionDelay * this.chain.congestion);
    // Delay, then inclusion (executeDirect), from the submission's own stream.
    const draws = this.directDraws.at(bid.key);
    const delay = draws.lognormal(median, 0.5);
    this.ctx.at(this.ctx.scheduler.now() + delay, () => this.executeDirect(bid, draws));
  }

  /** Auction tick `n` (the first is 1). */
  private tick(n: number): void {
    const bids = this.queue.filter((b) => !b.done);
    this.queue = [];
    if (bids.length === 0) return;
    const leader = this.chain.leaderOf(this.ctx.slotAt(this.ctx.scheduler.now()));
    if (!leader.jito) {
      for (const bid of bids) this.decide(bid, 'not_jito_leader');
      return;
    }
    const clearing = BigInt(Math.ceil(this.chain.clearingTip(this.auctionDraws.at(n))));
    const results = runAuction(bids, clearing, (bid) => this.tryExecute(bid));
    for (const [bid, result] of results) {
      if (result === 'landed') this.decide(bid, null);
      else if (result === 'auction_lost') this.decide(bid, 'auction_lost');
      else this.decide(bid, this.revertReason(bid));
    }
  }

  private executeDirect(bid: Bid, draws: Rng): void {
    if (bid.done) return;
    const price = Number(bid.sub.priorityFeeMicroLamports);
    if (!draws.chance(this.chain.directLandProbability(price))) {
      // Never included: a live sender sees it only as unseen by its deadline.
      this.decide(bid, 'expired');
      return;
    }
    // Included: the fee is paid whether or not the legs succeed.
    const landed = this.tryExecute(bid);
    this.decide(bid, landed ? null : this.revertReason(bid), false, true);
  }

  private tryExecute(bid: Bid): boolean {
    const execution = simulateLegs(
      bid.sub.legs,
      (id) => this.pools.get(id),
      curveContextAt(this.ctx.scheduler.now()),
    );
    bid.execution = execution;
    if (execution.ok) this.pools.commit(execution.swaps, bid.trader, bid.sub.id);
    return execution.ok;
  }

  /** A rival's trade on one of the bid's pools since it was submitted, or plain slippage. */
  private revertReason(bid: Bid): FailureReason {
    for (const pool of bid.pools) {
      const last = this.pools.lastSearcherTrade(pool);
      if (last !== undefined && last.id !== bid.trader.id && last.atMs >= bid.submittedAt)
        return 'rival_first';
    }
    return 'slippage';
  }

  private decide(
    bid: Bid,
    failure: FailureReason | null,
    immediate = false,
    included = false,
  ): void {
    if (bid.done) return;
    bid.done = true;
    this.open.delete(bid);
    const now = this.ctx.scheduler.now();
    const slot = this.ctx.slotAt(now);
    const landed = failure === null;
    const fee = landed || included ? feesOf(bid.sub, this.config.chain.baseFeeLamports) : 0n;
    const tip = landed && bid.sub.route === 'jito' ? bid.tip : 0n;
    const gain = landed && bid.execution?.ok === true ? bid.execution.quoteDelta : 0n;
    const atMs = immediate ? now : this.ctx.slotStartMs(slot + 1);
    const outcome: SubmissionOutcome = {
      submissionId: bid.sub.id,
      opportunityId: bid.sub.opportunityId,
      module: bid.sub.module,
      route: bid.sub.route,
      landed,
      slot,
      leader: this.chain.leaderOf(slot).name,
      profitLamports: gain - tip - fee,
      tipLamports: tip,
      feeLamports: fee,
      failure,
      latencyMs: atMs - bid.submittedAt,
      // The modelled network delay from the submitter to the block engine or RPC.
      sendLatencyMs: bid.arrivedAt - bid.submittedAt,
      atMs,
    };
    for (const tally of this.talliesOf(bid)) countOutcome(tally, outcome);
    this.observe?.(bid.trader.id, outcome, bid.sub);
    if (bid.resolve === undefined) return;
    this.undelivered.set(bid, outcome);
    this.ctx.at(atMs, () => this.deliver(bid, outcome));
  }

  private deliver(bid: Bid, outcome: SubmissionOutcome): void {
    if (!this.undelivered.delete(bid)) return;
    bid.resolve?.(outcome);
    this.ctx.scheduler.requestYield();
  }

  private talliesOf(bid: Bid) {
    const regime = this.stats.regimes[bid.regime];
    const side = bid.trader.id === AGENT_ID ? 'agent' : 'rivals';
    return regime === undefined ? [this.stats[side]] : [this.stats[side], regime[side]];
  }
}
