import { resolve } from 'node:path';
import { controlVerifierFrom } from '../auth/control-signature.js';
import type { TypedBus } from '../bus/typed.js';
import type { Subscription } from '../bus/types.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Market, MarketEvent, Module } from '../market/types.js';
import { HotModel } from '../model/hot.js';
import { ModelScorer } from '../model/scorer.js';
import { ShadowScorer } from '../model/shadow.js';
import { describePin, type PinResult, pinHotThread } from '../ops/pinning.js';
import { createAgent, newRunId } from './assemble.js';
import { CompetitionSignal } from './competition-signal.js';
import { paperExplorationOf, settingsFrom } from './config.js';
import { AgentControl } from './control.js';
import type { Engine } from './engine.js';
import { FEATURE_NAMES, FEATURE_SET } from './features.js';
import { HeuristicScorer } from './scorer.js';
import { Telemetry, type TelemetryPublisher } from './telemetry.js';

/** One running agent, as `landfall up` and `landfall agent` report it. */
export interface RunningAgent {
  readonly agentId: string;
  readonly module: Module;
  readonly engine: Engine;
  readonly telemetry: Telemetry;
  /** The candidate scoring in shadow (config `model.shadow.<module>`), if one was chosen. */
  readonly shadow?: ShadowScorer;
  /** Its kill switch and throttle (state persisted under `home`). */
  readonly control: AgentControl;
}

export interface AgentRun {
  /** The agents, when they run on this thread (empty when on their own: agent-thread.ts). */
  readonly agents: readonly RunningAgent[];
  /** Every agent's id, wherever it runs. */
  readonly agentIds: readonly string[];
  /** Banner lines: pinning, the market, models, and where each agent's data goes. */
  readonly lines: readonly string[];
  /** The hot thread's CPUs and scheduling as the kernel granted them (agent.cpus, priority). */
  readonly pin: PinResult;
  /** Settles when the market ends by itself (a backtest's horizon) or fails. */
  readonly ended: Promise<void>;
  /** Stops the market, then publishes each agent's last metrics; idempotent. */
  stop(): Promise<void>;
  /** End-of-run lines: each agent, then the market's own. */
  summary(): string[];
}

export interface RunOptions {
  readonly config: Config;
  readonly publisher: TelemetryPublisher;
  readonly modules: readonly Module[];
  readonly log: Logger;
  /** Where control commands come from and acks go; without it the agents obey only the kill file. */
  readonly controlBus?: TypedBus;
  /** Runs after every agent handled an event (the agents' thread shares the market's clock). */
  readonly afterEvent?: () => void;
  /** A telemetry publish that failed; logged as a warning when absent. */
  readonly onPublishError?: (err: unknown, agentId: string) => void;
}

/**
 * Runs one agent per module on `market`, whatever it is (the simulator, Solana live or dry-run):
 * each with a hot model following the registry, telemetry, the control gate (kill, throttle)
 * and the engine between them. A market that fails stops the agents too, so nothing keeps the
 * process alive publishing metrics of a dead run.
 */
export async function runAgents(market: Market, options: RunOptions): Promise<AgentRun> {
  const { config, log } = options;
  // Pinned before anything starts, so every event is handled on the configured CPUs.
  const pin = pinHotThread(config.agent, log);
  const hot = options.modules.map((module) => startHotModel(config, module, log));
  // Loaded before the market starts, so every opportunity of the run has its shadow score (when
  // a candidate exists; one published later is followed from the registry).
  const shadows = await Promise.all(options.modules.map((m) => startShadow(config, m, log)));
  // One run id for this run's agents: their event ids never collide with an earlier run's.
  const runId = newRunId();
  // One competition signal for the process: both agents meet the same rivals.
  const competition = new CompetitionSignal();
  const agents = options.modules.map((module, i) =>
    assemble(market, options, module, hot[i] as HotModel, runId, shadows[i], competition),
  );
  const controls =
    options.controlBus === undefined ? [] : await listenForControl(agents, options.controlBus, log);
  const release = async () => {
    await Promise.all(controls.map((c) => c.close()));
    await market.stop();
    for (const h of hot) h.close();
    for (const s of shadows) s?.close();
  };
  try {
    const after = options.afterEvent;
    await market.source.start(
      after === undefined
        ? (event: MarketEvent) => {
            for (const a of agents) a.engine.handle(event);
          }
        : (event: MarketEvent) => {
            for (const a of agents) a.engine.handle(event);
            after();
          },
    );
  } catch (err) {
    await release();
    throw err;
  }
  for (const a of agents) a.telemetry.start(a.engine, config.agent.metricsIntervalMs);
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      for (const a of agents) a.telemetry.stop();
      await release();
      for (const a of agents) a.telemetry.publishMetrics();
    })();
    return stopping;
  };
  market.source.ended.catch((err: unknown) => {
    log.error({ err, market: market.tag }, 'market stopped on an error');
    void stop();
  });
  return {
    agents,
    agentIds: agents.map((a) => a.agentId),
    lines: bannerLines(market, options, agents, hot, pin),
    pin,
    ended: market.source.ended,
    stop,
    summary: () => [...agents.map(summaryLine), ...market.summary()],
  };
}

/** The registry directory agents follow. */
export function modelDirOf(config: Config): string {
  return resolve(config.home, config.model.dir);
}

/** Follows lib<module>_latest.so in the registry; the heuristic serves until a valid model. */
function startHotModel(config: Config, module: Module, log: Logger): HotModel {
  const hot = new HotModel({
    dir: modelDirOf(config),
    module,
    featureNames: FEATURE_NAMES,
    debounceMs: config.model.debounceMs,
    sandbox: config.model.sandbox,
    logger: log,
  });
  hot.start();
  return hot;
}

/** The candidate `model.shadow.<module>` names, loaded through the sandbox; none when unset. */
async function startShadow(
  config: Config,
  module: Module,
  log: Logger,
): Promise<ShadowScorer | undefined> {
  const choice = config.model.shadow[module];
  if (choice === undefined) return undefined;
  const shadow = new ShadowScorer({
    dir: modelDirOf(config),
    module,
    featureNames: FEATURE_NAMES,
    choice,
    sandbox: config.model.sandbox,
    logger: log,
  });
  await shadow.start();
  return shadow;
}

function assemble(
  market: Market,
  options: RunOptions,
  module: Module,
  hot: HotModel,
  runId: string,
  shadow: ShadowScorer | undefined,
  competition: CompetitionSignal,
): RunningAgent {
  const { config, log } = options;
  const explore = paperExplorationOf(config.agent, config.mode);
  const agentId = `${module}-${market.tag}`;
  const telemetry = new Telemetry(
    options.publisher,
    agentId,
    module,
    market.clock,
    options.onPublishError === undefined
      ? (err) => log.warn({ err, agentId }, 'telemetry publish failed')
      : (err) => options.onPublishError?.(err, agentId),
    config.guard.slo.hotpathP99Ms,
    config.guard.windowMs,
    shadow,
  );
  const control = new AgentControl({
    agentId,
    module,
    home: config.home,
    throttleDefaults: config.guard.throttle,
    clock: market.clock,
    trust: controlVerifierFrom(config),
  });
  const engine = createAgent({
    agentId,
    runId,
    module,
    market,
    policy: { kind: config.agent.policy },
    settings: settingsFrom(config.agent),
    competition,
    paperExploration: explore,
    observers: [telemetry],
    gate: control,
    scorer: new ModelScorer({
      models: { [module]: hot },
      fallback: new HeuristicScorer(),
      featureSet: FEATURE_SET,
    }),
  });
  control.policies = engine.policyTarget();
  return {
    agentId,
    module,
    engine,
    telemetry,
    control,
    ...(shadow === undefined ? {} : { shadow }),
  };
}

/** Each agent obeys control-proto for its module; its acks that did not apply are logged. */
async function listenForControl(
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

const topicOf = (m: Module) =>
  m === 'arb' ? 'arb-opportunities-proto' : 'mev-opportunities-proto';

function bannerLines(
  market: Market,
  options: RunOptions,
  agents: readonly RunningAgent[],
  hot: readonly HotModel[],
  pin: PinResult,
): string[] {
  const { config } = options;
  const controlled = options.controlBus !== undefined;
  return [
    `  pinning ${describePin(pin)}${pin.warnings.length > 0 ? `; ${pin.warnings.join('; ')}` : ''}`,
    ...market.describe(),
    `  models ${modelDirOf(config)}: lib<module>_latest.so hot-reloaded; ${hot
      .map((h, i) => `${options.modules[i]} ${h.version ?? 'heuristic (no model yet)'}`)
      .join(', ')}`,
    ...agents.flatMap((a) =>
      a.shadow === undefined
        ? []
        : [
            `  shadow ${a.agentId}: ${a.shadow.current?.version ?? `no model yet (model.shadow.${a.module}: waits for one in the registry)`} scores off the decision path`,
          ],
    ),
    ...agents.map(
      (a) =>
        `  agent  ${a.agentId} (${a.module}, ${config.agent.policy} policies) → ${topicOf(a.module)}, bundle-outcomes-proto, metrics-proto every ${config.agent.metricsIntervalMs} ms`,
    ),
    ...agents.map(
      (a) =>
        `  control ${a.agentId}: ${a.control.state}${controlled ? ', obeys control-proto, acks on control-acks-proto' : ' (no control bus: kill file only)'}; kill state ${a.control.kill.path}`,
    ),
  ];
}

function summaryLine(a: RunningAgent): string {
  const c = a.engine.counters;
  const h = a.engine.hotPath;
  const p99 = h.totalCount === 0 ? 0 : h.getValueAtPercentile(99) / 1000;
  const s = a.shadow;
  const shadow =
    s === undefined ? '' : `; shadow ${s.scored} scored, ${s.unscored} unscored (queue full)`;
  return `  ${a.agentId}: ${c.opportunities} opportunities, ${c.submissions} submitted, ${c.landed}/${c.decided} landed, hot path p99 ${p99.toFixed(0)} µs${shadow}`;
}
