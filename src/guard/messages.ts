import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import {
  ControlAction,
  type ControlCommand,
  ControlCommandSchema,
  ThrottleParamsSchema,
} from '../gen/landfall/v1/control_pb.js';
import {
  type MetricsUpdate,
  MetricsUpdateSchema,
  type SloState,
  SloStateSchema,
} from '../gen/landfall/v1/realtime_pb.js';
import type { Module } from '../market/types.js';
import { toProtoModule } from '../proto/module.js';
import type { GuardConfig } from './config.js';
import type { Verdict } from './evaluate.js';
import type { GuardAction, ModulePolicy } from './policy.js';
import type { WindowTotals } from './window.js';

/** Agent ids the guard publishes its own per-module MetricsUpdate under. */
export const GUARD_AGENT_PREFIX = 'guard-';

const ACTION: Record<GuardAction, ControlAction> = {
  throttle: ControlAction.THROTTLE,
  kill: ControlAction.KILL,
  resume: ControlAction.RESUME,
};

/** What the guard knows of one module, as its messages report it. */
export interface ModuleView {
  readonly policy: ModulePolicy;
  readonly verdict: Verdict | undefined;
  readonly lastAction: ControlAction;
  readonly lastActionTsMs: number;
}

/** The guard's control command: source and issuer "guard"; a throttle carries its parameters. */
export function guardCommand(
  action: GuardAction,
  module: Module,
  reason: string,
  throttle: GuardConfig['throttle'],
  nowMs: number,
): ControlCommand {
  return create(ControlCommandSchema, {
    commandId: randomUUID(),
    action: ACTION[action],
    module: toProtoModule(module),
    issuer: 'guard',
    reason,
    tsMs: BigInt(Math.round(nowMs)),
    source: 'guard',
    ...(action === 'throttle'
      ? {
          throttle: create(ThrottleParamsSchema, {
            rateFraction: throttle.rateFraction,
            thresholdRaise: throttle.thresholdRaise,
          }),
        }
      : {}),
  });
}

/** The module's SloState: a kill keeps it violated until an operator resumes. */
export function sloStateOf(module: Module, g: ModuleView, nowMs: number): SloState {
  const p = g.policy;
  const killed = p.enforcement === 'killed';
  return create(SloStateSchema, {
    module: toProtoModule(module),
    violated: p.violated || killed,
    reason: killed
      ? `killed; an operator must resume${p.reason ? `: ${p.reason}` : ''}`
      : p.violated
        ? p.reason
        : (g.verdict?.reason ?? 'no evaluation yet'),
    lastAction: g.lastAction,
    lastActionTsMs: BigInt(Math.round(g.lastActionTsMs)),
    burnRateFast: g.verdict?.burnFast ?? 0,
    burnRateSlow: g.verdict?.burnSlow ?? 0,
    tsMs: BigInt(Math.round(nowMs)),
  });
}

/**
 * The guard's MetricsUpdate for a module (agent id `guard-<module>`): the slow window's rates,
 * the violation and its reason. Counters stay 0: they are the agents' own.
 */
export function guardMetricsOf(
  module: Module,
  g: ModuleView,
  slow: WindowTotals,
  state: SloState,
  nowMs: number,
  windowMs: number,
): MetricsUpdate {
  return create(MetricsUpdateSchema, {
    agentId: `${GUARD_AGENT_PREFIX}${module}`,
    module: toProtoModule(module),
    tsMs: BigInt(Math.round(nowMs)),
    hotpathP99Ms: slow.worstHotP99Ms,
    landedPct: slow.decided === 0 ? 0 : (100 * slow.landed) / slow.decided,
    negEvRate: slow.decided === 0 ? 0 : slow.negative / slow.decided,
    // The guard only ever has the window: the same figures in the windowed fields.
    landedPctWindow: slow.decided === 0 ? 0 : (100 * slow.landed) / slow.decided,
    negEvRateWindow: slow.decided === 0 ? 0 : slow.negative / slow.decided,
    decidedWindow: BigInt(slow.decided),
    windowMs: BigInt(windowMs),
    sloViolation: state.violated,
    sloReason: state.violated ? state.reason : '',
    state: g.policy.enforcement === 'none' ? 'running' : g.policy.enforcement,
  });
}
