import type { ControlAck, ControlCommand } from '../../src/gen/landfall/v1/control_pb.js';
import { ControlAction } from '../../src/gen/landfall/v1/control_pb.js';
import type { Module, TrainAck } from '../../src/gen/landfall/v1/jobs_pb.js';
import { TrainState } from '../../src/gen/landfall/v1/jobs_pb.js';
import type {
  Envelope,
  MetricsUpdate,
  SloState,
  TipArmStat,
} from '../../src/gen/landfall/v1/realtime_pb.js';
import { fromProtoModule } from '../../src/proto/module.js';

export type ModuleName = 'arb' | 'mev';
export const modules: readonly ModuleName[] = ['arb', 'mev'];
export const moduleName = (m: Module): ModuleName => fromProtoModule(m) ?? 'mev';

/**
 * Points kept per chart series: the stored hour the page opens on (GET /api/history, one point
 * per 10 s) and an hour of live 1 s metrics after it.
 */
const MAX_POINTS = 4_000;

export interface AgentView {
  readonly agentId: string;
  readonly module: ModuleName;
  readonly state: string;
  readonly modelVersion: string;
  readonly opportunities: number;
  readonly submissions: number;
  /** Over the last windowMs (the guard's SLO window): what the SLO judges. */
  readonly landedPct: number;
  /** Since the agent started: context only, it hardly moves late in a run. */
  readonly landedPctLifetime: number;
  /** Decided outcomes the windowed rate is over. */
  readonly decidedWindow: number;
  readonly windowMs: number;
  readonly negEvRate: number;
  readonly sendP99: number;
  readonly hotP50: number;
  readonly hotP99: number;
  readonly pnl1h: number;
  readonly jitoShare: number;
  readonly tipArms: readonly TipArmStat[];
  readonly sloViolation: boolean;
  readonly sloReason: string;
  readonly tsMs: number;
}

/** Columns of one agent's chart data: time (s) then one array per metric. */
export interface Series {
  t: number[];
  pnl: number[];
  landed: number[];
  p50: number[];
  p99: number[];
  jito: number[];
}

export interface SloView {
  readonly module: ModuleName;
  readonly violated: boolean;
  readonly reason: string;
  readonly lastAction: string;
  readonly lastActionMs: number;
  readonly burnFast: number;
  readonly burnSlow: number;
}

export interface Job {
  readonly jobId: string;
  readonly state: string;
  readonly progress: number;
  readonly message: string;
  readonly modelVersion: string;
  readonly module: ModuleName;
}

export interface LiveState {
  agents: Map<string, AgentView>;
  series: Map<string, Series>;
  slo: Map<ModuleName, SloView>;
  /** Metrics that flag a violation, by the agent (or guard) that sent them. */
  sloFlags: Map<string, { module: ModuleName; reason: string }>;
  jobs: Map<string, Job>;
  /** Newest first. */
  events: string[];
  outcomes: number;
  landedOutcomes: number;
  frames: number;
}

export function emptyState(): LiveState {
  return {
    agents: new Map(),
    series: new Map(),
    slo: new Map(),
    sloFlags: new Map(),
    jobs: new Map(),
    events: [],
    outcomes: 0,
    landedOutcomes: 0,
    frames: 0,
  };
}

export const actionName = (a: ControlAction): string =>
  (ControlAction[a] ?? 'UNSPECIFIED').toLowerCase();
const stateName = (s: TrainState): string => (TrainState[s] ?? 'UNSPECIFIED').toLowerCase();
/** The seed's state string when the producer set it (every one does), else the typed state's name. */
const trainStateOf = (a: TrainAck): string => a.state || stateName(a.trainState);

/** Folds one envelope into the state (mutating it; the caller re-renders). */
export function apply(state: LiveState, envelope: Envelope): void {
  state.frames++;
  const p = envelope.payload;
  switch (p.case) {
    case 'metrics':
      applyMetrics(state, p.value);
      break;
    case 'slo':
      applySlo(state, p.value);
      break;
    case 'outcome':
      state.outcomes++;
      if (p.value.landed) state.landedOutcomes++;
      break;
    case 'trainAck':
      applyTrainAck(state, p.value);
      break;
    case 'controlAck':
      event(state, ackLine(p.value));
      break;
    case 'control':
      event(state, commandLine(p.value));
      break;
    default:
      break;
  }
}

/** The page is red while any module's SLO state, or any live metrics, says violated. */
export function sloRed(state: LiveState): { red: boolean; reasons: string[] } {
  const reasons = [
    ...[...state.slo.values()].filter((s) => s.violated).map((s) => `${s.module}: ${s.reason}`),
    ...[...state.sloFlags.values()].map((f) => `${f.module}: ${f.reason}`),
  ];
  return { red: reasons.length > 0, reasons: [...new Set(reasons)] };
}

function applyMetrics(state: LiveState, m: MetricsUpdate): void {
  const module = moduleName(m.module);
  if (m.sloViolation) state.sloFlags.set(m.agentId, { module, reason: m.sloReason || 'violation' });
  else state.sloFlags.delete(m.agentId);
  // The guard speaks through metrics too (agent_id guard-<module>); it is not an agent to chart.
  if (m.agentId.startsWith('guard-')) return;
  const tsMs = Number(m.tsMs);
  // An agent from before the windowed fields (window_ms 0) has only its lifetime rates.
  const windowed = m.windowMs > 0n;
  state.agents.set(m.agentId, {
    agentId: m.agentId,
    module,
    state: m.state || 'running',
    modelVersion: m.modelVersion,
    opportunities: Number(m.opportunities),
    submissions: Number(m.submissions),
    landedPct: windowed ? m.landedPctWindow : m.landedPct,
    landedPctLifetime: m.landedPct,
    decidedWindow: Number(m.decidedWindow),
    windowMs: Number(m.windowMs),
    negEvRate: windowed ? m.negEvRateWindow : m.negEvRate,
    sendP99: m.sendP99Ms,
    hotP50: m.hotpathP50Ms,
    hotP99: m.hotpathP99Ms,
    pnl1h: m.pnl1h,
    jitoShare: m.jitoShare,
    tipArms: m.tipArms,
    sloViolation: m.sloViolation,
    sloReason: m.sloReason,
    tsMs,
  });
  const s = state.series.get(m.agentId) ?? {
    t: [],
    pnl: [],
    landed: [],
    p50: [],
    p99: [],
    jito: [],
  };
  state.series.set(m.agentId, s);
  const t = tsMs / 1000;
  // Metrics may arrive out of order across a reconnect; keep the x axis increasing.
  if (s.t.length > 0 && t <= (s.t[s.t.length - 1] ?? 0)) return;
  s.t.push(t);
  s.pnl.push(m.pnl1h);
  // The windowed rate: a collapse shows at once (the lifetime figure would take hours to move).
  // No outcome in the window is no rate, not 0 %: a gap in the line.
  s.landed.push(!windowed ? m.landedPct : m.decidedWindow === 0n ? Number.NaN : m.landedPctWindow);
  s.p50.push(m.hotpathP50Ms);
  s.p99.push(m.hotpathP99Ms);
  s.jito.push(100 * m.jitoShare);
  if (s.t.length > MAX_POINTS) for (const column of Object.values(s)) column.shift();
}

function applySlo(state: LiveState, s: SloState): void {
  const module = moduleName(s.module);
  state.slo.set(module, {
    module,
    violated: s.violated,
    reason: s.reason,
    lastAction: actionName(s.lastAction),
    lastActionMs: Number(s.lastActionTsMs),
    burnFast: s.burnRateFast,
    burnSlow: s.burnRateSlow,
  });
}

function applyTrainAck(state: LiveState, a: TrainAck): void {
  const prev = state.jobs.get(a.jobId);
  state.jobs.set(a.jobId, {
    jobId: a.jobId,
    state: trainStateOf(a),
    progress: trainStateOf(a) === 'succeeded' ? 1 : a.progress || (prev?.progress ?? 0),
    message: a.message,
    modelVersion: a.modelVersion || (prev?.modelVersion ?? ''),
    module: moduleName(a.module),
  });
}

function ackLine(a: ControlAck): string {
  const verb = a.applied ? 'applied' : 'not applied';
  return `${actionName(a.action)} ${verb} by ${a.agentId}${a.message ? `: ${a.message}` : ''}`;
}

function commandLine(c: ControlCommand): string {
  return `${actionName(c.action)} ${moduleName(c.module)} by ${c.issuer} (${c.source || 'operator'}): ${c.reason}`;
}

function event(state: LiveState, line: string): void {
  state.events.unshift(`${new Date().toLocaleTimeString()}  ${line}`);
  if (state.events.length > 50) state.events.pop();
}

/** One agent's stored metrics, as GET /api/history answers (src/api/routes/history.ts). */
export interface AgentHistory {
  readonly agentId: string;
  readonly t: readonly number[];
  readonly pnl: readonly number[];
  readonly landed: readonly (number | null)[];
  readonly p50: readonly number[];
  readonly p99: readonly number[];
  readonly jito: readonly number[];
}

/**
 * Puts stored history in front of each agent's live points: only the stored points older than
 * the first live one, so a point the stream already brought is not drawn twice.
 */
export function applyHistory(state: LiveState, agents: readonly AgentHistory[]): void {
  for (const h of agents) {
    const live = state.series.get(h.agentId);
    const firstLive = live?.t[0] ?? Number.POSITIVE_INFINITY;
    const keep = h.t.findIndex((t) => t >= firstLive);
    const n = keep < 0 ? h.t.length : keep;
    const s: Series = {
      t: [...h.t.slice(0, n), ...(live?.t ?? [])],
      pnl: [...h.pnl.slice(0, n), ...(live?.pnl ?? [])],
      landed: [...h.landed.slice(0, n).map((v) => v ?? Number.NaN), ...(live?.landed ?? [])],
      p50: [...h.p50.slice(0, n), ...(live?.p50 ?? [])],
      p99: [...h.p99.slice(0, n), ...(live?.p99 ?? [])],
      jito: [...h.jito.slice(0, n), ...(live?.jito ?? [])],
    };
    state.series.set(h.agentId, s);
  }
}
