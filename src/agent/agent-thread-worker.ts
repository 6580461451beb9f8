import { parentPort, workerData } from 'node:worker_threads';
import { PortBus, PortQueueFullError, portOf } from '../bus/port-bus.js';
import { TypedBus } from '../bus/typed.js';
import { createLogger } from '../log.js';
import type { Market } from '../market/types.js';
import type { SimMarket } from '../sim/index.js';
import { openMarket } from '../system/market.js';
import { figuresOf, type MarketFigures } from '../system/market-view.js';
import { warmStartOf } from '../system/warm-start.js';
import {
  type AgentThreadData,
  type AgentThreadEvent,
  type ThreadMarketInfo,
  threadErrorOf,
} from './agent-thread-protocol.js';
import { sharedWallMs, ThreadShare } from './agent-thread-share.js';
import { type AgentRun, runAgents } from './run.js';

// The agents' thread: the market and the agents' engines run here, on an event loop of their
// own, pinned (runAgents pins the calling thread) when agent.cpus is set. The bus they publish
// telemetry to and take control commands from is the process's, through the main thread.
const port = parentPort;
if (!port) throw new Error('agent-thread-worker.ts runs as a worker thread (see agent-thread.ts)');
const data = workerData as AgentThreadData;
const post = (event: AgentThreadEvent) => port.postMessage(event);
const log = createLogger(data.logLevel, 'agents');
const portBus = new PortBus(portOf(port), { maxQueued: data.maxQueued });
const bus = new TypedBus(portBus);
const share = new ThreadShare(data.share);
/** The panel's figures are rewritten at most this often (the clock at every event). */
const FIGURES_EVERY_MS = 50;
const DROPS_LOGGED_EVERY_MS = 1_000;

try {
  const market = await openMarket(data.mode, {
    config: data.config,
    log,
    modules: data.modules,
    env: process.env,
    bus,
    ...(data.warmMinutes === undefined ? {} : { warmMinutes: data.warmMinutes }),
  });
  const sim = 'simulator' in market ? (market as SimMarket).simulator : undefined;
  const warm = warmStartOf(market);
  // Market ms per wall ms: the simulator's speed once it follows the wall clock; a warm start
  // runs at virtual pace (0: the main thread carries nothing forward) until it catches up.
  let rate = sim === undefined ? 1 : sim.config.pace === 'wall' ? sim.config.speed : 0;
  warm?.caughtUp.then(
    () => {
      rate = sim?.config.speed ?? 1;
      post({ t: 'caughtUp' });
    },
    (err: unknown) => post({ t: 'caughtUp', error: threadErrorOf(err) }),
  );
  let figures: (() => MarketFigures) | undefined;
  let figuresAt = Number.NEGATIVE_INFINITY;
  const regimes = Object.keys(sim?.config.rivals.regimes ?? {});
  const writeFigures = (wallMs: number) => {
    figuresAt = wallMs;
    const f = figures?.();
    if (f === undefined) return;
    share.writeFigures({
      atMs: f.atMs,
      marketEvents: f.sim?.marketEvents ?? Number.NaN,
      ours: f.sim?.ours ?? 0,
      theirs: f.sim?.theirs ?? 0,
      regime: f.sim === undefined ? -1 : regimes.indexOf(f.sim.regime),
      seen: f.seen,
      taken: f.taken,
    });
  };
  const afterEvent = () => {
    const wallMs = sharedWallMs();
    share.writeClock(market.clock.now(), wallMs, rate);
    if (wallMs - figuresAt >= FIGURES_EVERY_MS) writeFigures(wallMs);
  };
  share.writeClock(market.clock.now(), sharedWallMs(), rate);
  const run = await runAgents(market, {
    config: data.config,
    publisher: bus,
    controlBus: bus,
    modules: data.modules,
    log,
    afterEvent,
    // Refusals of a full queue are counted by the bus and logged below, not one by one.
    onPublishError: (err, agentId) => {
      if (!(err instanceof PortQueueFullError))
        log.warn({ err, agentId }, 'telemetry publish failed');
    },
  }).catch(async (err: unknown) => {
    await market.stop();
    throw err;
  });
  figures = figuresOf(market, run.agents);
  writeFigures(sharedWallMs());
  const drops = logDrops();
  run.ended.then(
    () => post({ t: 'ended' }),
    (err: unknown) => post({ t: 'ended', error: threadErrorOf(err) }),
  );
  port.on('message', (m: { t?: string }) => {
    if (m.t === 'stop') void stop(run, drops);
  });
  post({ t: 'ready', lines: [...run.lines], pin: run.pin, market: infoOf(market, run, regimes) });
} catch (err) {
  post({ t: 'failed', error: threadErrorOf(err) });
}

async function stop(run: AgentRun, drops: NodeJS.Timeout): Promise<void> {
  await run.stop();
  // The last metrics and outcomes reach the bus before the main thread stops the sink.
  await portBus.close();
  clearInterval(drops);
  const dropped = portBus.dropped;
  if (dropped > 0)
    log.warn({ dropped }, 'telemetry dropped in this run: the main thread fell behind');
  post({ t: 'stopped', summary: run.summary(), dropped });
}

/** Logs, once a second at most, how many telemetry publishes the full queue refused. */
function logDrops(): NodeJS.Timeout {
  let logged = 0;
  const timer = setInterval(() => {
    const dropped = portBus.dropped;
    if (dropped === logged) return;
    log.warn(
      { dropped: dropped - logged, total: dropped, bound: data.maxQueued },
      'telemetry dropped: the main thread has the queue full',
    );
    logged = dropped;
  }, DROPS_LOGGED_EVERY_MS);
  timer.unref();
  return timer;
}

function infoOf(market: Market, run: AgentRun, regimes: string[]): ThreadMarketInfo {
  const sim = 'simulator' in market ? (market as SimMarket).simulator : undefined;
  const warm = warmStartOf(market);
  const totalMs = warm === undefined ? 0 : warm.progress().totalMs;
  return {
    tag: market.tag,
    agentIds: [...run.agentIds],
    regimes,
    ...(sim === undefined ? {} : { startTimeMs: sim.config.startTimeMs }),
    ...(warm === undefined
      ? {}
      : { warm: { minutes: warm.minutes, startMs: sim?.config.startTimeMs ?? 0, totalMs } }),
  };
}
