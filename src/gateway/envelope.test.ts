import { create, fromBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { Module, TrainAckSchema, TrainState } from '../gen/landfall/v1/jobs_pb.js';
import {
  BundleOutcomeSchema,
  EnvelopeSchema,
  MetricsUpdateSchema,
  SloStateSchema,
} from '../gen/landfall/v1/realtime_pb.js';
import { frameOf, SCHEMA_VERSION } from './envelope.js';

describe('frameOf', () => {
  it('wraps a message in an rt-v1 Envelope named as in realtime.proto, with its sampling key', () => {
    const ack = frameOf(
      'train-acks-proto',
      create(TrainAckSchema, {
        jobId: 'j1',
        state: 'running',
        trainState: TrainState.RUNNING,
        progress: 0.5,
      }),
    );
    const decoded = fromBinary(EnvelopeSchema, ack.bytes);
    expect(decoded.schemaVersion).toBe(SCHEMA_VERSION);
    expect(decoded.type).toBe('train_ack');
    expect(decoded.payload.case).toBe('trainAck');
    expect(decoded.payload.value).toMatchObject({ jobId: 'j1', progress: 0.5 });
    expect(ack).toMatchObject({ key: 'train:j1', droppable: false });

    const m = frameOf('metrics-proto', create(MetricsUpdateSchema, { agentId: 'a1' }));
    expect(m).toMatchObject({ type: 'metrics', key: 'metrics:a1', droppable: false });
    const slo = frameOf('slo-proto', create(SloStateSchema, { module: Module.MEV }));
    expect(slo.key).toBe('slo:mev');
    const outcome = frameOf(
      'bundle-outcomes-proto',
      create(BundleOutcomeSchema, { bundleId: 'b' }),
    );
    expect(outcome).toMatchObject({ key: undefined, droppable: true });
  });
});
