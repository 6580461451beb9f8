import { describe, expect, it } from 'vitest';
import type { TopicMessage, TopicName } from '../bus/topics.js';
import { encodeTopic } from '../bus/typed.js';
import { createSimMarket } from '../sim/index.js';
import { createAgent } from './assemble.js';
import { Telemetry, type TelemetryPublisher } from './telemetry.js';

/** Keeps every message after encoding it as the bus would (so validation runs too). */
function collector(): TelemetryPublisher & { sent: Map<string, unknown[]> } {
  const sent = new Map<string, unknown[]>();
  return {
    sent,
    async publish<T extends TopicName>(topic: T, message: TopicMessage<T>) {
      encodeTopic(topic, message);
      sent.set(topic, [...(sent.get(topic) ?? []), message]);
    },
  };
}

describe('telemetry', () => {
  it('publishes opportunities, outcomes and a metrics update per simulated second', async () => {
    const market = createSimMarket({ config: { seed: 2 }, durationMs: 60_000 });
    const bus = collector();
    const errors: unknown[] = [];
    const arbTelemetry = new Telemetry(bus, 'arb-1', 'arb', market.clock, (e) => errors.push(e));
    const mevTelemetry = new Telemetry(bus, 'mev-1', 'mev', market.clock, (e) => errors.push(e));
    const arb = createAgent({
      agentId: 'arb-1',
      module: 'arb',
      market,
      policy: { kind: 'landfall' },
      observers: [arbTelemetry],
    });
    const mev = createAgent({
      agentId: 'mev-1',
      module: 'mev',
      market,
      policy: { kind: 'landfall' },
      observers: [mevTelemetry],
    });
    arbTelemetry.start(arb);
    mevTelemetry.start(mev);
    await market.simulator.run((e) => {
      arb.handle(e);
      mev.handle(e);
    });
    arbTelemetry.stop();
    mevTelemetry.stop();
    await new Promise((r) => setImmediate(r));
    expect(errors).toEqual([]);
    const count = (t: string) => bus.sent.get(t)?.length ?? 0;
    expect(count('arb-opportunities-proto')).toBe(arb.counters.opportunities);
    expect(count('mev-opportunities-proto')).toBe(mev.counters.opportunities);
    expect(count('bundle-outcomes-proto')).toBe(arb.counters.decided + mev.counters.decided);
    // One update per agent per simulated second (the last second may end the run first).
    expect(count('metrics-proto')).toBeGreaterThanOrEqual(2 * 59);
    expect(count('metrics-proto')).toBeLessThanOrEqual(2 * 60);
    const opp = bus.sent.get('arb-opportunities-proto')?.[0] as {
      features: number[];
      featureSet: string;
    };
    expect(opp.featureSet).toBe('lf-v1');
    // The guard's inputs: cumulative counts, the slow-hot-path bound, and the gate's state.
    const last = (bus.sent.get('metrics-proto') as TopicMessage<'metrics-proto'>[])
      .filter((m) => m.agentId === 'arb-1')
      .at(-1);
    expect(last?.decided).toBe(BigInt(arb.counters.decided));
    expect(last?.negativeOutcomes).toBe(BigInt(arb.counters.negativeOutcomes));
    expect(last?.hotpathSlowMs).toBe(20);
    expect(Number(last?.hotpathSlow)).toBeLessThanOrEqual(arb.counters.submissions);
    expect(last?.state).toBe('running');
    expect(opp.features.length).toBeGreaterThan(0);
  });
});
