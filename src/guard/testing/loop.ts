import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { newRunId, policiesFor } from '../../agent/assemble.js';
import { MarketCollector } from '../../agent/collector.js';
import { DEFAULT_AGENT_SETTINGS } from '../../agent/config.js';
import { AgentControl } from '../../agent/control.js';
import { type Decision, Engine } from '../../agent/engine.js';
import { HeuristicScorer } from '../../agent/scorer.js';
import { ArbStrategy } from '../../agent/strategies.js';
import { Telemetry } from '../../agent/telemetry.js';
import type { Scorer, Strategy } from '../../agent/types.js';
import { ephemeralControlKeys } from '../../auth/control-signature.js';
import { MemoryBus } from '../../bus/memory.js';
import type { TopicMessage, TopicName } from '../../bus/topics.js';
import { TypedBus } from '../../bus/typed.js';
import type { Bus } from '../../bus/types.js';
import type { AuditRecord } from '../../gen/landfall/v1/audit_pb.js';
import {
  type ControlAck,
  type ControlAction,
  type ControlCommand,
  ControlCommandSchema,
} from '../../gen/landfall/v1/control_pb.js';
import { Module as ProtoModule } from '../../gen/landfall/v1/jobs_pb.js';
import type { MetricsUpdate, SloState } from '../../gen/landfall/v1/realtime_pb.js';
import { createLogger } from '../../log.js';
import type { Clock } from '../../market/types.js';
import { WSOL_MINT } from '../../market/types.js';
import { Simulator } from '../../sim/index.js';
import { type GuardConfigInput, guardConfigSchema } from '../config.js';
import { type Guard, type GuardOptions, startGuard } from '../guard.js';
import { faultMarket } from './faults.js';
import { QuietBus } from './quiet-bus.js';

export interface LoopOptions {
  readonly seed: number;
  readonly schedule: { regime: string; minutes: number }[];
  readonly durationMs: number;
  /** `config.home` of the agent: where its kill state lives. */
  readonly home: string;
  readonly guard?: GuardConfigInput | false;
  /** The bus under test (default: in-process); poll interval while it drains. */
  readonly bus?: Bus;
  readonly pollMs?: number;
  readonly scorer?: (base: Scorer, clock: Clock) => Scorer;
  readonly strategy?: (base: Strategy, clock: Clock) => Strategy;
  /** Operator commands to publish at simulated offsets from the start. */
  readonly operator?: {
    readonly atMs: number;
    readonly action: ControlAction;
    readonly source?: string;
  }[];
  readonly onEvaluate?: GuardOptions['onEvaluate'];
}

export interface AckSeen {
  readonly ack: ControlAck;
  /** Simulated time it was applied, and the engine's submissions by then. */
  readonly atMs: number;
  readonly submissions: number;
}

/** What the topics carried, and what the agent decided. */
interface Seen {
  readonly commands: ControlCommand[];
  readonly acks: AckSeen[];
  /** Acknowledgements as control-acks-proto carried them. */
  readonly ackMessages: ControlAck[];
  readonly slo: SloState[];
  readonly metrics: MetricsUpdate[];
  readonly audit: AuditRecord[];
  readonly decisions: { atMs: number; decision: Decision }[];
}

export interface LoopRun extends Seen {
  readonly startMs: number;
  readonly engine: Engine;
  readonly control: AgentControl;
  readonly guard: Guard | undefined;
}

/**
 * The whole control loop on the simulator in virtual time: one arbitrage agent (real engine,
 * fixed 15 % Jito tips so its baseline is steady) with its telemetry and control, the guard,
 * and a bus between them that the market waits on at every event (QuietBus), so what happens
 * on the bus happens at the simulated instant it was sent. Everything the topics carried is
 * collected for the assertions.
 */
export async function runLoop(o: LoopOptions): Promise<LoopRun> {
  const sim = new Simulator(faultMarket(o.seed, o.schedule), { durationMs: o.durationMs });
  const clock = sim.clock;
  const quiet = new QuietBus(o.bus ?? new MemoryBus(), o.pollMs ?? 0);
  const bus = new TypedBus(quiet);
  const log = createLogger('silent');
  // One issuer key for the guard and the operator, which the agent trusts.
  const keys = ephemeralControlKeys('loop');
  const guardConfig = guardConfigSchema.parse(o.guard === false ? {} : (o.guard ?? {}));
  const control = new AgentControl({
    agentId: 'arb-loop',
    module: 'arb',
    home: o.home,
    throttleDefaults: guardConfig.throttle,
    clock,
    trust: keys.verifier,
  });
  const seen: Seen = {
    commands: [],
    acks: [],
    ackMessages: [],
    slo: [],
    metrics: [],
    audit: [],
    decisions: [],
  };
  const collect = async <T extends TopicName>(topic: T, into: TopicMessage<T>[]) =>
    bus.subscribe(topic, async (m) => void into.push(m), {
      group: `test-${topic}`,
      start: 'latest',
    });
  const subs = [
    await collect('control-proto', seen.commands),
    await collect('control-acks-proto', seen.ackMessages),
    await collect('slo-proto', seen.slo),
    await collect('metrics-proto', seen.metrics),
    await collect('audit-proto', seen.audit),
  ];
  const telemetry = new Telemetry(
    bus,
    'arb-loop',
    'arb',
    clock,
    () => undefined,
    guardConfig.slo.hotpathP99Ms,
    guardConfig.windowMs,
  );
  const base = new ArbStrategy({
    quoteMint: WSOL_MINT,
    minProfitLamports: BigInt(DEFAULT_AGENT_SETTINGS.minProfitLamports),
  });
  const scorer = new HeuristicScorer();
  const engine = new Engine({
    agentId: 'arb-loop',
    runId: newRunId(),
    module: 'arb',
    collector: new MarketCollector(),
    strategies: [o.strategy?.(base, clock) ?? base],
    scorer: o.scorer?.(scorer, clock) ?? scorer,
    ...policiesFor({ kind: 'fixed', tipShare: 0.15, route: 'jito' }, DEFAULT_AGENT_SETTINGS, 'arb'),
    executor: sim.executor,
    observers: [
      telemetry,
      {
        onDecision: (r) =>
          void seen.decisions.push({ atMs: r.opportunity.atMs, decision: r.decision }),
      },
    ],
    gate: control,
    minScore: DEFAULT_AGENT_SETTINGS.minScore,
    minTipLamports: BigInt(sim.config.jito.minTipLamports),
    baseFeeLamports: BigInt(sim.config.chain.baseFeeLamports),
    // As the simulator's market says (`Market.resend`): pools wait for each outcome.
    resendPerSlot: false,
    computeUnitLimit: DEFAULT_AGENT_SETTINGS.computeUnitLimit,
  });
  subs.push(
    await control.listen(bus, (ack) =>
      seen.acks.push({ ack, atMs: clock.now(), submissions: engine.counters.submissions }),
    ),
  );
  const guard =
    o.guard === false
      ? undefined
      : await startGuard({
          bus,
          clock,
          config: guardConfig,
          log,
          signer: keys.signer,
          trust: keys.verifier,
          ...(o.onEvaluate === undefined ? {} : { onEvaluate: o.onEvaluate }),
        });
  for (const op of o.operator ?? []) {
    const command = () =>
      keys.signer.sign({
        ...operatorCommand(op.action, clock),
        source: op.source ?? 'operator',
      });
    clock.schedule(op.atMs, () => void bus.publish('control-proto', command()));
  }
  telemetry.start(engine);
  await sim.run((event) => {
    engine.handle(event);
    return quiet.inFlight > 0 ? quiet.settled() : undefined;
  });
  telemetry.stop();
  await guard?.stop();
  await quiet.settled();
  await Promise.all(subs.map((s) => s.close()));
  await quiet.close();
  return { startMs: sim.config.startTimeMs, engine, control, guard, ...seen };
}

/** A command as an operator (the API) sends it. */
export function operatorCommand(action: ControlAction, clock: Clock): ControlCommand {
  return create(ControlCommandSchema, {
    commandId: randomUUID(),
    action,
    module: ProtoModule.ARBITRAGE,
    issuer: 'alice',
    reason: 'test operator',
    tsMs: BigInt(Math.round(clock.now())),
    source: 'operator',
  });
}

/** The first command of `action` the guard sent, and the agent's acknowledgement of it. */
export function guardAction(run: LoopRun, action: ControlAction) {
  const command = run.commands.find((c) => c.source === 'guard' && c.action === action);
  const ack = run.acks.find((a) => a.ack.commandId === command?.commandId);
  return { command, ack };
}
