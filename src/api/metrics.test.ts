import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { Module } from '../gen/landfall/v1/jobs_pb.js';
import { MetricsUpdateSchema } from '../gen/landfall/v1/realtime_pb.js';
import { ApiMetrics } from './metrics.js';

describe('agent gauges', () => {
  it('export the windowed rates as the landed and negative-EV gauges, the lifetime beside them', async () => {
    const m = new ApiMetrics();
    m.agentUpdate(
      create(MetricsUpdateSchema, {
        agentId: 'arb-1',
        module: Module.ARBITRAGE,
        landedPct: 89.7,
        negEvRate: 0.1,
        landedPctWindow: 45,
        negEvRateWindow: 0.55,
        decidedWindow: 60n,
        windowMs: 30_000n,
        sendP99Ms: 250,
      }),
    );
    // An agent from before the windowed fields: its lifetime rates are all there is.
    m.agentUpdate(
      create(MetricsUpdateSchema, { agentId: 'old-1', module: Module.MEV, landedPct: 71.5 }),
    );
    const text = await m.registry.metrics();
    expect(text).toContain('landfall_agent_landed_pct{agent="arb-1",module="arb"} 45');
    expect(text).toContain('landfall_agent_landed_lifetime_pct{agent="arb-1",module="arb"} 89.7');
    expect(text).toContain('landfall_agent_neg_ev_rate{agent="arb-1",module="arb"} 0.55');
    expect(text).toContain('landfall_agent_decided_window{agent="arb-1",module="arb"} 60');
    expect(text).toContain('landfall_agent_send_p99_ms{agent="arb-1",module="arb"} 250');
    expect(text).toContain('landfall_agent_landed_pct{agent="old-1",module="mev"} 71.5');
  });
});
