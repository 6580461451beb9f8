import type { Worker } from 'node:worker_threads';
import { bridgeBus } from '../bus/port-bridge.js';
import { portOf } from '../bus/port-bus.js';
import type { TypedBus } from '../bus/typed.js';
import type { Config } from '../config/schema.js';
import { LandfallError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Clock, Module } from '../market/types.js';
import { startModuleWorker } from '../ops/module-worker.js';
import { WakeableSleep } from '../ops/wakeable-sleep.js';
import type { MarketMode } from '../system/consent.js';
import type { MarketFigures } from '../system/market-view.js';
import type { WarmStart } from '../system/warm-start.js';
import { FollowedClock } from './agent-thread-clock.js';
import {
  type AgentThreadData,
  type AgentThreadEvent,
  errorOfThread,
  type ThreadMarketInfo,
} from './agent-thread-protocol.js';
import { ThreadShare } from './agent-thread-share.js';
import type { AgentRun } from './run.js';

export interface AgentThreadOptions {
  readonly config: Config;
  /** The process's bus: telemetry is published on it, control commands come from it. */
  readonly bus: TypedBus;
  readonly mode: MarketMode;
  readonly modules: readonly Module[];
  readonly log: Logger;
  readonly warmMinutes?: number;
  /** Telemetry publishes the thread may have unconfirmed; beyond, it drops them (and logs). */
  readonly maxQueued?: number;
  /** The thread's environment (live endpoints, keys); the process's by default. */
  readonly env?: NodeJS.ProcessEnv;
}

/** The agents on their thread, with what the main thread can still see of their market. */
export interface AgentThread extends AgentRun {
  /** The market's tag (`paper-<seed>`, …). */
  readonly tag: string;
  /** The market's clock as the thread last shared it, carried forward (agent-thread-clock.ts). */
  readonly clock: Clock;
  /** The market panel's figures as the thread last wrote them. */
  figures(): MarketFigures;
  /** The paper market's warm start, followed from here. */
  readonly warm?: WarmStart;
}

const WORKER = new URL('./agent-thread-worker.js', import.meta.url);
const DEFAULT_MAX_QUEUED = 65_536;
/** Within `up`'s own 30 s stop bound, so the sink still drains after the thread is ended. */
const STOP_GRACE_MS = 15_000;

/**
 * Runs the market and the agents on their own worker thread: the hot path (event → decision →
 * submission) has an event loop to itself, so the store, sink, API, gateway, guard and trainer
 * on the main thread cannot delay it, and `agent.cpus` pins that thread alone. Telemetry leaves
 * through a bounded queue to the main thread's bus (what the bound refuses is counted and
 * logged there); control commands come back the same way. The market's clock and the panel's
 * figures are shared memory the thread writes as events pass (agent-thread-share.ts).
 *
 * `agents` is empty: the engines live on the other thread (their figures reach the rest of
 * the system as telemetry, as they would from `landfall agent`). A thread that fails or exits
 * unasked rejects `ended` (and a warm start's `caughtUp`) with what it said.
 */
export async function startAgentThread(options: AgentThreadOptions): Promise<AgentThread> {
  const share = new ThreadShare();
  const data: AgentThreadData = {
    config: options.config,
    mode: options.mode,
    modules: [...options.modules],
    maxQueued: options.maxQueued ?? DEFAULT_MAX_QUEUED,
    share: share.buffer,
    logLevel: options.log.level,
    ...(options.warmMinutes === undefined ? {} : { warmMinutes: options.warmMinutes }),
  };
  const worker = startModuleWorker(WORKER, {
    workerData: data,
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  const unbridge = bridgeBus(options.bus.bus, portOf(worker));
  let crash: string | undefined;
  worker.on('error', (err) => {
    crash = err instanceof Error ? (err.stack ?? err.message) : String(err);
    options.log.error({ err }, "the agents' thread failed");
  });
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  const died = (code: number) =>
    new LandfallError(
      'LF_INTERNAL',
      `the agents' thread exited (code ${code})${crash === undefined ? '' : `: ${crash}`}`,
    );

  const ended = settleable();
  const caughtUp = settleable();
  let summary: string[] = [];
  let stopRequested = false;
  const stopped = new Promise<void>((resolve) => {
    worker.on('message', (e: AgentThreadEvent) => {
      if (e.t === 'stopped') {
        summary =
          e.dropped === 0
            ? e.summary
            : [
                ...e.summary,
                `  telemetry: ${e.dropped} publishes dropped beyond the queue bound (${data.maxQueued})`,
              ];
        resolve();
      } else if (e.t === 'ended') {
        if (e.error === undefined) ended.resolve();
        else ended.reject(errorOfThread(e.error, "the agents' market failed"));
      } else if (e.t === 'caughtUp') {
        if (e.error === undefined) caughtUp.resolve();
        else caughtUp.reject(errorOfThread(e.error, "the agents' market failed"));
      }
    });
  });
  void exited.then((code) => {
    void unbridge();
    if (stopRequested) {
      ended.resolve();
      caughtUp.resolve();
    } else {
      ended.reject(died(code));
      caughtUp.reject(died(code));
    }
  });

  let ready: Extract<AgentThreadEvent, { t: 'ready' }>;
  try {
    ready = await new Promise((resolve, reject) => {
      worker.on('message', (e: AgentThreadEvent) => {
        if (e.t === 'ready') resolve(e);
        if (e.t === 'failed') reject(errorOfThread(e.error, "the agents' thread could not start"));
      });
      void exited.then((code) => reject(died(code)));
    });
  } catch (err) {
    await shutdown(worker, unbridge, exited);
    throw err;
  }

  const info = ready.market;
  const clock = new FollowedClock(share);
  let stopping: Promise<void> | undefined;
  return {
    agents: [],
    agentIds: info.agentIds,
    tag: info.tag,
    clock,
    figures: () => figuresFrom(share, info),
    ...(info.warm === undefined ? {} : { warm: warmFrom(info.warm, clock, caughtUp.promise) }),
    lines: [
      `  thread agents and market on worker thread ${worker.threadId}; telemetry through a queue of ≤ ${data.maxQueued}`,
      ...ready.lines,
    ],
    pin: ready.pin,
    ended: ended.promise,
    stop() {
      stopping ??= (async () => {
        stopRequested = true;
        worker.postMessage({ t: 'stop' });
        // A thread that stops answering must not hold `up`'s stop: past the grace it is ended.
        const grace = new WakeableSleep();
        const late = await Promise.race([
          stopped.then(() => false),
          exited.then(() => false),
          grace.sleep(STOP_GRACE_MS).then(() => true),
        ]);
        grace.wake();
        if (late)
          options.log.error(
            `the agents' thread did not stop within ${STOP_GRACE_MS / 1000} s: ended, what it had not yet sent is lost`,
          );
        await shutdown(worker, unbridge, exited);
      })();
      return stopping;
    },
    summary: () => summary,
  };
}

function figuresFrom(share: ThreadShare, info: ThreadMarketInfo): MarketFigures {
  const f = share.readFigures();
  const regime = info.regimes[f.regime];
  return {
    atMs: f.atMs,
    ...(info.startTimeMs === undefined || Number.isNaN(f.marketEvents)
      ? {}
      : {
          sim: {
            marketEvents: f.marketEvents,
            ours: f.ours,
            theirs: f.theirs,
            regime: regime ?? 'unknown',
            startTimeMs: info.startTimeMs,
          },
        }),
    seen: f.seen,
    taken: f.taken,
  };
}

function warmFrom(
  warm: NonNullable<ThreadMarketInfo['warm']>,
  clock: Clock,
  caughtUp: Promise<void>,
): WarmStart {
  return {
    minutes: warm.minutes,
    progress: () => ({
      doneMs: Math.min(warm.totalMs, Math.max(0, clock.now() - warm.startMs)),
      totalMs: warm.totalMs,
    }),
    caughtUp,
  };
}

/** A promise settled from outside, settled once; its rejection is handled here. */
function settleable(): {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
} {
  let resolve: () => void = () => {};
  let reject: (err: Error) => void = () => {};
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

async function shutdown(
  worker: Worker,
  unbridge: () => Promise<void>,
  exited: Promise<number>,
): Promise<void> {
  await unbridge();
  await worker.terminate();
  await exited;
}
