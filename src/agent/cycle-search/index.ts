/** The cycle search's public face: see `cycle-search.ts` for the search, `types.ts` for pools. */
export { ConstantProductPool } from './constant-product.js';
export { CycleSearch, type CycleSearchOptions, sizedLegs } from './cycle-search.js';
export { DEFAULT_BUDGET, type Maximum, maximiseProfit } from './maximise.js';
export { type SizeOptions, sizeCycle } from './size-cycle.js';
export type {
  BaseMint,
  Cycle,
  CycleHop,
  QuotedPool,
  Rate,
  SizedCycle,
} from './types.js';
