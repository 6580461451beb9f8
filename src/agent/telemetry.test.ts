import { describe, expect, it } from 'vitest';
import type { TopicMessage, TopicName } from '../bus/topics.js';
import { encodeTopic } from '../bus/typed.js';
import type { Clock, SubmissionOutcome } from '../market/types.js';
import { createSimMarket } from '../sim/index.js';
import { createAgent } from './assemble.js';
import type { DecisionRecord, Engine } from './engine.js';
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
    // Send latency is the executor's: the simulator's modelled delay to the block engine or
    // leader (median 15 ms), not the microseconds of the call into the executor.
    const sends = (bus.sent.get('metrics-proto') as TopicMessage<'metrics-proto'>[])
      .map((m) => m.sendP99Ms)
      .filter((ms) => ms > 0);
    expect(sends.length).toBeGreaterThan(0);
    expect(Math.max(...sends)).toBeGreaterThan(5);
    expect(last?.windowMs).toBe(30_000n);
  });

  it('shows a collapse at once in the windowed landed % while the lifetime figure barely moves', () => {
    let now = 0;
    const clock: Clock = { now: () => now, schedule: () => () => undefined };
    const bus = collector();
    const telemetry = new Telemetry(bus, 'arb-w', 'arb', clock, undefined, 20, 30_000);
    const counters = {
      opportunities: 0,
      submissions: 0,
      jitoSubmissions: 0,
      decided: 0,
      landed: 0,
      negativeOutcomes: 0,
    };
    // What publishMetrics reads of an engine; the outcomes come through onOutcome as the
    // engine would hand them over.
    const engine = {
      counters,
      takeWindow: () => ({ hotP50Ms: 0, hotP99Ms: 0 }),
      options: { scorer: { version: 'heuristic' } },
      arms: () => [],
    } as unknown as Engine;
    telemetry.start(engine);
    const record = { agentId: 'arb-w', expectedNetLamports: 1 } as DecisionRecord;
    const outcome = (landed: boolean, sendLatencyMs: number): void => {
      counters.decided++;
      if (landed) counters.landed++;
      else counters.negativeOutcomes++;
      telemetry.onOutcome(
        {
          submissionId: `s${counters.decided}`,
          opportunityId: `s${counters.decided}`,
          module: 'arb',
          route: 'jito',
          landed,
          slot: 1,
          leader: '',
          profitLamports: landed ? 1_000n : -5_000n,
          tipLamports: 0n,
          feeLamports: 5_000n,
          failure: landed ? null : 'auction_lost',
          latencyMs: 400,
          sendLatencyMs,
          atMs: now,
        } satisfies SubmissionOutcome,
        record,
      );
    };
    const metrics = () => bus.sent.get('metrics-proto') as TopicMessage<'metrics-proto'>[];
    // An hour healthy: 2 outcomes a second, 90 % landed.
    for (let t = 0; t < 3_600; t++) {
      now = t * 1_000;
      for (let i = 0; i < 2; i++) outcome((t * 2 + i) % 10 !== 0, 12);
      telemetry.publishMetrics();
    }
    const healthy = metrics().at(-1);
    expect(healthy?.landedPctWindow).toBeCloseTo(90, 0);
    expect(healthy?.landedPct).toBeCloseTo(90, 0);
    // Then 15 s of nothing landing, every send slow.
    for (let t = 0; t < 15; t++) {
      now += 1_000;
      for (let i = 0; i < 2; i++) outcome(false, 250);
      telemetry.publishMetrics();
    }
    const collapsed = metrics().at(-1);
    // Half the 30 s window is the collapse: 45 % landed over the window…
    expect(collapsed?.decidedWindow).toBe(60n);
    expect(collapsed?.landedPctWindow).toBeCloseTo(45, 0);
    expect(collapsed?.negEvRateWindow).toBeCloseTo(0.55, 2);
    // …while the lifetime figure has moved by less than half a point.
    expect(90 - (collapsed?.landedPct ?? 0)).toBeLessThan(0.5);
    expect(collapsed?.sendP99Ms).toBeCloseTo(250, 0);
    expect(healthy?.sendP99Ms).toBeCloseTo(12, 0);
    // A quiet window has no rate to report, and says so by its count.
    now += 31_000;
    telemetry.publishMetrics();
    expect(metrics().at(-1)?.decidedWindow).toBe(0n);
    expect(metrics().at(-1)?.sendP99Ms).toBe(0);
    telemetry.stop();
  });
});
