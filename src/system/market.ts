import { controlSignerFrom } from '../auth/control-signature.js';
import type { TypedBus } from '../bus/typed.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Market, Module } from '../market/types.js';
import { createSimMarket } from '../sim/index.js';
import { openSolanaMarket } from '../solana/market.js';
import type { MarketMode } from './consent.js';
import { createWarmSimMarket } from './warm-start.js';

/**
 * The market adapter a mode asks for. Paper: the seeded simulator at wall pace (`sim.speed`),
 * after `warmMinutes` of it fast-forwarded (warm-start.ts) when asked. Live and dry-run:
 * Solana as `live.*` names it; the bus carries the safety gate's daily-loss kill.
 */
export function openMarket(
  mode: MarketMode,
  o: {
    config: Config;
    log: Logger;
    modules: readonly Module[];
    env: NodeJS.ProcessEnv;
    bus: TypedBus;
    warmMinutes?: number;
  },
): Promise<Market> {
  if (mode === 'paper') {
    const minutes = o.warmMinutes ?? 0;
    return Promise.resolve(
      minutes > 0
        ? createWarmSimMarket(o.config.sim, { minutes })
        : createSimMarket({ config: o.config.sim, pace: 'wall' }),
    );
  }
  return openSolanaMarket({
    live: o.config.live,
    log: o.log,
    modules: o.modules,
    dryRun: mode === 'dry-run',
    env: o.env,
    bus: o.bus,
    signer: () => controlSignerFrom(o.config, mode === 'dry-run'),
  });
}
