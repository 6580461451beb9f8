import type { Market } from '../market/types.js';
import type { SimConfigInput } from './config.js';
import { Simulator, type SimulatorOptions } from './simulator.js';

export interface SimMarketOptions extends SimulatorOptions {
  /** The `sim` config section. */
  readonly config?: SimConfigInput;
  /**
   * `wall` (paper mode) paces the market to the wall clock and starts it now: rows stamped
   * with the backtest start date would be past the store's delete TTL at once. `virtual`
   * (backtests) runs as fast as the handler allows, from the config's start.
   */
  readonly pace?: 'virtual' | 'wall';
}

/** A market adapter whose simulator stays reachable for backtests and tests. */
export interface SimMarket extends Market {
  readonly simulator: Simulator;
}

/**
 * The seeded simulator as a market adapter: its source, executor and clock, the Jito minimum
 * tip and base fee from its config. Same seed and config at virtual pace, same run.
 */
export function createSimMarket(options: SimMarketOptions = {}): SimMarket {
  const pace = options.pace ?? options.config?.pace ?? 'virtual';
  const config: SimConfigInput = {
    ...options.config,
    pace,
    ...(pace === 'wall' ? { startTimeMs: Date.now() } : {}),
  };
  const sim = new Simulator(config, {
    ...(options.durationMs === undefined ? {} : { durationMs: options.durationMs }),
    ...(options.observe === undefined ? {} : { observe: options.observe }),
  });
  const c = sim.config;
  return {
    simulator: sim,
    tag: `paper-${c.seed}`,
    source: sim.source,
    executor: sim.executor,
    clock: sim.clock,
    minTipLamports: c.jito.minTipLamports,
    baseFeeLamports: c.chain.baseFeeLamports,
    resend: 'after-outcome',
    describe: () => [
      `  market simulator seed ${c.seed}, ${c.pace === 'wall' ? `wall pace ×${c.speed}` : 'virtual pace'} (paper: no network)`,
    ],
    summary: () => [
      `  market: ${sim.stats.marketEvents} events, ${sim.stats.agent.submissions} agent submissions, ${sim.stats.agent.landed} landed`,
    ],
    stop: () => sim.source.stop(),
  };
}
