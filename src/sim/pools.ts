import { LandfallError } from '../errors.js';
import type { PoolSnapshot, SwapDirection } from '../market/types.js';
import { WSOL_MINT } from '../market/types.js';
import type { SimConfig } from './config.js';
import type { SimContext, Trader } from './context.js';
import { type CurveKind, poolFactory } from './curve-kinds.js';

/** The simulator's token mints are labels, not base58 keys; the quote is the real wSOL mint. */
export const tokenMint = (symbol: string): string => `sim:${symbol}`;

export interface SwapRecord {
  readonly pool: PoolSnapshot;
  readonly direction: SwapDirection;
  readonly amountIn: bigint;
  readonly amountOut: bigint;
}

export type PoolChangeListener = (token: string, trader: Trader, signature: string) => void;

/**
 * The simulated chain's ledger of pools: the truth every swap is executed against (the live
 * side's counterpart, `solana/watched-pools.ts`, is only a cache of accounts). Each commit emits the swaps and the new pool states to the
 * engine, remembers which searcher last traded each pool (to tell `rival_first` from plain
 * slippage), and tells listeners (the opportunity tracker) which token moved.
 */
export class PoolLedger {
  private readonly pools = new Map<string, PoolSnapshot>();
  private readonly tokenOfPool = new Map<string, string>();
  private readonly poolsOfToken = new Map<string, string[]>();
  private readonly lastSearcher = new Map<string, { id: string; atMs: number }>();
  private readonly listeners: PoolChangeListener[] = [];

  constructor(
    private readonly ctx: SimContext,
    config: SimConfig,
  ) {
    for (const token of config.market.tokens) {
      const mint = tokenMint(token.symbol);
      const lamportsPerAtom = (token.priceSol * 1e9) / 10 ** token.decimals;
      const ids: string[] = [];
      for (const venue of config.market.venues) {
        const quote = token.depthSol * venue.depthShare * 1e9;
        const cp: PoolSnapshot = {
          id: `${venue.name}:${token.symbol}-SOL`,
          venue: venue.name,
          mintA: mint,
          mintB: WSOL_MINT,
          reserveA: BigInt(Math.round(quote / lamportsPerAtom)),
          reserveB: BigInt(Math.round(quote)),
          feeBps: venue.feeBps,
        };
        const pool =
          venue.curve === undefined || venue.curve === 'constant_product'
            ? cp
            : withCurve(cp, venue.curve, ctx);
        this.pools.set(pool.id, pool);
        this.tokenOfPool.set(pool.id, mint);
        ids.push(pool.id);
      }
      this.poolsOfToken.set(mint, ids);
    }
  }

  onChange(listener: PoolChangeListener): void {
    this.listeners.push(listener);
  }

  get(id: string): PoolSnapshot | undefined {
    return this.pools.get(id);
  }

  all(): PoolSnapshot[] {
    return [...this.pools.values()];
  }

  tokens(): string[] {
    return [...this.poolsOfToken.keys()];
  }

  tokenOf(poolId: string): string | undefined {
    return this.tokenOfPool.get(poolId);
  }

  /** Current states of the pools trading `token`. */
  poolsOf(token: string): PoolSnapshot[] {
    return (this.poolsOfToken.get(token) ?? []).map((id) => this.pools.get(id) as PoolSnapshot);
  }

  /** The searcher that last traded `poolId`, and when. */
  lastSearcherTrade(poolId: string): { id: string; atMs: number } | undefined {
    return this.lastSearcher.get(poolId);
  }

  /** Applies already-computed swaps (one transaction or bundle) and reports them. */
  commit(swaps: readonly SwapRecord[], trader: Trader, signature: string): void {
    const now = this.ctx.scheduler.now();
    const slot = this.ctx.slotAt(now);
    const touched = new Set<string>();
    for (const swap of swaps) {
      this.pools.set(swap.pool.id, swap.pool);
      if (trader.searcher) this.lastSearcher.set(swap.pool.id, { id: trader.id, atMs: now });
      this.ctx.emit({
        kind: 'landedSwap',
        atMs: now,
        slot,
        signature,
        pool: swap.pool.id,
        direction: swap.direction,
        amountIn: swap.amountIn,
        amountOut: swap.amountOut,
        signer: trader.id,
      });
      this.ctx.emit({ kind: 'pool', atMs: now, slot, pool: swap.pool });
      touched.add(this.tokenOfPool.get(swap.pool.id) as string);
    }
    for (const token of touched) {
      for (const listener of this.listeners) listener(token, trader, signature);
    }
  }
}

/**
 * The pool as the venue's program would hold it: built by its `sim.ts` at the constant-product
 * pool's price and depth, its shape (ticks, bins) drawn from the pool's own stream.
 */
function withCurve(cp: PoolSnapshot, kind: CurveKind, ctx: SimContext): PoolSnapshot {
  const factory = poolFactory(kind);
  if (factory === undefined)
    throw new LandfallError('LF_SIM_CONFIG', `sim: ${kind} pools cannot be simulated yet`);
  const built = factory({
    mintA: cp.mintA,
    mintB: cp.mintB,
    reserveA: cp.reserveA,
    reserveB: cp.reserveB,
    feeBps: cp.feeBps,
    seed: ctx.rng(`pools/${cp.id}`).int(0x7fff_ffff),
  });
  return { ...cp, reserveA: built.reserveA, reserveB: built.reserveB, curve: built.curve };
}
