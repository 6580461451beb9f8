import * as hdr from 'hdr-histogram-js';

/**
 * Per-stage latency of live submissions, in milliseconds: `build` (blockhash, instructions,
 * sizing simulation), `sign`, `send` (until the endpoint accepted it), `firstStatus` (send → the
 * first status that names it) and `final` (send → landed, failed or expired). A backrun whose
 * target came off the gRPC stream is also timed from the moment the stream delivered that
 * transaction: `triggerEvent` (→ its pending-swap event handed to the agent), `triggerDecision`
 * (→ the agent's submission reached the executor), `triggerSigned` and `triggerSent`.
 */
export const STAGES = [
  'build',
  'sign',
  'send',
  'firstStatus',
  'final',
  'triggerEvent',
  'triggerDecision',
  'triggerSigned',
  'triggerSent',
] as const;
export type Stage = (typeof STAGES)[number];

export interface StageSummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export class StageLatency {
  private readonly histograms = new Map<Stage, hdr.Histogram>();

  record(stage: Stage, ms: number): void {
    let h = this.histograms.get(stage);
    if (h === undefined) {
      h = hdr.build({
        lowestDiscernibleValue: 1,
        highestTrackableValue: 600_000_000,
        numberOfSignificantValueDigits: 3,
        useWebAssembly: false,
      });
      this.histograms.set(stage, h);
    }
    // Microseconds, so sub-millisecond stages (signing) keep their resolution.
    h.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  summary(): Partial<Record<Stage, StageSummary>> {
    const out: Partial<Record<Stage, StageSummary>> = {};
    for (const stage of STAGES) {
      const h = this.histograms.get(stage);
      if (h === undefined || h.totalCount === 0) continue;
      out[stage] = {
        count: h.totalCount,
        p50Ms: h.getValueAtPercentile(50) / 1000,
        p99Ms: h.getValueAtPercentile(99) / 1000,
      };
    }
    return out;
  }

  /** One line for a banner or a log: `build p50 1.2 ms p99 3.4 ms, …`. */
  describe(): string {
    const s = this.summary();
    const parts = STAGES.filter((k) => s[k] !== undefined).map((k) => {
      const v = s[k] as StageSummary;
      return `${k} p50 ${v.p50Ms.toFixed(1)} ms p99 ${v.p99Ms.toFixed(1)} ms (${v.count})`;
    });
    return parts.length === 0 ? 'no submissions' : parts.join(', ');
  }
}
