/**
 * The market simulator's public face. Outside `src/sim`, import from here: agents get the
 * simulator as a `Market` (`createSimMarket`, the port in `src/market/types.ts`); `landfall sim`
 * and its benchmark run the reference searcher (`runReferenceSearcher`).
 */

export { MIXED_VENUES } from './calibration.js';
export { parseSimConfig, type SimConfig, type SimConfigInput, simConfigSchema } from './config.js';
export { createSimMarket, type SimMarket, type SimMarketOptions } from './market.js';
export {
  type ReferenceRunOptions,
  type ReferenceRunResult,
  runReferenceSearcher,
} from './reference-run.js';
export {
  DEFAULT_REFERENCE,
  type ReferenceOptions,
  type ReferenceReport,
  type ReferenceRoute,
  ReferenceSearcher,
} from './reference-searcher.js';
export { Simulator, type SimulatorOptions } from './simulator.js';
export type { SimStats, Tally } from './stats.js';
export { formatSummary, type SimSummary, summarize } from './summary.js';
export { VENUE_PRESETS, type VenuePreset, withVenuePreset } from './venue-presets.js';
