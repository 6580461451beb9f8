import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, toBinary } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../bus/contract.js';
import { createBus } from '../bus/create.js';
import { TypedBus } from '../bus/typed.js';
import type { Bus } from '../bus/types.js';
import { configSchema } from '../config/schema.js';
import { Module, type TrainAck, TrainAckSchema, TrainState } from '../gen/landfall/v1/jobs_pb.js';
import { ackState, ackStateFields } from '../proto/train-state.js';
import { protocPython, pythonProtobufMissing, pythonTitle, runPython } from '../testing/python.js';
import { type DispatchHarness, startDispatch } from './testing/dispatch-harness.js';

const SEED = 'test/fixtures/seed';

// A client of the seed: jobs_pb2 compiled from the seed's own jobs.proto, unedited.
const ENCODER = `
import jobs_pb2
r = jobs_pb2.TrainRequest(schema_version="train-v1", job_id="seed-job-1", module=jobs_pb2.MEV,
    model="xgb", output_dir="models", issuer="seed-dashboard")
r.range.start = "2026-11-01"
r.range.end = "2026-11-08"
r.features.name = "default"
r.params.max_depth = 8
r.params.n_estimators = 600
r.params.learning_rate = 0.08
print(r.SerializeToString().hex())
`;

const ACK_READER = `
import json, jobs_pb2
for line in sys.stdin.read().split():
    a = jobs_pb2.TrainAck()
    a.ParseFromString(bytes.fromhex(line))
    print(json.dumps({"job_id": a.job_id, "state": a.state, "message": a.message}))
`;

/**
 * The seed's contract, spoken by the seed's own schema: a TrainRequest Python encodes from
 * test/fixtures/seed/jobs.proto reaches the dispatcher and is queued, and the TrainAck Landfall
 * answers with is read by the seed's TrainAck, state as its string.
 */
describe.skipIf(pythonProtobufMissing.length > 0)(
  pythonTitle("a client written to the seed's jobs.proto"),
  () => {
    let dir: string;
    let bus: Bus;
    let d: DispatchHarness;
    const config = configSchema.parse({ home: '/srv/landfall', train: { queueName: 'seed' } });

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'lf-seed-'));
      protocPython(SEED, [`${SEED}/jobs.proto`], dir);
      bus = await createBus(config.bus);
      d = await startDispatch(new TypedBus(bus), config);
    });

    afterAll(async () => {
      await d?.close();
      await bus?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('queues its TrainRequest and the seed reads the ack state as a string', async () => {
      const [hex = ''] = runPython(dir, 'encode.py', ENCODER);
      await bus.publish('train-requests-proto', Buffer.from(hex, 'hex'), { key: 'seed-job-1' });
      expect(await eventually(() => d.acks.some((a) => a.jobId === 'seed-job-1'))).toBe(true);
      const ack = d.acks.find((a) => a.jobId === 'seed-job-1');
      if (!ack) return;
      expect(ackState(ack)).toBe(TrainState.QUEUED);
      expect(ack.module).toBe(Module.MEV);
      // Dates are UTC midnight, end exclusive, and the ack says so.
      expect(ack.rangeRead).toMatchObject({
        start: '2026-11-01T00:00:00.000Z',
        end: '2026-11-08T00:00:00.000Z',
      });
      expect(ack.message).toContain(
        'range read as 2026-11-01T00:00:00.000Z inclusive to 2026-11-08T00:00:00.000Z exclusive (dates read as UTC midnight)',
      );

      // The job runs with what the seed's client asked for.
      expect(await eventually(() => d.jobs.length === 1)).toBe(true);
      expect(d.jobs[0]).toMatchObject({
        jobId: 'seed-job-1',
        module: 'mev',
        maxDepth: 8,
        nEstimators: 600,
        learningRate: 0.08,
        startMs: Date.UTC(2026, 10, 1),
        endMs: Date.UTC(2026, 10, 8),
      });

      const [read] = runPython(dir, 'read_ack.py', ACK_READER, toHex(ack));
      expect(JSON.parse(read ?? '{}')).toEqual({
        job_id: 'seed-job-1',
        state: 'queued',
        message: ack.message,
      });
    });

    it('reads every state Landfall acks with as the seed string', async () => {
      const states = [
        TrainState.QUEUED,
        TrainState.RUNNING,
        TrainState.SUCCEEDED,
        TrainState.FAILED,
        TrainState.REJECTED,
      ];
      const lines = states
        .map((s) => toHex(create(TrainAckSchema, { jobId: 'j', ...ackStateFields(s) })))
        .join('\n');
      const read = runPython(dir, 'read_states.py', ACK_READER, lines).map(
        (l) => (JSON.parse(l) as { state: string }).state,
      );
      expect(read).toEqual(['queued', 'running', 'succeeded', 'failed', 'rejected']);
    });
  },
);

const toHex = (ack: TrainAck) => Buffer.from(toBinary(TrainAckSchema, ack)).toString('hex');
