/**
 * The market simulator's public face. Outside `src/sim`, import from here: the engine sees
 * only `Simulator.source`, `.executor` and `.clock` (the interfaces in `src/market/types.ts`);
 * backtests and benchmarks use `runBacktest`.
 */
export { type BacktestOptions, type BacktestResult, runBacktest } from './backtest.js';
export {
  type BaselineOptions,
  type BaselineReport,
  type BaselineRoute,
  BaselineSearcher,
  DEFAULT_BASELINE,
} from './baseline.js';
export { parseSimConfig, type SimConfig, type SimConfigInput, simConfigSchema } from './config.js';
export { Simulator, type SimulatorOptions } from './simulator.js';
export type { SimStats, Tally } from './stats.js';
export { formatSummary, type SimSummary, summarize } from './summary.js';
