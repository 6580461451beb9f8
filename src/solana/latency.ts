import * as hdr from 'hdr-histogram-js';
import type { Module } from '../market/types.js';

/**
 * Per-stage latency of the live path, in milliseconds. Every event off the Geyser stream is timed
 * from the moment the stream delivered it: `streamEvent` (→ the market event handed to the
 * agents) and, for a swap on a watched pool, `triggerEvent` (→ its pending-swap event). A
 * submission is timed by stage: `build` (plan, instructions, sizing simulation), `sign`, `send`
 * (until the endpoint accepted it), `firstStatus` (send → the first status that names it) and
 * `final` (send → landed, failed or expired); a backrun whose target came off the stream also
 * from the target's delivery: `triggerDecision` (→ the agent's submission reached the executor),
 * `triggerSigned` and `triggerSent`.
 *
 * Two views: the lifetime histograms (`summary`, `describe`: the exit lines), and per-module
 * windows that telemetry takes once a metrics interval (`take`). A stage of one submission goes
 * to its module's window; a stream stage, which serves every agent, to each module's.
 */
export const STAGES = [
  'streamEvent',
  'triggerEvent',
  'triggerDecision',
  'triggerSigned',
  'triggerSent',
  'build',
  'sign',
  'send',
  'firstStatus',
  'final',
] as const;
export type Stage = (typeof STAGES)[number];

export interface StageSummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** One stage over one telemetry window, µs (MetricsUpdate.stages). */
export interface StageWindow {
  readonly stage: Stage;
  readonly count: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly maxUs: number;
}

const MODULES: readonly Module[] = ['arb', 'mev'];

function histogram(): hdr.Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

export class StageLatency {
  private readonly lifetime = new Map<Stage, hdr.Histogram>();
  private readonly windows = new Map<Module, Map<Stage, hdr.Histogram>>(
    MODULES.map((m) => [m, new Map()]),
  );

  /** Records `ms` for `stage`, in `module`'s window or, undefined, every module's. */
  record(stage: Stage, ms: number, module?: Module): void {
    // Microseconds, so sub-millisecond stages (signing, the stream path) keep their resolution.
    const us = Math.max(1, Math.min(600_000_000, Math.round(ms * 1000)));
    at(this.lifetime, stage).recordValue(us);
    for (const m of module === undefined ? MODULES : [module]) {
      const w = this.windows.get(m);
      if (w !== undefined) at(w, stage).recordValue(us);
    }
  }

  /** `module`'s stages since its last take, in stage order, then starts a new window. */
  take(module: Module): StageWindow[] {
    const w = this.windows.get(module);
    if (w === undefined) return [];
    const out: StageWindow[] = [];
    for (const stage of STAGES) {
      const h = w.get(stage);
      if (h === undefined || h.totalCount === 0) continue;
      out.push({
        stage,
        count: h.totalCount,
        p50Us: h.getValueAtPercentile(50),
        p99Us: h.getValueAtPercentile(99),
        maxUs: h.maxValue,
      });
      h.reset();
    }
    return out;
  }

  summary(): Partial<Record<Stage, StageSummary>> {
    const out: Partial<Record<Stage, StageSummary>> = {};
    for (const stage of STAGES) {
      const h = this.lifetime.get(stage);
      if (h === undefined || h.totalCount === 0) continue;
      out[stage] = {
        count: h.totalCount,
        p50Ms: h.getValueAtPercentile(50) / 1000,
        p99Ms: h.getValueAtPercentile(99) / 1000,
      };
    }
    return out;
  }

  /** One line for a banner or a log: `build p50 1.2 ms p99 3.4 ms (n), …`. */
  describe(): string {
    const s = this.summary();
    const parts = STAGES.filter((k) => s[k] !== undefined).map((k) => {
      const v = s[k] as StageSummary;
      return `${k} p50 ${fmt(v.p50Ms)} ms p99 ${fmt(v.p99Ms)} ms (${v.count})`;
    });
    return parts.length === 0 ? 'nothing timed' : parts.join(', ');
  }
}

function at(map: Map<Stage, hdr.Histogram>, stage: Stage): hdr.Histogram {
  let h = map.get(stage);
  if (h === undefined) {
    h = histogram();
    map.set(stage, h);
  }
  return h;
}

/** Sub-millisecond stages in µs precision, the rest to 0.1 ms. */
function fmt(ms: number): string {
  return ms < 1 ? ms.toFixed(3) : ms.toFixed(1);
}
