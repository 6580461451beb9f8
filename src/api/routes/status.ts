import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { reasonOf } from '../../errors.js';
import { ControlAction } from '../../gen/landfall/v1/control_pb.js';
import { Module } from '../../gen/landfall/v1/jobs_pb.js';
import type { MetricsUpdate, SloState } from '../../gen/landfall/v1/realtime_pb.js';
import { liveVersion } from '../../model/registry.js';
import { fromProtoModule } from '../../proto/module.js';
import type { ApiContext } from '../app.js';
import { readRoute } from './options.js';

/** An agent that has not reported for this long is shown as stale (it reports every second). */
const STALE_MS = 5_000;
/** A health probe that takes longer counts as a failure: the status page must answer. */
const HEALTH_TIMEOUT_MS = 2_000;

export function registerStatus(app: FastifyInstance, ctx: ApiContext): void {
  const dir = resolve(ctx.config.home, ctx.config.model.dir);
  app.get('/api/status', readRoute(), async () => {
    const now = Date.now();
    const [bus, store] = await Promise.all([
      probe(() => ctx.bus.bus.health()),
      ctx.store
        ? probe(() => (ctx.store as NonNullable<typeof ctx.store>).health())
        : Promise.resolve({ ok: false, detail: 'no store in this process' }),
    ]);
    return {
      mode: ctx.config.mode,
      tsMs: now,
      agents: [...ctx.views.metrics.values()]
        .map((m) => agentView(m, now))
        .sort((a, b) => a.agentId.localeCompare(b.agentId)),
      models: { arb: liveVersion(dir, 'arb') ?? null, mev: liveVersion(dir, 'mev') ?? null },
      slo: {
        arb: sloView(ctx.views.slo.get(Module.ARBITRAGE)),
        mev: sloView(ctx.views.slo.get(Module.MEV)),
      },
      bus: { kind: ctx.bus.bus.kind, ...bus },
      store,
    };
  });
}

function agentView(m: MetricsUpdate, now: number) {
  const ts = Number(m.tsMs);
  // The SLO window's rates, as the guard and Prometheus read them; an agent from before the
  // windowed fields (window_ms 0) has only its lifetime ones.
  const windowed = m.windowMs > 0n;
  return {
    agentId: m.agentId,
    module: fromProtoModule(m.module) ?? 'arb',
    state: m.state,
    modelVersion: m.modelVersion,
    hotpathP99Ms: m.hotpathP99Ms,
    sendP99Ms: m.sendP99Ms,
    landedPct: windowed ? m.landedPctWindow : m.landedPct,
    negEvRate: windowed ? m.negEvRateWindow : m.negEvRate,
    decidedWindow: Number(m.decidedWindow),
    windowMs: Number(m.windowMs),
    landedPctLifetime: m.landedPct,
    pnl1h: m.pnl1h,
    sloViolation: m.sloViolation,
    sloReason: m.sloReason,
    tsMs: ts,
    stale: now - ts > STALE_MS,
  };
}

function sloView(s: SloState | undefined) {
  if (s === undefined) return null;
  return {
    violated: s.violated,
    reason: s.reason,
    lastAction:
      s.lastAction === ControlAction.UNSPECIFIED
        ? null
        : (ControlAction[s.lastAction] ?? String(s.lastAction)).toLowerCase(),
    lastActionTsMs: Number(s.lastActionTsMs) || null,
    burnRateFast: s.burnRateFast,
    burnRateSlow: s.burnRateSlow,
    tsMs: Number(s.tsMs),
  };
}

async function probe(check: () => Promise<{ ok: boolean; detail: string }>) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ ok: boolean; detail: string }>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, detail: `no answer within ${HEALTH_TIMEOUT_MS} ms` }),
      HEALTH_TIMEOUT_MS,
    );
  });
  try {
    const result = await Promise.race([check(), timeout]);
    return { ok: result.ok, detail: result.detail };
  } catch (err) {
    return { ok: false, detail: reasonOf(err) };
  } finally {
    clearTimeout(timer);
  }
}
