import type { Rng } from '../random/rng.js';
import type { SimConfig } from './config.js';
import type { SimContext } from './context.js';
import { tokenMint } from './pools.js';

const MS_PER_HOUR = 3_600_000;

interface TokenPath {
  readonly mint: string;
  readonly decimals: number;
  readonly sigmaPerHour: number;
  readonly jumpsPerHour: number;
  readonly jumpSize: number;
  readonly rng: Rng;
  logPrice: number;
}

/**
 * Exogenous fair prices (SOL per whole token): geometric Brownian motion with no drift plus
 * Poisson jumps of normal log size, stepped once a slot. Each token draws from its own
 * stream, so the path of one token never depends on the others, on pools or on searchers.
 */
export class FairPrices {
  private readonly paths = new Map<string, TokenPath>();

  constructor(ctx: SimContext, config: SimConfig) {
    for (const t of config.market.tokens) {
      this.paths.set(tokenMint(t.symbol), {
        mint: tokenMint(t.symbol),
        decimals: t.decimals,
        sigmaPerHour: t.volatilityPerHour,
        jumpsPerHour: t.jumpsPerHour,
        jumpSize: t.jumpSize,
        rng: ctx.rng(`prices/${t.symbol}`),
        logPrice: Math.log(t.priceSol),
      });
    }
  }

  /** Advances every path by `dtMs`. */
  step(dtMs: number): void {
    const hours = dtMs / MS_PER_HOUR;
    for (const p of this.paths.values()) {
      const sigma = p.sigmaPerHour * Math.sqrt(hours);
      // −σ²/2 keeps the price itself (not its log) a martingale.
      let dlog = -0.5 * sigma * sigma + sigma * p.rng.normal();
      const jumps = p.jumpsPerHour > 0 ? p.rng.poisson(p.jumpsPerHour * hours) : 0;
      for (let j = 0; j < jumps; j++) dlog += p.jumpSize * p.rng.normal();
      p.logPrice += dlog;
    }
  }

  /** SOL per whole token. */
  priceSol(mint: string): number {
    const p = this.paths.get(mint);
    return p === undefined ? Number.NaN : Math.exp(p.logPrice);
  }

  /** Lamports per atomic unit of the token: the fair value of a pool's reserveB/reserveA. */
  lamportsPerAtom(mint: string): number {
    const p = this.paths.get(mint);
    return p === undefined ? Number.NaN : (Math.exp(p.logPrice) * 1e9) / 10 ** p.decimals;
  }
}
