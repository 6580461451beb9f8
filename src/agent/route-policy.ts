import type { Route, SubmissionOutcome } from '../market/types.js';
import { PolicyRng } from './rng.js';
import {
  type RouteChoice,
  type RouteContext,
  type RouteFeedback,
  type RoutePolicy,
  type RouteQuote,
  sizeBucket,
} from './types.js';

/**
 * Route policies: Jito bundle or direct to the leader, per decision, by expected net profit
 * EV × p_land(route) − tip − fees (a tip is paid only on landing; a direct transaction pays
 * its fees once included, landed or not).
 */

/** pLand × (gross − tip − fees) − (1 − pLand) × fees paid on failure. */
export function expectedNet(gross: bigint, quote: RouteQuote, pLand: number): number {
  const net = Number(gross - quote.tipLamports - quote.feeLamports);
  const lost = quote.feePaidOnFailure ? Number(quote.feeLamports) : 0;
  return pLand * net - (1 - pLand) * lost;
}

function pickBest(context: RouteContext, pLand: (q: RouteQuote) => number): RouteChoice {
  let best: RouteChoice | null = null;
  for (const quote of context.quotes) {
    const p = pLand(quote);
    const value = expectedNet(context.grossProfitLamports, quote, p);
    if (best === null || value > best.expectedNetLamports)
      best = { quote, pLand: p, expectedNetLamports: value };
  }
  if (best === null) throw new Error('route policy called without quotes');
  return best;
}

/**
 * Landfall's route policy: a discounted Beta posterior on the landing rate per route, leader
 * kind (a bundle lands only when the leader runs Jito, so that is kept apart rather than
 * averaged away) and size class (large dislocations draw every rival's bundle), and an EWMA of the outcome latency per route for the metrics. Decides
 * on posterior means; evidence decays by `discount` per update so it follows regime changes.
 */
export class DiscountedBetaRoute implements RoutePolicy {
  readonly name = 'beta_discounted';
  private readonly alpha = new Map<string, number>();
  private readonly beta = new Map<string, number>();
  readonly latencyMs = new Map<Route, number>();
  private readonly rng: PolicyRng;

  constructor(
    private readonly discount = 0.98,
    seed = 1,
    private readonly prior = 1,
    /** Per-route Beta prior (set_policy's route priors); a route without one has Beta(prior, prior). */
    private readonly priors: Partial<Record<Route, { alpha: number; beta: number }>> = {},
  ) {
    this.rng = new PolicyRng(seed);
  }

  private alpha0(route: Route): number {
    return this.priors[route]?.alpha ?? this.prior;
  }

  private beta0(route: Route): number {
    return this.priors[route]?.beta ?? this.prior;
  }

  choose(context: RouteContext): RouteChoice {
    // Thompson: rank routes on a posterior draw, so a route that had a bad run is tried again;
    // report (and gate on) the posterior mean, so a lucky draw never makes a loss look positive.
    const drawn = pickBest(context, (q) => this.draw(q.route, context));
    const p = this.mean(drawn.quote.route, context);
    return {
      quote: drawn.quote,
      pLand: p,
      expectedNetLamports: expectedNet(context.grossProfitLamports, drawn.quote, p),
    };
  }

  private draw(route: Route, context: RouteFeedback): number {
    const key = keyOf(route, context);
    return this.rng.beta(
      this.alpha.get(key) ?? this.alpha0(route),
      this.beta.get(key) ?? this.beta0(route),
    );
  }

  update(route: Route, context: RouteFeedback, outcome: SubmissionOutcome): void {
    const key = keyOf(route, context);
    const g = this.discount;
    // Discount only this key's evidence: the other leader kind is seen rarely and must not fade
    // to the prior just because the common kind is busy.
    const a0 = this.alpha0(route);
    const b0 = this.beta0(route);
    const a = g * (this.alpha.get(key) ?? a0) + (1 - g) * a0;
    const b = g * (this.beta.get(key) ?? b0) + (1 - g) * b0;
    this.alpha.set(key, a + (outcome.landed ? 1 : 0));
    this.beta.set(key, b + (outcome.landed ? 0 : 1));
    const prev = this.latencyMs.get(route);
    this.latencyMs.set(
      route,
      prev === undefined ? outcome.latencyMs : prev + 0.1 * (outcome.latencyMs - prev),
    );
  }

  mean(route: Route, context: RouteFeedback): number {
    const key = keyOf(route, context);
    const a = this.alpha.get(key) ?? this.alpha0(route);
    return a / (a + (this.beta.get(key) ?? this.beta0(route)));
  }
}

function keyOf(route: Route, context: RouteFeedback): string {
  const leader = context.leaderRunsJito ? 'jito-leader' : 'other-leader';
  return `${route}/${leader}/${sizeBucket(context.grossProfitLamports)}`;
}

/**
 * Baseline: EWMA landing rate per route, and the route with the higher rate wins (costs not
 * weighed), as a simple switcher would do. Starts optimistic (1.0) so both get tried.
 */
export class EwmaRoute implements RoutePolicy {
  readonly name = 'ewma';
  private readonly rate = new Map<Route, number>();

  constructor(private readonly weight = 0.05) {}

  choose(context: RouteContext): RouteChoice {
    let best: RouteQuote | null = null;
    for (const q of context.quotes)
      if (best === null || this.landing(q.route) > this.landing(best.route)) best = q;
    if (best === null) throw new Error('route policy called without quotes');
    const p = this.landing(best.route);
    return {
      quote: best,
      pLand: p,
      expectedNetLamports: expectedNet(context.grossProfitLamports, best, p),
    };
  }

  update(route: Route, _context: RouteFeedback, outcome: SubmissionOutcome): void {
    const r = this.landing(route);
    this.rate.set(route, r + this.weight * ((outcome.landed ? 1 : 0) - r));
  }

  landing(route: Route): number {
    return this.rate.get(route) ?? 1;
  }
}

/** Always one route (oracle grid, tests); prices with a fixed landing estimate. */
export class FixedRoute implements RoutePolicy {
  readonly name: string;

  constructor(
    readonly route: Route,
    private readonly pLand = 0.5,
  ) {
    this.name = `fixed_${route}`;
  }

  choose(context: RouteContext): RouteChoice {
    const quote = context.quotes.find((q) => q.route === this.route) ?? context.quotes[0];
    if (quote === undefined) throw new Error('route policy called without quotes');
    return {
      quote,
      pLand: this.pLand,
      expectedNetLamports: expectedNet(context.grossProfitLamports, quote, this.pLand),
    };
  }

  update(): void {}
}
