import type { BenchSuite } from '../harness.js';
import { agentSuite } from './agent.js';
import { apiSuite } from './api.js';
import { busSuite } from './bus.js';
import { cycleSearchSuite } from './cycle-search.js';
import { gatewaySuite } from './gateway.js';
import { guardSuite } from './guard.js';
import { modelSuite } from './model.js';
import { protoSuite } from './proto.js';
import { simSuite } from './sim.js';
import { solanaSuite } from './solana.js';
import { storeSuite } from './store.js';
import { trainSuite } from './train.js';
import { upSuite } from './up.js';

/** Every benchmark suite, in the order `npm run bench` runs them. */
export const suites: readonly BenchSuite[] = [
  protoSuite,
  busSuite,
  storeSuite,
  simSuite,
  agentSuite,
  modelSuite,
  trainSuite,
  apiSuite,
  gatewaySuite,
  guardSuite,
  solanaSuite,
  upSuite,
  cycleSearchSuite,
];
