import type { PaperRun } from '../agent/paper.js';
import { describePin, pinHotThread } from '../agent/pinning.js';
import { assembleRunningAgent, listenForControl, startHotModels } from '../agent/runtime.js';
import type { TypedBus } from '../bus/typed.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { systemClock } from '../market/system-clock.js';
import type { MarketEvent, Module } from '../market/types.js';
import type { HotModel } from '../model/hot.js';
import { fetchTipFloor } from './feeds.js';
import { loadWallet } from './keypair.js';
import { createLiveStack, type LiveStack, requireEndpoints } from './stack.js';
import { LAMPORTS_PER_SIGNATURE } from './transactions.js';

/**
 * Live mode: the agents of paper mode (same engine, policies, telemetry, kill switch), with the
 * Solana market source and the live executors (or, with `dryRun`, the simulating executor) in
 * place of the simulator. The Jito tip floor's 25th percentile sets the agents' minimum tip:
 * the prior under the tip ladder.
 */
export interface LiveOptions {
  readonly config: Config;
  readonly bus: TypedBus;
  readonly modules: readonly Module[];
  readonly log: Logger;
  readonly dryRun: boolean;
  readonly env: NodeJS.ProcessEnv;
}

export interface LiveRun extends PaperRun {
  readonly stack: LiveStack;
  /** End-of-run lines: stage latencies, safety, dry-run simulations. */
  summary(): string[];
}

const JITO_MIN_TIP_LAMPORTS = 1_000;

export async function startLive(options: LiveOptions): Promise<LiveRun> {
  const { config, bus, log, dryRun } = options;
  const endpoints = requireEndpoints(config.live);
  const wallet = await loadWallet(config.live, options.env);
  const pin = pinHotThread(config.agent, log);
  const clock = systemClock;
  const stack = createLiveStack({
    live: config.live,
    wallet,
    clock,
    log,
    modules: options.modules,
    dryRun,
    bus,
  });
  const floor = await fetchTipFloor(
    endpoints.tipFloorUrl,
    config.live.timeouts.requestMs,
    clock.now(),
  ).catch((err: unknown) => {
    log.warn(
      { err: (err as Error).message },
      'tip floor unavailable at start; minimum tip stays at the Jito minimum',
    );
    return undefined;
  });
  const minTip = Math.max(JITO_MIN_TIP_LAMPORTS, floor?.landedTipLamports.p25 ?? 0);
  const hot = startHotModels(config, options.modules, log);
  const agents = options.modules.map((module, i) =>
    assembleRunningAgent({
      config,
      agentId: `${module}-live-${wallet.address.slice(0, 8)}`,
      module,
      hot: hot[i] as HotModel,
      publisher: bus,
      clock,
      executor: stack.executor,
      log,
      // Sized within the cap, rather than sized freely and then refused by the safety gate.
      maxAmountIn: BigInt(config.live.caps.maxTradeLamports),
      minTipLamports: minTip,
      baseFeeLamports: Number(LAMPORTS_PER_SIGNATURE),
    }),
  );
  const controls = await listenForControl(agents, bus, log);
  try {
    await stack.source.start((event: MarketEvent) => {
      for (const a of agents) a.engine.handle(event);
    });
  } catch (err) {
    for (const h of hot) h.close();
    await Promise.all(controls.map((c) => c.close()));
    await stack.source.stop();
    throw err;
  }
  for (const a of agents) a.telemetry.start(a.engine, config.agent.metricsIntervalMs);
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      for (const a of agents) a.telemetry.stop();
      await Promise.all(controls.map((c) => c.close()));
      await stack.source.stop();
      for (const h of hot) h.close();
      for (const a of agents) a.telemetry.publishMetrics();
    })();
    return stopping;
  };
  // A failed market (or an engine error it carries) stops the agents too, so nothing keeps
  // the process alive publishing metrics of a dead run.
  stack.source.ended.catch((err: unknown) => {
    log.error({ err }, 'live market stopped on an error');
    void stop();
  });
  const caps = config.live.caps;
  const lines = [
    `  pinning ${describePin(pin)}`,
    `  market solana ${endpoints.rpcUrl} + ${endpoints.wsUrl}: ${config.live.pools.length} Raydium CP-Swap pools, slots, leaders, fees`,
    `  jito   ${endpoints.blockEngineUrl}/api/v1/bundles, tip floor ${endpoints.tipFloorUrl} (min tip ${minTip} lamports)`,
    `  wallet ${wallet.address}${dryRun ? ' — DRY RUN: bundles and transactions are simulated, never sent' : ' — LIVE: real transactions'}`,
    `  safety max trade ${caps.maxTradeLamports}, daily loss limit ${caps.dailyLossLimitLamports} (kills via control-proto), balance floor ${caps.balanceFloorLamports} lamports; stale after ${config.live.timeouts.staleAfterMs} ms`,
    ...agents.map(
      (a) =>
        `  agent  ${a.agentId} (${a.module}, ${config.agent.policy} policies) → opportunities, bundle-outcomes-proto, metrics-proto; control ${a.control.state}`,
    ),
  ];
  return {
    agents,
    lines,
    pin,
    clock,
    stack,
    ended: stack.source.ended,
    stop,
    summary() {
      const s = stack.source.stats;
      const d = stack.dryRun?.stats;
      return [
        `  market: ${s.poolEvents} pool updates, ${s.slotEvents} slots, ${stack.source.pubsubStats.connects} connections, ${s.refreshFailures} failed refreshes`,
        `  stages: ${stack.pipeline.latency.describe()}`,
        `  safety: ${stack.safety.stats.refused} refused, day P&L ${stack.safety.dayProfitLamports} lamports${stack.safety.stats.killed ? ', KILLED by the daily loss limit' : ''}`,
        ...(d === undefined
          ? []
          : [
              `  dry run: ${d.simulated} simulated (${d.bundles} bundles, ${d.transactions} transactions), ${d.succeeded} succeeded, ${d.failed} failed`,
            ]),
      ];
    },
  };
}
