import { LandfallError } from '../errors.js';
import { bestArb, planBackrun } from '../market/arb.js';
import { WSOL_MINT } from '../market/types.js';
import type { SimConfig } from './config.js';
import { AGENT_ID, type Trader } from './context.js';
import { DrawKeys } from './draw-keys.js';
import type { PendingSwap } from './flow.js';
import type { PoolLedger } from './pools.js';
import type { Regimes } from './regimes.js';
import type { SimStats } from './stats.js';

export interface Opportunity {
  readonly id: string;
  /** What keys the rivals' draws for it (`draw-keys.ts`): not a count, unlike `id`. */
  readonly key: string;
  readonly kind: 'arb' | 'backrun';
  /** Token mint whose pools are dislocated. */
  readonly token: string;
  /** Backrun only: the pending swap that creates it. */
  readonly target?: PendingSwap;
  state: 'announced' | 'open' | 'captured' | 'faded';
  capturedBy?: string;
  /** Regime when it opened: where its capture is counted. */
  readonly regime: string;
}

/**
 * The market's own ledger of opportunities: the ground truth the rivals react to and the
 * summary counts. Per token at most one opportunity is open: a dislocation between its pools
 * worth more than `opportunityMinProfitLamports`. The first searcher trade on that token's
 * pools captures it; other flow that removes it makes it fade. A large pending swap whose
 * landing would open one is announced at once as a backrun opportunity, and becomes the
 * token's open opportunity when its target lands.
 */
export class OpportunityTracker {
  private readonly open = new Map<string, Opportunity>();
  private readonly announced = new Map<string, Opportunity>();
  private readonly listeners: ((opp: Opportunity) => void)[] = [];
  private readonly minProfit: bigint;
  private readonly keys = new DrawKeys();
  private count = 0;

  constructor(
    private readonly now: () => number,
    config: SimConfig,
    private readonly pools: PoolLedger,
    private readonly regimes: Regimes,
    private readonly stats: SimStats,
  ) {
    this.minProfit = BigInt(config.market.opportunityMinProfitLamports);
  }

  /** Called for every opportunity when it opens or is announced. */
  onOpen(listener: (opp: Opportunity) => void): void {
    this.listeners.push(listener);
  }

  onPending(swap: PendingSwap): void {
    const target = this.pools.get(swap.pool);
    if (target === undefined) return;
    const peers = this.pools.poolsOf(swap.token);
    const plan = planBackrun(target, swap.direction, swap.amountIn, peers, WSOL_MINT);
    if (plan === null || plan.profit < this.minProfit) return;
    const opp = this.create('backrun', swap.token, 'announced', swap);
    this.announced.set(swap.signature, opp);
  }

  onFailed(signature: string): void {
    const opp = this.announced.get(signature);
    if (opp === undefined) return;
    this.announced.delete(signature);
    this.close(opp, 'faded');
  }

  /** After any commit on `token`'s pools. */
  onPoolChange(token: string, trader: Trader, signature: string): void {
    const becoming = this.announced.get(signature);
    if (becoming !== undefined) {
      this.announced.delete(signature);
      const previous = this.open.get(token);
      if (previous !== undefined) this.close(previous, 'faded');
      becoming.state = 'open';
      this.open.set(token, becoming);
    }
    const current = this.open.get(token);
    if (current !== undefined) {
      if (trader.searcher && becoming === undefined) {
        current.capturedBy = trader.id;
        this.close(current, 'captured');
      } else {
        if (this.bestProfit(token) < this.minProfit) this.close(current, 'faded');
        return;
      }
    }
    if (this.bestProfit(token) >= this.minProfit) this.create('arb', token, 'open');
  }

  private bestProfit(token: string): bigint {
    return bestArb(this.pools.poolsOf(token), WSOL_MINT)?.profit ?? 0n;
  }

  private create(
    kind: Opportunity['kind'],
    token: string,
    state: Opportunity['state'],
    target?: PendingSwap,
  ): Opportunity {
    const regime = this.regimes.current().name;
    const key = this.keys.opportunity(kind, token, this.now(), target?.signature);
    const base = { id: `opp-${this.count++}`, key, kind, token, state, regime };
    const opp: Opportunity = target === undefined ? base : { ...base, target };
    if (state === 'open') this.open.set(token, opp);
    this.stats.opportunities[kind].opened++;
    this.regimeStats(opp).opportunities.opened++;
    for (const l of this.listeners) l(opp);
    return opp;
  }

  private close(opp: Opportunity, state: 'captured' | 'faded'): void {
    opp.state = state;
    if (this.open.get(opp.token) === opp) this.open.delete(opp.token);
    for (const tally of [this.stats.opportunities[opp.kind], this.regimeStats(opp).opportunities]) {
      if (state === 'faded') tally.faded++;
      else if (opp.capturedBy === AGENT_ID) tally.capturedByAgent++;
      else tally.capturedByRivals++;
    }
  }

  private regimeStats(opp: Opportunity) {
    const r = this.stats.regimes[opp.regime];
    if (r === undefined)
      throw new LandfallError('LF_INTERNAL', `simulator: no stats for regime ${opp.regime}`);
    return r;
  }
}
