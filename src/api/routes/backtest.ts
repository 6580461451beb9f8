import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Comparison } from '../../agent/backtest.js';
import { comparisonJson, seedsSummaryJson } from '../../agent/backtest-report.js';
import { parseSeeds, summarizeSeeds } from '../../agent/backtest-seeds.js';
import type { BacktestWorkerData } from '../../agent/backtest-worker.js';
import { settingsFrom } from '../../agent/config.js';
import type { WorkerReply } from '../../agent/worker-pool.js';
import { LandfallError } from '../../errors.js';
import type { ApiContext } from '../app.js';
import { InvalidBodyError, parseBody } from '../body.js';
import { readRoute } from './options.js';

/** Bounds that keep one request from holding a core for long: at most a minute or so here. */
export const BACKTEST_LIMITS = { maxSeeds: 8, maxMinutes: 60, maxSeedMinutes: 240 } as const;

export const backtestBodySchema = z.strictObject({
  /** `1-4`, `1,3,7`, or a list of seeds. */
  seeds: z.union([
    z.string().min(1).max(200),
    z
      .array(z.number().int().min(0).max(Number.MAX_SAFE_INTEGER))
      .min(1)
      .max(BACKTEST_LIMITS.maxSeeds),
  ]),
  minutes: z.number().int().min(1).max(BACKTEST_LIMITS.maxMinutes).default(10),
});

/**
 * POST /api/backtest: `landfall backtest --seeds` on this process's sim config and agent
 * settings, for any signed-in caller (it reads nothing and changes nothing). The seeds run one
 * after another on one worker thread, so the event loop keeps answering and a core stays free;
 * one backtest at a time per process (429 while one runs), and seeds × minutes is bounded.
 * The answer is the `landfall backtest` JSON: the summary over seeds, and each seed's policies
 * with their cumulative profit per simulated minute.
 */
export function registerBacktest(app: FastifyInstance, ctx: ApiContext): void {
  let running = false;
  app.post('/api/backtest', readRoute(), async (request) => {
    const parsed = parseBody(backtestBodySchema, request.body ?? {});
    const seeds = seedsOf(parsed.seeds);
    const { minutes } = parsed;
    if (seeds.length * minutes > BACKTEST_LIMITS.maxSeedMinutes)
      throw new InvalidBodyError(
        'minutes',
        `${seeds.length} seeds × ${minutes} minutes is over ${BACKTEST_LIMITS.maxSeedMinutes} simulated minutes: fewer seeds or minutes (landfall backtest has no bound)`,
      );
    if (running)
      throw new LandfallError(
        'LF_API_RATE_LIMITED',
        'a backtest is already running in this process: try again when it has finished',
      );
    running = true;
    const began = performance.now();
    try {
      const workerData: BacktestWorkerData = {
        minutes,
        sim: ctx.config.sim,
        settings: settingsFrom(ctx.config.agent),
      };
      const comparisons = await runOffThread(seeds, workerData);
      const wallMs = performance.now() - began;
      return {
        summary: seedsSummaryJson(summarizeSeeds(comparisons), { jobs: 1, wallMs }),
        seeds: comparisons.map(comparisonJson),
      };
    } finally {
      running = false;
    }
  });
}

function seedsOf(given: string | number[]): number[] {
  let seeds: number[];
  try {
    const text = typeof given === 'string' ? given : given.join(',');
    seeds = parseSeeds(text, BACKTEST_LIMITS.maxSeeds);
  } catch (err) {
    throw new InvalidBodyError('seeds', (err as Error).message);
  }
  return seeds;
}

/**
 * Each seed on one worker thread of `landfall backtest` (src/agent/backtest-worker.ts), one
 * after another; the thread ends with the request. Its flags are this process's without
 * `--input-type`, which applies to a `-e` entry (as tests start landfall) and would refuse the
 * worker's file.
 */
async function runOffThread(seeds: number[], data: BacktestWorkerData): Promise<Comparison[]> {
  const worker = new Worker(workerUrl(), {
    workerData: data,
    execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type')),
  });
  // A crash, or an exit, fails the seed in progress (and is never an unhandled 'error').
  let fail: (err: unknown) => void = () => undefined;
  worker.on('error', (err) => fail(err));
  worker.on('exit', (code) =>
    fail(new LandfallError('LF_INTERNAL', `the backtest worker exited (code ${code})`)),
  );
  try {
    const out: Comparison[] = [];
    for (const seed of seeds) {
      const reply = await new Promise<WorkerReply<Comparison>>((resolve, reject) => {
        fail = reject;
        worker.once('message', resolve);
        worker.postMessage(seed);
      });
      if (!reply.ok)
        throw new LandfallError('LF_INTERNAL', `backtest of seed ${seed} failed: ${reply.error}`);
      out.push(reply.result);
    }
    return out;
  } finally {
    await worker.terminate();
  }
}

/**
 * The compiled worker beside the compiled API; from the TypeScript sources (tests run
 * `landfall` that way), the .ts file, which a worker thread loads with the parent's TypeScript
 * flags (src/testing/ts-child.ts).
 */
function workerUrl(): URL {
  const js = new URL('../../agent/backtest-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return js;
  return new URL('../../agent/backtest-worker.ts', import.meta.url);
}
