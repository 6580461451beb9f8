import { amountOut, directionFor, reservesOf } from './cpmm.js';
import { quoteSwap, swapExact } from './pool-quote.js';
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
 * atomic token unit's worth of quote, not to the lamport. A pool with a curve is sized the same
 * way on its virtual reserves, the input then refined and every amount evaluated by its curve.
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
  const best = pairOptimum(x1, y1, buy.feeBps, y2, x2, sell.feeBps);
  if (best === null) return null;
  let amountIn = BigInt(Math.floor(best));
  if (!closedForm(buy) || !closedForm(sell)) {
    // A curve's virtual reserves place the peak near enough; its own maths find it.
    const profitAt = (d: bigint) =>
      quoteSwap(sell, sellDirection, quoteSwap(buy, buyDirection, d)) - d;
    amountIn = refinePeak(profitAt, amountIn);
  }
  if (options.maxAmountIn !== undefined && amountIn > options.maxAmountIn) {
    amountIn = options.maxAmountIn;
  }
  const tokenAmount =
    buy.curve === undefined
      ? amountOut(x1, y1, amountIn, buy.feeBps)
      : quoteSwap(buy, buyDirection, amountIn);
  const quoteOut =
    sell.curve === undefined
      ? amountOut(y2, x2, tokenAmount, sell.feeBps)
      : quoteSwap(sell, sellDirection, tokenAmount);
  const profit = quoteOut - amountIn;
  if (profit <= 0n) return null;
  return { buy, sell, buyDirection, sellDirection, amountIn, tokenAmount, quoteOut, profit };
}

/**
 * The float input maximising out(d) − d through two constant-product swaps, x1 → y1 on the
 * first pool then y2 → x2 on the second (reserves in, out; fees in basis points), or null when
 * the pair cannot profit or the optimum is below one unit. The one evaluation of this formula:
 * the cycle search seeds 2-pool cycles with it, so both size alike.
 */
export function pairOptimum(
  x1: bigint,
  y1: bigint,
  fee1Bps: number,
  y2: bigint,
  x2: bigint,
  fee2Bps: number,
): number | null {
  const g1 = 1 - fee1Bps / 10_000;
  const g2 = 1 - fee2Bps / 10_000;
  const a = g1 * g2 * Number(x2) * Number(y1);
  const b = Number(x1) * Number(y2);
  if (a <= b) return null;
  const c = g1 * (Number(y2) + g2 * Number(y1));
  const best = (Math.sqrt(a) * Math.sqrt(b) - b) / c;
  return best >= 1 ? best : null;
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
  const after = swapExact(target, direction, amountIn).pool;
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

/**
 * Integer ternary search for the peak of `profit` within ±2 % (and 64 units) of `seed`, where a
 * curve that is not quite constant product (ticks, bins, other fee rounding) moves it; the
 * profit is concave up to rounding there, so a short scan ends it.
 */
function refinePeak(profit: (d: bigint) => bigint, seed: bigint): bigint {
  const span = seed / 50n + 64n;
  let left = seed > span ? seed - span : 1n;
  let right = seed + span;
  while (right - left > 16n) {
    const third = (right - left) / 3n;
    if (profit(left + third) < profit(right - third)) left += third;
    else right -= third;
  }
  let best = left;
  let bestProfit = profit(left);
  for (let d = left + 1n; d <= right; d++) {
    const p = profit(d);
    if (p > bestProfit) {
      best = d;
      bestProfit = p;
    }
  }
  return best;
}

/** Whether the constant-product closed form sizes trades on `pool` (see `CurveMaths`). */
function closedForm(pool: PoolSnapshot): boolean {
  return pool.curve === undefined || pool.curve.maths.constantProduct === true;
}
