import { curveContextAt, swapExact } from '../market/pool-quote.js';
import type { PoolSnapshot, SwapDirection } from '../market/types.js';
import type { Rng } from '../random/rng.js';
import type { SimConfig } from './config.js';
import { EXTERNAL, NOISE, type SimContext } from './context.js';
import { type PoolLedger, tokenMint } from './pools.js';
import type { FairPrices } from './prices.js';

/** A large swap announced before it lands. */
export interface PendingSwap {
  readonly signature: string;
  readonly pool: string;
  readonly token: string;
  readonly direction: SwapDirection;
  readonly amountIn: bigint;
}

export interface FlowListener {
  onPending(swap: PendingSwap): void;
  onLanded(signature: string): void;
  onFailed(signature: string): void;
}

interface TokenFlow {
  readonly symbol: string;
  readonly mint: string;
  readonly rng: Rng;
  readonly pools: readonly { id: string; weight: number; capSol: number }[];
  readonly totalWeight: number;
  count: number;
}

/**
 * Everything that moves pools besides searchers. Noise traders arrive per token as a Poisson
 * process with Pareto sizes in SOL and a fair coin for direction; what they draw depends only
 * on their stream and the fair price, never on pool state, so rivals cannot change the flow.
 * Swaps above the threshold are announced as pending and land (or fail) a little later.
 * External (CEX–DEX) arbitrageurs pull strayed pools back to the fee band around fair value.
 */
export class Flow {
  private readonly tokens: TokenFlow[] = [];
  private readonly pending = new Map<string, 'pending' | 'failed'>();
  private readonly externalRng: Rng;
  private readonly listeners: FlowListener[] = [];
  private externalCount = 0;

  constructor(
    private readonly ctx: SimContext,
    private readonly config: SimConfig,
    private readonly pools: PoolLedger,
    private readonly prices: FairPrices,
  ) {
    const { maxReserveShare } = config.market.noise;
    for (const t of config.market.tokens) {
      const venues = config.market.venues.map((v) => ({
        id: `${v.name}:${t.symbol}-SOL`,
        weight: v.depthShare,
        capSol: maxReserveShare * t.depthSol * v.depthShare,
      }));
      this.tokens.push({
        symbol: t.symbol,
        mint: tokenMint(t.symbol),
        rng: ctx.rng(`flow/${t.symbol}`),
        pools: venues,
        totalWeight: venues.reduce((s, v) => s + v.weight, 0),
        count: 0,
      });
    }
    this.externalRng = ctx.rng('flow/external');
  }

  listen(listener: FlowListener): void {
    this.listeners.push(listener);
  }

  /** `pending` until it lands (then forgotten), `failed` for a while after it failed. */
  status(signature: string): 'pending' | 'failed' | undefined {
    return this.pending.get(signature);
  }

  start(): void {
    for (const t of this.tokens) this.scheduleNext(t);
  }

  /** Runs once a slot: external arbitrage on each pool, in a fixed order. */
  onSlot(): void {
    const { probabilityPerSlot, extraBps } = this.config.market.externalArb;
    for (const pool of this.pools.all()) {
      // Draw for every pool every slot, so this stream's use never depends on pool state.
      if (this.externalRng.float() >= probabilityPerSlot) continue;
      const fair = this.prices.lamportsPerAtom(pool.mintA);
      const trade = pullToBand(pool, fair, extraBps);
      if (trade === null) continue;
      const result = swapExact(
        pool,
        trade.direction,
        trade.amountIn,
        curveContextAt(this.ctx.scheduler.now()),
      );
      if (result.amountOut <= 0n) continue;
      this.pools.commit(
        [
          {
            pool: result.pool,
            direction: trade.direction,
            amountIn: trade.amountIn,
            amountOut: result.amountOut,
          },
        ],
        EXTERNAL,
        `xa:${pool.id}:${this.externalCount++}`,
      );
    }
  }

  private scheduleNext(t: TokenFlow): void {
    const meanGapMs = 60_000 / this.config.market.noise.tradesPerMinutePerToken;
    const at = this.ctx.scheduler.now() + t.rng.exponential(meanGapMs);
    this.ctx.at(at, () => {
      this.arrive(t);
      this.scheduleNext(t);
    });
  }

  private arrive(t: TokenFlow): void {
    const { minSizeSol, paretoAlpha } = this.config.market.noise;
    const large = this.config.market.largeSwaps;
    let pick = t.rng.float() * t.totalWeight;
    let venue = t.pools[t.pools.length - 1] as TokenFlow['pools'][number];
    for (const p of t.pools) {
      pick -= p.weight;
      if (pick < 0) {
        venue = p;
        break;
      }
    }
    const buy = t.rng.chance(0.5);
    const sizeSol = Math.min(venue.capSol, t.rng.pareto(minSizeSol, paretoAlpha));
    const isLarge = sizeSol >= large.thresholdSol;
    const leadMs = isLarge ? t.rng.uniform(large.leadMs.min, large.leadMs.max) : 0;
    const fails = isLarge && t.rng.chance(large.failProbability);
    const amountIn = buy
      ? BigInt(Math.round(sizeSol * 1e9))
      : BigInt(Math.round((sizeSol * 1e9) / this.prices.lamportsPerAtom(t.mint)));
    if (amountIn <= 0n) return;
    const swap: PendingSwap = {
      signature: `nt:${t.symbol}:${t.count++}`,
      pool: venue.id,
      token: t.mint,
      direction: buy ? 'bToA' : 'aToB',
      amountIn,
    };
    if (!isLarge) {
      this.land(swap);
      return;
    }
    this.pending.set(swap.signature, 'pending');
    const now = this.ctx.scheduler.now();
    this.ctx.emit({ kind: 'pendingSwap', atMs: now, ...pick4(swap) });
    for (const l of this.listeners) l.onPending(swap);
    this.ctx.at(now + leadMs, () => {
      if (fails) {
        this.pending.set(swap.signature, 'failed');
        for (const l of this.listeners) l.onFailed(swap.signature);
        this.ctx.at(this.ctx.scheduler.now() + 2 * this.config.agent.expiryMs, () =>
          this.pending.delete(swap.signature),
        );
        return;
      }
      this.pending.delete(swap.signature);
      this.land(swap);
      for (const l of this.listeners) l.onLanded(swap.signature);
    });
  }

  private land(swap: PendingSwap): void {
    const pool = this.pools.get(swap.pool) as PoolSnapshot;
    const result = swapExact(
      pool,
      swap.direction,
      swap.amountIn,
      curveContextAt(this.ctx.scheduler.now()),
    );
    this.pools.commit(
      [
        {
          pool: result.pool,
          direction: swap.direction,
          amountIn: swap.amountIn,
          amountOut: result.amountOut,
        },
      ],
      NOISE,
      swap.signature,
    );
  }
}

function pick4(s: PendingSwap) {
  return { signature: s.signature, pool: s.pool, direction: s.direction, amountIn: s.amountIn };
}

/**
 * The trade an external arbitrageur makes on a pool whose price (lamports per token atom)
 * strays more than fee + extraBps from `fair`: to the edge of the fee band, where it stops
 * paying. For x·y = k, moving the price to S' needs quote reserve √(k·S') (or token reserve
 * √(k/S')); the input is grossed up by the fee.
 */
export function pullToBand(
  pool: PoolSnapshot,
  fair: number,
  extraBps: number,
): { direction: SwapDirection; amountIn: bigint } | null {
  const a = Number(pool.reserveA);
  const b = Number(pool.reserveB);
  const spot = b / a;
  const fee = pool.feeBps / 10_000;
  const extra = extraBps / 10_000;
  const k = a * b;
  if (spot < fair * (1 - fee - extra)) {
    const gross = (Math.sqrt(k * fair * (1 - fee)) - b) / (1 - fee);
    return gross >= 1 ? { direction: 'bToA', amountIn: BigInt(Math.floor(gross)) } : null;
  }
  if (spot > fair * (1 + fee + extra)) {
    const gross = (Math.sqrt(k / (fair * (1 + fee))) - a) / (1 - fee);
    return gross >= 1 ? { direction: 'aToB', amountIn: BigInt(Math.floor(gross)) } : null;
  }
  return null;
}
