import type { TypedBus } from '../bus/typed.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Clock, MarketEvent, Module } from '../market/types.js';
import type { HotModel } from '../model/hot.js';
import { Simulator } from '../sim/index.js';
import type { AgentControl } from './control.js';
import type { Engine } from './engine.js';
import { describePin, type PinResult, pinHotThread } from './pinning.js';
import { assembleRunningAgent, listenForControl, modelDirOf, startHotModels } from './runtime.js';
import type { Telemetry, TelemetryPublisher } from './telemetry.js';

/** One running agent, as `landfall up` and `landfall agent` report it. */
export interface RunningAgent {
  readonly agentId: string;
  readonly module: Module;
  readonly engine: Engine;
  readonly telemetry: Telemetry;
  /** Its kill switch and throttle (state persisted under `home`). */
  readonly control: AgentControl;
}

export interface PaperRun {
  readonly agents: readonly RunningAgent[];
  /** Banner lines: where the market comes from and where each agent's data goes. */
  readonly lines: readonly string[];
  /** The hot thread's CPUs and scheduling as the kernel granted them (agent.cpus, priority). */
  readonly pin: PinResult;
  /** The market's clock, which stamps the agents' metrics (the guard judges on it). */
  readonly clock: Clock;
  /** Settles when the market ends by itself (it does not in paper mode) or fails. */
  readonly ended: Promise<void>;
  /** Stops the market, publishes each agent's last metrics; idempotent. */
  stop(): Promise<void>;
}

export interface PaperOptions {
  readonly config: Config;
  readonly publisher: TelemetryPublisher;
  readonly modules: readonly Module[];
  readonly log: Logger;
  /** Where control commands come from and acks go; without it the agents obey only the kill file. */
  readonly controlBus?: TypedBus;
}

/**
 * Paper mode: the seeded simulator paced to wall time as the market source and executor, with
 * one agent per module trading on it and publishing its telemetry. The agents see only the
 * MarketSource/Executor/Clock interfaces, exactly as they will see the live Solana adapters.
 */
export async function startPaper(options: PaperOptions): Promise<PaperRun> {
  const { config, publisher, log } = options;
  // Pinned before anything starts, so every event is handled on the configured CPUs.
  const pin = pinHotThread(config.agent, log);
  // Paced to the wall clock, the market must also carry wall-clock times: rows stored with the
  // backtest start date (sim.startTimeMs) would be past the store's delete TTL at once.
  const sim = new Simulator({ ...config.sim, pace: 'wall', startTimeMs: Date.now() });
  const hot = startHotModels(config, options.modules, log);
  const agents = options.modules.map((module, i) =>
    assembleRunningAgent({
      config,
      agentId: `${module}-paper-${config.sim.seed}`,
      module,
      hot: hot[i] as HotModel,
      publisher,
      clock: sim.clock,
      executor: sim.executor,
      log,
      minTipLamports: sim.config.jito.minTipLamports,
      baseFeeLamports: sim.config.chain.baseFeeLamports,
    }),
  );
  const controls =
    options.controlBus === undefined ? [] : await listenForControl(agents, options.controlBus, log);
  await sim.source.start((event: MarketEvent) => {
    for (const a of agents) a.engine.handle(event);
  });
  for (const a of agents) a.telemetry.start(a.engine, config.agent.metricsIntervalMs);
  sim.source.ended.catch((err: unknown) => log.error({ err }, 'paper market stopped on an error'));
  const topicOf = (m: Module) =>
    m === 'arb' ? 'arb-opportunities-proto' : 'mev-opportunities-proto';
  const lines = [
    `  pinning ${describePin(pin)}${pin.warnings.length > 0 ? `; ${pin.warnings.join('; ')}` : ''}`,
    `  market simulator seed ${sim.config.seed}, wall pace ×${sim.config.speed} (paper: no network)`,
    `  models ${modelDirOf(config)}: lib<module>_latest.so hot-reloaded; ${hot
      .map((h, i) => `${options.modules[i]} ${h.version ?? 'heuristic (no model yet)'}`)
      .join(', ')}`,
    ...agents.map(
      (a) =>
        `  agent  ${a.agentId} (${a.module}, ${config.agent.policy} policies) → ${topicOf(a.module)}, bundle-outcomes-proto, metrics-proto every ${config.agent.metricsIntervalMs} ms`,
    ),
    ...agents.map(
      (a) =>
        `  control ${a.agentId}: ${a.control.state}${options.controlBus === undefined ? ' (no control bus: kill file only)' : ', obeys control-proto, acks on control-acks-proto'}; kill state ${a.control.kill.path}`,
    ),
  ];
  let stopping: Promise<void> | undefined;
  return {
    agents,
    lines,
    pin,
    clock: sim.clock,
    ended: sim.source.ended,
    stop() {
      stopping ??= (async () => {
        for (const a of agents) a.telemetry.stop();
        await Promise.all(controls.map((c) => c.close()));
        await sim.source.stop();
        for (const h of hot) h.close();
        for (const a of agents) a.telemetry.publishMetrics();
      })();
      return stopping;
    },
  };
}

/** One line per agent for the end of a run. */
export function summaryLines(run: PaperRun): string[] {
  return run.agents.map((a) => {
    const c = a.engine.counters;
    const h = a.engine.hotPath;
    const p99 = h.totalCount === 0 ? 0 : h.getValueAtPercentile(99) / 1000;
    return `  ${a.agentId}: ${c.opportunities} opportunities, ${c.submissions} submitted, ${c.landed}/${c.decided} landed, hot path p99 ${p99.toFixed(0)} µs`;
  });
}
