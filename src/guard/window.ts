import type { MetricsUpdate } from '../gen/landfall/v1/realtime_pb.js';

/** What one agent did between two of its MetricsUpdates. */
export interface Increment {
  readonly tsMs: number;
  readonly decided: number;
  readonly landed: number;
  readonly negative: number;
  /** Submissions, i.e. hot paths measured. */
  readonly hotPaths: number;
  readonly hotSlow: number;
  readonly hotP99Ms: number;
}

/** Sums over one window, every agent of a module together. */
export interface WindowTotals {
  decided: number;
  landed: number;
  negative: number;
  hotPaths: number;
  hotSlow: number;
  /** The worst 1 s hot-path p99 in the window, ms. */
  worstHotP99Ms: number;
  /** Agents with an update in the last `staleAfterMs`, and the states they report. */
  agents: number;
  states: Set<string>;
}

interface Series {
  last: MetricsUpdate | undefined;
  lastTs: number;
  increments: Increment[];
}

/**
 * Rolling windows over one module's MetricsUpdate stream. The agents' counters are
 * cumulative, so each update becomes the increment since the agent's previous one: a lost
 * update merges into the next, and a counter going backwards (the agent restarted) starts the
 * series afresh. The first update of a series has no interval, so it only sets the baseline.
 * Hot paths slower than the SLO bound come from the agent's own count when it measured against
 * the same bound (`hotpath_slow_ms`); otherwise a second whose p99 is over the bound counts as
 * all slow, the conservative reading.
 */
export class ModuleWindows {
  private readonly series = new Map<string, Series>();

  constructor(
    private readonly hotpathBoundMs: number,
    private readonly keepMs: number,
  ) {}

  add(m: MetricsUpdate): void {
    const ts = Number(m.tsMs);
    let s = this.series.get(m.agentId);
    if (s === undefined) {
      s = { last: undefined, lastTs: ts, increments: [] };
      this.series.set(m.agentId, s);
    }
    const prev = s.last;
    // Out-of-order or duplicate (at-least-once delivery): the newer baseline already counts it.
    if (prev !== undefined && ts <= s.lastTs) return;
    s.lastTs = ts;
    s.last = m;
    if (prev === undefined) return;
    const d = (a: bigint, b: bigint) => Number(a - b);
    const submitted = d(m.submissions, prev.submissions);
    const decided = d(m.decided, prev.decided);
    const restarted =
      submitted < 0 || decided < 0 || m.landed < prev.landed || m.hotpathSlow < prev.hotpathSlow;
    if (restarted) {
      s.increments = [];
      return;
    }
    const sameBound = m.hotpathSlowMs === this.hotpathBoundMs;
    s.increments.push({
      tsMs: ts,
      decided,
      landed: d(m.landed, prev.landed),
      negative: d(m.negativeOutcomes, prev.negativeOutcomes),
      hotPaths: submitted,
      hotSlow: sameBound
        ? d(m.hotpathSlow, prev.hotpathSlow)
        : m.hotpathP99Ms > this.hotpathBoundMs
          ? submitted
          : 0,
      hotP99Ms: m.hotpathP99Ms,
    });
  }

  /** Forgets everything before `tsMs` (an operator resumed: judge only what follows). */
  resetBefore(tsMs: number): void {
    for (const s of this.series.values()) s.increments = s.increments.filter((i) => i.tsMs >= tsMs);
  }

  /** Sums of the increments in (now − lengthMs, now], over agents heard from since now − staleMs. */
  totals(nowMs: number, lengthMs: number, staleMs: number): WindowTotals {
    const t: WindowTotals = {
      decided: 0,
      landed: 0,
      negative: 0,
      hotPaths: 0,
      hotSlow: 0,
      worstHotP99Ms: 0,
      agents: 0,
      states: new Set(),
    };
    for (const s of this.series.values()) {
      if (s.last === undefined || s.lastTs < nowMs - staleMs) continue;
      t.agents++;
      t.states.add(s.last.state || 'running');
      for (const i of s.increments) {
        if (i.tsMs <= nowMs - lengthMs || i.tsMs > nowMs) continue;
        t.decided += i.decided;
        t.landed += i.landed;
        t.negative += i.negative;
        t.hotPaths += i.hotPaths;
        t.hotSlow += i.hotSlow;
        if (i.hotPaths > 0) t.worstHotP99Ms = Math.max(t.worstHotP99Ms, i.hotP99Ms);
      }
    }
    return t;
  }

  /** Drops increments too old for any window, and agents silent that long. */
  prune(nowMs: number): void {
    for (const [agent, s] of this.series) {
      if (s.lastTs < nowMs - this.keepMs) {
        this.series.delete(agent);
        continue;
      }
      const keepFrom = s.increments.findIndex((i) => i.tsMs > nowMs - this.keepMs);
      if (keepFrom > 0) s.increments.splice(0, keepFrom);
      else if (keepFrom < 0) s.increments = [];
    }
  }
}
