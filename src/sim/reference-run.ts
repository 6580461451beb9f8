import { performance } from 'node:perf_hooks';
import type { SimConfigInput } from './config.js';
import {
  DEFAULT_REFERENCE,
  type ReferenceOptions,
  type ReferenceReport,
  ReferenceSearcher,
} from './reference-searcher.js';
import { Simulator } from './simulator.js';
import type { SimStats } from './stats.js';

export interface ReferenceRunOptions {
  /** The `sim` config section; a backtest always runs at virtual pace. */
  config?: SimConfigInput;
  minutes: number;
  policy?: ReferenceOptions;
  /** Called every simulated `progressEveryMs` (default 10 s) with simulated ms done. */
  onProgress?: (simulatedMs: number) => void;
  progressEveryMs?: number;
}

export interface ReferenceRunResult {
  stats: SimStats;
  report: ReferenceReport;
  policy: ReferenceOptions;
  seed: number;
  wallMs: number;
}

/** Runs the reference searcher against a fresh simulator for `minutes` of simulated time. */
export async function runReferenceSearcher(
  options: ReferenceRunOptions,
): Promise<ReferenceRunResult> {
  const durationMs = options.minutes * 60_000;
  const sim = new Simulator({ ...options.config, pace: 'virtual' }, { durationMs });
  const policy = options.policy ?? DEFAULT_REFERENCE;
  const searcher = new ReferenceSearcher(sim.executor, policy);
  const onProgress = options.onProgress;
  if (onProgress !== undefined) {
    const every = options.progressEveryMs ?? 10_000;
    const start = sim.clock.now();
    const tick = () => {
      onProgress(sim.clock.now() - start);
      sim.clock.schedule(every, tick);
    };
    sim.clock.schedule(every, tick);
  }
  const began = performance.now();
  const stats = await sim.run(searcher.handle);
  return {
    stats,
    report: searcher.report,
    policy,
    seed: sim.config.seed,
    wallMs: performance.now() - began,
  };
}
