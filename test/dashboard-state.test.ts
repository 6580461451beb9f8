import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { Module } from '../src/gen/landfall/v1/jobs_pb.js';
import { EnvelopeSchema, MetricsUpdateSchema } from '../src/gen/landfall/v1/realtime_pb.js';
import { apply, emptyState } from '../web/src/state.js';

const metrics = (fields: Parameters<typeof create<typeof MetricsUpdateSchema>>[1]) =>
  create(EnvelopeSchema, {
    schemaVersion: 'rt-v1',
    type: 'metrics',
    payload: {
      case: 'metrics',
      value: create(MetricsUpdateSchema, { agentId: 'arb-1', module: Module.ARBITRAGE, ...fields }),
    },
  });

describe('dashboard state', () => {
  it('shows and charts the windowed landed %, with the lifetime figure beside it', () => {
    const s = emptyState();
    apply(
      s,
      metrics({
        tsMs: 1_000n,
        landedPct: 89.7,
        landedPctWindow: 45,
        decidedWindow: 60n,
        windowMs: 30_000n,
        sendP99Ms: 250,
      }),
    );
    const a = s.agents.get('arb-1');
    expect(a?.landedPct).toBe(45);
    expect(a?.landedPctLifetime).toBe(89.7);
    expect(a?.sendP99).toBe(250);
    expect(s.series.get('arb-1')?.landed).toEqual([45]);
    // A window with no outcome has no rate: a gap in the chart, not 0 %.
    apply(s, metrics({ tsMs: 2_000n, landedPct: 89.7, decidedWindow: 0n, windowMs: 30_000n }));
    expect(s.series.get('arb-1')?.landed[1]).toBeNaN();
    // An agent from before the windowed fields: its lifetime figure is all there is.
    apply(s, metrics({ agentId: 'old-1', tsMs: 3_000n, landedPct: 71.5 }));
    expect(s.agents.get('old-1')?.landedPct).toBe(71.5);
  });
});
