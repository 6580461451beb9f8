import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { describe, expect, it } from 'vitest';
import {
  Module,
  TrainAckSchema,
  TrainRequestSchema,
  TrainState,
} from '../gen/landfall/v1/jobs_pb.js';
import { BundleOutcomeSchema, EnvelopeSchema } from '../gen/landfall/v1/realtime_pb.js';
import { sampleBundleOutcome, sampleTrainRequest } from './samples.js';
import { ackStateFields } from './train-state.js';

describe('jobs.proto wire contract', () => {
  it('decodes a TrainRequest written field by field with the numbers other languages use', () => {
    // Built with the raw wire writer, independent of the generated schema, so a renumbered
    // field fails here even if encode and decode still agree with each other.
    const w = new BinaryWriter();
    w.tag(1, WireType.LengthDelimited).string('train-v1');
    w.tag(2, WireType.LengthDelimited).string('job-42');
    w.tag(3, WireType.Varint).int32(1); // MEV
    w.tag(4, WireType.LengthDelimited).fork();
    w.tag(1, WireType.LengthDelimited).string('2026-11-01T00:00:00Z');
    w.tag(2, WireType.LengthDelimited).string('2026-11-02T00:00:00Z');
    w.join();
    w.tag(5, WireType.LengthDelimited).fork();
    w.tag(1, WireType.LengthDelimited).string('extended');
    w.tag(2, WireType.LengthDelimited).string('a');
    w.tag(3, WireType.LengthDelimited).string('b');
    w.join();
    w.tag(6, WireType.LengthDelimited).string('xgb');
    w.tag(7, WireType.LengthDelimited).fork();
    w.tag(1, WireType.Varint).uint32(8);
    w.tag(2, WireType.Varint).uint32(300);
    w.tag(3, WireType.Bit32).float(0.05); // the seed's `float learning_rate = 3`
    w.tag(4, WireType.Varint).bool(true);
    w.join();
    w.tag(8, WireType.LengthDelimited).string('models/out');
    w.tag(9, WireType.LengthDelimited).string('alice');

    const req = fromBinary(TrainRequestSchema, w.finish());
    expect(req.schemaVersion).toBe('train-v1');
    expect(req.jobId).toBe('job-42');
    expect(req.module).toBe(Module.MEV);
    expect(req.range).toMatchObject({ start: '2026-11-01T00:00:00Z', end: '2026-11-02T00:00:00Z' });
    expect(req.features).toMatchObject({ name: 'extended', include: ['a'], exclude: ['b'] });
    expect(req.model).toBe('xgb');
    expect(req.params).toMatchObject({
      maxDepth: 8,
      nEstimators: 300,
      learningRate: Math.fround(0.05),
      gpu: true,
    });
    expect(req.outputDir).toBe('models/out');
    expect(req.issuer).toBe('alice');
  });

  it("writes TrainAck's job_id, state and message as the seed's strings 1-3", () => {
    const bytes = toBinary(
      TrainAckSchema,
      create(TrainAckSchema, {
        jobId: 'job-42',
        ...ackStateFields(TrainState.RUNNING),
        message: 'half way',
      }),
    );
    const r = new BinaryReader(bytes);
    const fields: Array<[number, WireType, string | number]> = [];
    while (r.pos < r.len) {
      const [no, wireType] = r.tag();
      fields.push([no, wireType, wireType === WireType.LengthDelimited ? r.string() : r.int32()]);
    }
    expect(fields).toEqual([
      [1, WireType.LengthDelimited, 'job-42'],
      [2, WireType.LengthDelimited, 'running'],
      [3, WireType.LengthDelimited, 'half way'],
      [10, WireType.Varint, TrainState.RUNNING],
    ]);
  });

  it('round-trips the sample messages', () => {
    const req = sampleTrainRequest(Module.ARBITRAGE);
    expect(fromBinary(TrainRequestSchema, toBinary(TrainRequestSchema, req))).toEqual(req);
    const outcome = sampleBundleOutcome(7);
    expect(fromBinary(BundleOutcomeSchema, toBinary(BundleOutcomeSchema, outcome))).toEqual(
      outcome,
    );
  });

  it('carries payloads in the realtime Envelope oneof', () => {
    const outcome = sampleBundleOutcome(1);
    const env = fromBinary(
      EnvelopeSchema,
      toBinary(EnvelopeSchema, {
        $typeName: 'landfall.v1.Envelope',
        schemaVersion: 'rt-v1',
        type: 'outcome',
        payload: { case: 'outcome', value: outcome },
      }),
    );
    expect(env.payload.case).toBe('outcome');
    expect(env.payload.value).toEqual(outcome);
  });
});
