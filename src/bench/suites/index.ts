import type { BenchSuite } from '../harness.js';
import { agentSuite } from './agent.js';
import { busSuite } from './bus.js';
import { modelSuite } from './model.js';
import { protoSuite } from './proto.js';
import { simSuite } from './sim.js';
import { storeSuite } from './store.js';

/** Every benchmark suite, in the order `npm run bench` runs them. */
export const suites: readonly BenchSuite[] = [
  protoSuite,
  busSuite,
  storeSuite,
  simSuite,
  agentSuite,
  modelSuite,
];
