import { resolve } from 'node:path';
import type { TypedBus } from '../bus/typed.js';
import type { Subscription } from '../bus/types.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Clock, Executor, Module } from '../market/types.js';
import { HotModel } from '../model/hot.js';
import { ModelScorer } from '../model/scorer.js';
import { createAgent, type PolicyPair } from './assemble.js';
import { settingsFrom } from './config.js';
import { AgentControl } from './control.js';
import type { RunningAgent } from './paper.js';
import { FEATURE_NAMES, FEATURE_SET, HeuristicScorer } from './scorer.js';
import { Telemetry, type TelemetryPublisher } from './telemetry.js';

/**
 * What every running agent is made of, whatever its market (paper or live): a hot model per
 * module, telemetry, the control gate (kill, throttle) and the engine between them.
 */

/** The registry directory agents follow. */
export function modelDirOf(config: Config): string {
  return resolve(config.home, config.model.dir);
}

/**
 * One hot model per module, started: each follows lib<module>_latest.so in the registry, and
 * the heuristic serves until a valid model is published there.
 */
export function startHotModels(
  config: Config,
  modules: readonly Module[],
  log: Logger,
): HotModel[] {
  const hot = modules.map(
    (module) =>
      new HotModel({
        dir: modelDirOf(config),
        module,
        featureNames: FEATURE_NAMES,
        debounceMs: config.model.debounceMs,
        logger: log,
      }),
  );
  for (const h of hot) h.start();
  return hot;
}

export interface AgentParts {
  readonly config: Config;
  readonly agentId: string;
  readonly module: Module;
  readonly hot: HotModel;
  readonly publisher: TelemetryPublisher;
  readonly clock: Clock;
  readonly executor: Executor;
  readonly log: Logger;
  readonly minTipLamports: number;
  readonly baseFeeLamports: number;
  /** Sizes candidates within this input (live trading's per-trade cap). */
  readonly maxAmountIn?: bigint;
}

/** Telemetry, control gate, scorer and engine for one agent, wired. */
export function assembleRunningAgent(p: AgentParts): RunningAgent {
  const { config, agentId, module, log } = p;
  const telemetry = new Telemetry(
    p.publisher,
    agentId,
    module,
    p.clock,
    (err) => log.warn({ err, agentId }, 'telemetry publish failed'),
    config.guard.slo.hotpathP99Ms,
  );
  const control = new AgentControl({
    agentId,
    module,
    home: config.home,
    throttleDefaults: config.guard.throttle,
    clock: p.clock,
  });
  const policy: PolicyPair = { kind: config.agent.policy };
  const engine = createAgent({
    agentId,
    module,
    executor: p.executor,
    policy,
    settings: settingsFrom(config.agent),
    observers: [telemetry],
    gate: control,
    ...(p.maxAmountIn === undefined ? {} : { maxAmountIn: p.maxAmountIn }),
    minTipLamports: p.minTipLamports,
    baseFeeLamports: p.baseFeeLamports,
    scorer: new ModelScorer({
      models: { [module]: p.hot },
      fallback: new HeuristicScorer(),
      featureSet: FEATURE_SET,
    }),
  });
  return { agentId, module, engine, telemetry, control };
}

/** Each agent obeys control-proto for its module; its acks that did not apply are logged. */
export async function listenForControl(
  agents: readonly RunningAgent[],
  bus: TypedBus,
  log: Logger,
): Promise<Subscription[]> {
  const subs: Subscription[] = [];
  for (const a of agents) {
    const onAck = (ack: { applied: boolean; message: string }) =>
      log.warn({ agentId: a.agentId, applied: ack.applied }, `control: ${ack.message}`);
    subs.push(await a.control.listen(bus, onAck));
  }
  return subs;
}
