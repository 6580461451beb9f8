import { amountOut, applySwap, directionFor, reservesOf } from './cpmm.js';
import type { PoolSnapshot, SwapDirection, SwapLeg } from './types.js';

/**
 * Two-pool arbitrage between constant-product pools of the same pair: buy the token with the
 * quote mint where it is cheap, sell it where it is dear. Used alike by the simulator's rivals
 * and by the searchers that trade against any market source.
 */
export interface ArbPlan {
  /** Pool where the token is bought with the quote mint. */
  readonly buy: PoolSnapshot;
  /** Pool where it is sold back. */
  readonly sell: PoolSnapshot;
  readonly buyDirection: SwapDirection;
  readonly sellDirection: SwapDirection;
  /** Quote spent on the first leg. */
  readonly amountIn: bigint;
  /** Token received on the first leg, spent on the second. */
  readonly tokenAmount: bigint;
  /** Quote received on the second leg. */
  readonly quoteOut: bigint;
  /** quoteOut − amountIn, exact, before tip and fees. */
  readonly profit: bigint;
}

export interface ArbOptions {
  /** Largest first-leg input the searcher can fund. */
  readonly maxAmountIn?: bigint;
}

/**
 * The profit-maximising plan buying on `buy` and selling on `sell`, or null when none makes a
 * profit. Two CP swaps compose to out(d) = A·d / (B + C·d) with A = g1·g2·x2·y1, B = x1·y2,
 * C = g1·(y2 + g2·y1) (x quote reserves, y token reserves, g = 1 − fee); out(d) − d peaks at
 * d* = (√(A·B) − B) / C. Sized in floats, then evaluated exactly. The exact profit is a
 * sawtooth (token amounts are whole atomic units), so the plan is optimal to within about one
 * atomic token unit's worth of quote, not to the lamport.
 */
export function planPairArb(
  buy: PoolSnapshot,
  sell: PoolSnapshot,
  quoteMint: string,
  options: ArbOptions = {},
): ArbPlan | null {
  const buyDirection = directionFor(buy, quoteMint);
  const sellDirectionQuote = directionFor(sell, quoteMint);
  if (buyDirection === null || sellDirectionQuote === null || buy.id === sell.id) return null;
  const sellDirection: SwapDirection = sellDirectionQuote === 'aToB' ? 'bToA' : 'aToB';
  const [x1, y1] = reservesOf(buy, buyDirection);
  const [y2, x2] = reservesOf(sell, sellDirection);
  const g1 = 1 - buy.feeBps / 10_000;
  const g2 = 1 - sell.feeBps / 10_000;
  const a = g1 * g2 * Number(x2) * Number(y1);
  const b = Number(x1) * Number(y2);
  if (a <= b) return null;
  const c = g1 * (Number(y2) + g2 * Number(y1));
  const best = (Math.sqrt(a) * Math.sqrt(b) - b) / c;
  if (!(best >= 1)) return null;
  let amountIn = BigInt(Math.floor(best));
  if (options.maxAmountIn !== undefined && amountIn > options.maxAmountIn) {
    amountIn = options.maxAmountIn;
  }
  const tokenAmount = amountOut(x1, y1, amountIn, buy.feeBps);
  const quoteOut = amountOut(y2, x2, tokenAmount, sell.feeBps);
  const profit = quoteOut - amountIn;
  if (profit <= 0n) return null;
  return { buy, sell, buyDirection, sellDirection, amountIn, tokenAmount, quoteOut, profit };
}

/**
 * The most profitable plan over every ordered pair of `pools` that trade the same token
 * against `quoteMint`. With `mustUse`, only plans touching that pool id count.
 */
export function bestArb(
  pools: readonly PoolSnapshot[],
  quoteMint: string,
  options: ArbOptions & { readonly mustUse?: string } = {},
): ArbPlan | null {
  let best: ArbPlan | null = null;
  for (const buy of pools) {
    for (const sell of pools) {
      if (buy === sell || tokenOf(buy, quoteMint) !== tokenOf(sell, quoteMint)) continue;
      if (
        options.mustUse !== undefined &&
        buy.id !== options.mustUse &&
        sell.id !== options.mustUse
      )
        continue;
      const plan = planPairArb(buy, sell, quoteMint, options);
      if (plan !== null && (best === null || plan.profit > best.profit)) best = plan;
    }
  }
  return best;
}

/**
 * The best arbitrage right after a pending swap lands on `target`: the state a backrun
 * trades on. Only plans that use the target pool count.
 */
export function planBackrun(
  target: PoolSnapshot,
  direction: SwapDirection,
  amountIn: bigint,
  pools: readonly PoolSnapshot[],
  quoteMint: string,
  options: ArbOptions = {},
): ArbPlan | null {
  const after = applySwap(target, direction, amountIn).pool;
  const view = pools.map((p) => (p.id === target.id ? after : p));
  return bestArb(view, quoteMint, { ...options, mustUse: target.id });
}

/**
 * The two legs of a plan. The second spends all of the first's output and reverts unless the
 * quote comes back with at least `minProfit` on top (the usual on-chain profit guard).
 */
export function arbLegs(plan: ArbPlan, minProfit = 1n): SwapLeg[] {
  return [
    { pool: plan.buy.id, direction: plan.buyDirection, amountIn: plan.amountIn, minAmountOut: 0n },
    {
      pool: plan.sell.id,
      direction: plan.sellDirection,
      amountIn: 'previous',
      minAmountOut: plan.amountIn + minProfit,
    },
  ];
}

/** The non-quote mint of a pool, or null when the pool does not trade the quote mint. */
export function tokenOf(pool: PoolSnapshot, quoteMint: string): string | null {
  if (pool.mintA === quoteMint) return pool.mintB;
  if (pool.mintB === quoteMint) return pool.mintA;
  return null;
}
