import { create, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { eventually } from '../bus/contract.js';
import { MemoryBus } from '../bus/memory.js';
import { decodeTopic, TypedBus } from '../bus/typed.js';
import { DlqHeaders, dlqTopic } from '../bus/types.js';
import { isLandfallError } from '../errors.js';
import {
  BundleOutcomeSchema,
  type Envelope,
  EnvelopeSchema,
  MetricsUpdateSchema,
} from '../gen/landfall/v1/realtime_pb.js';
import { envelopePayload, isEnvelope } from './envelope.js';
import { sampleBundleOutcome } from './samples.js';

const wrap = (payload: Envelope['payload'], version = 'rt-v1') =>
  toBinary(
    EnvelopeSchema,
    create(EnvelopeSchema, { schemaVersion: version, type: payload.case ?? '', payload }),
  );

describe('rt-v1 Envelope on metrics-proto and bundle-outcomes-proto', () => {
  const metrics = create(MetricsUpdateSchema, {
    agentId: 'agent-7',
    tsMs: 1_795_000_000_000n,
    hotpathP99Ms: 0.2,
    landedPct: 71,
  });
  const outcome = sampleBundleOutcome(3);

  it('tells an Envelope from the bare message it carries', () => {
    expect(isEnvelope(wrap({ case: 'metrics', value: metrics }))).toBe(true);
    expect(isEnvelope(toBinary(MetricsUpdateSchema, metrics))).toBe(false);
    expect(isEnvelope(toBinary(BundleOutcomeSchema, outcome))).toBe(false);
    // Another version is not read as rt-v1: the bare decode then judges the bytes.
    expect(isEnvelope(wrap({ case: 'metrics', value: metrics }, 'rt-v2'))).toBe(false);
    expect(isEnvelope(new Uint8Array([0x0a, 0x05]))).toBe(false);
  });

  it('decodes both forms to the same message', () => {
    expect(decodeTopic('metrics-proto', wrap({ case: 'metrics', value: metrics }))).toEqual(
      metrics,
    );
    expect(decodeTopic('metrics-proto', toBinary(MetricsUpdateSchema, metrics))).toEqual(metrics);
    expect(decodeTopic('bundle-outcomes-proto', wrap({ case: 'outcome', value: outcome }))).toEqual(
      outcome,
    );
  });

  it('refuses an Envelope whose payload the topic does not carry, naming both', () => {
    const wrong = wrap({ case: 'outcome', value: outcome });
    expect(() => envelopePayload(wrong, 'metrics')).toThrow(/must carry metrics, got outcome/);
    try {
      decodeTopic('metrics-proto', wrong);
      expect.unreachable();
    } catch (err) {
      expect(isLandfallError(err, 'LF_PROTO_INVALID')).toBe(true);
    }
  });

  it('validates the carried message as a bare one (no agent id: invalid)', () => {
    const noId = create(MetricsUpdateSchema, { ...metrics, agentId: '' });
    expect(() => decodeTopic('metrics-proto', wrap({ case: 'metrics', value: noId }))).toThrow(
      /agent_id is required/,
    );
  });

  it('reaches a subscriber of the typed bus, or the DLQ with the reason', async () => {
    const bus = new MemoryBus();
    const typed = new TypedBus(bus);
    const seen: string[] = [];
    const dlq: string[] = [];
    await typed.subscribe('metrics-proto', async (m) => void seen.push(m.agentId), {
      group: 'g',
    });
    await bus.subscribe(
      dlqTopic('metrics-proto'),
      async (m) => {
        dlq.push(m.headers[DlqHeaders.reason] ?? '');
      },
      { group: 'g' },
    );
    await bus.publish('metrics-proto', wrap({ case: 'metrics', value: metrics }), {
      key: 'agent-7',
    });
    await bus.publish('metrics-proto', wrap({ case: 'outcome', value: outcome }), {
      key: 'agent-7',
    });
    expect(await eventually(() => seen.length === 1 && dlq.length === 1)).toBe(true);
    expect(seen).toEqual(['agent-7']);
    expect(dlq[0]).toMatch(/must carry metrics/);
    await bus.close();
  });
});
