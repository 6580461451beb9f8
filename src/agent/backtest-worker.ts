import { parentPort, workerData } from 'node:worker_threads';
import { type ComparisonOptions, comparePolicies } from './backtest.js';
import type { WorkerReply } from './worker-pool.js';

/**
 * A worker thread of `compareSeeds` (backtest-seeds.ts): takes a seed per message, runs every
 * policy on it, and answers with the comparison (bigints survive the structured clone).
 */
export type BacktestWorkerData = Omit<ComparisonOptions, 'seed'>;

const port = parentPort;
if (port === null) throw new Error('backtest-worker.ts runs only as a worker thread');
const base = workerData as BacktestWorkerData;
port.on('message', (seed: number) => {
  comparePolicies({ ...base, seed }).then(
    (result) => port.postMessage({ ok: true, result } satisfies WorkerReply<unknown>),
    (err: unknown) =>
      port.postMessage({
        ok: false,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      } satisfies WorkerReply<unknown>),
  );
});
