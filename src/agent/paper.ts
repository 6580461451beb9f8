import { resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { MarketEvent, Module } from '../market/types.js';
import { HotModel } from '../model/hot.js';
import { ModelScorer } from '../model/scorer.js';
import { Simulator } from '../sim/index.js';
import { createAgent, type PolicyPair } from './assemble.js';
import { settingsFrom } from './config.js';
import type { Engine } from './engine.js';
import { FEATURE_NAMES, FEATURE_SET, HeuristicScorer } from './scorer.js';
import { Telemetry, type TelemetryPublisher } from './telemetry.js';

/** One running agent, as `landfall up` and `landfall agent` report it. */
export interface RunningAgent {
  readonly agentId: string;
  readonly module: Module;
  readonly engine: Engine;
  readonly telemetry: Telemetry;
}

export interface PaperRun {
  readonly agents: readonly RunningAgent[];
  /** Banner lines: where the market comes from and where each agent's data goes. */
  readonly lines: readonly string[];
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
}

/**
 * Paper mode: the seeded simulator paced to wall time as the market source and executor, with
 * one agent per module trading on it and publishing its telemetry. The agents see only the
 * MarketSource/Executor/Clock interfaces, exactly as they will see the live Solana adapters.
 */
export async function startPaper(options: PaperOptions): Promise<PaperRun> {
  const { config, publisher, log } = options;
  // Paced to the wall clock, the market must also carry wall-clock times: rows stored with the
  // backtest start date (sim.startTimeMs) would be past the store's delete TTL at once.
  const sim = new Simulator({ ...config.sim, pace: 'wall', startTimeMs: Date.now() });
  const policy: PolicyPair = { kind: config.agent.policy };
  const settings = settingsFrom(config.agent);
  // Each agent follows lib<module>_latest.so in the registry; the heuristic serves until a
  // valid model is published there.
  const modelDir = resolve(config.home, config.model.dir);
  const hot = options.modules.map(
    (module) =>
      new HotModel({
        dir: modelDir,
        module,
        featureNames: FEATURE_NAMES,
        debounceMs: config.model.debounceMs,
        logger: log,
      }),
  );
  for (const h of hot) h.start();
  const agents: RunningAgent[] = options.modules.map((module, i) => {
    const agentId = `${module}-paper-${config.sim.seed}`;
    const telemetry = new Telemetry(publisher, agentId, module, sim.clock, (err) =>
      log.warn({ err, agentId }, 'telemetry publish failed'),
    );
    const engine = createAgent({
      agentId,
      module,
      executor: sim.executor,
      policy,
      settings,
      observers: [telemetry],
      minTipLamports: sim.config.jito.minTipLamports,
      baseFeeLamports: sim.config.chain.baseFeeLamports,
      scorer: new ModelScorer({
        models: { [module]: hot[i] },
        fallback: new HeuristicScorer(),
        featureSet: FEATURE_SET,
      }),
    });
    return { agentId, module, engine, telemetry };
  });
  await sim.source.start((event: MarketEvent) => {
    for (const a of agents) a.engine.handle(event);
  });
  for (const a of agents) a.telemetry.start(a.engine, config.agent.metricsIntervalMs);
  sim.source.ended.catch((err: unknown) => log.error({ err }, 'paper market stopped on an error'));
  const topicOf = (m: Module) =>
    m === 'arb' ? 'arb-opportunities-proto' : 'mev-opportunities-proto';
  const lines = [
    `  market simulator seed ${sim.config.seed}, wall pace ×${sim.config.speed} (paper: no network)`,
    `  models ${modelDir}: lib<module>_latest.so hot-reloaded; ${hot
      .map((h, i) => `${options.modules[i]} ${h.version ?? 'heuristic (no model yet)'}`)
      .join(', ')}`,
    ...agents.map(
      (a) =>
        `  agent  ${a.agentId} (${a.module}, ${config.agent.policy} policies) → ${topicOf(a.module)}, bundle-outcomes-proto, metrics-proto every ${config.agent.metricsIntervalMs} ms`,
    ),
  ];
  let stopping: Promise<void> | undefined;
  return {
    agents,
    lines,
    ended: sim.source.ended,
    stop() {
      stopping ??= (async () => {
        for (const a of agents) a.telemetry.stop();
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
