import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../bus/contract.js';
import { createBus } from '../bus/create.js';
import { TypedBus } from '../bus/typed.js';
import type { Bus } from '../bus/types.js';
import { configSchema } from '../config/schema.js';
import { Module, TrainRequestSchema, TrainState } from '../gen/landfall/v1/jobs_pb.js';
import { ackState } from '../proto/train-state.js';
import { protocPython, pythonProtobufMissing, pythonTitle, runPython } from '../testing/python.js';
import { type DispatchHarness, startDispatch } from './testing/dispatch-harness.js';

const ENCODER = `
from landfall.v1 import jobs_pb2
def request(job_id, depth):
    r = jobs_pb2.TrainRequest(schema_version="train-v1", job_id=job_id, module=jobs_pb2.MEV,
        model="xgb", output_dir="models", issuer="python@example")
    r.range.start = "2026-11-01T00:00:00Z"
    r.range.end = "2026-11-08T00:00:00Z"
    r.features.name = "extended"
    r.features.exclude.append("leader_slots_left")
    r.params.max_depth = depth
    r.params.n_estimators = 150
    r.params.learning_rate = 0.05
    r.params.gpu_fallback = True
    return r.SerializeToString().hex()
print(request("py-job-1", 5))
print(request("py-job-2", 99))
`;

/**
 * Wire compatibility: TrainRequests encoded by Google's Python protobuf runtime, from the same
 * jobs.proto compiled by protoc, reach the dispatcher as raw bytes on the bus.
 */
describe.skipIf(pythonProtobufMissing.length > 0)(
  pythonTitle("train requests from Python's protobuf"),
  () => {
    let dir: string;
    let bus: Bus;
    let d: DispatchHarness;
    let encoded: string[];

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'lf-pywire-'));
      protocPython('proto', ['proto/landfall/v1/jobs.proto'], dir);
      encoded = runPython(dir, 'encode.py', ENCODER);
      const config = configSchema.parse({ home: dir, train: { queueName: 'pywire' } });
      bus = await createBus(config.bus);
      d = await startDispatch(new TypedBus(bus), config);
    });

    afterAll(async () => {
      await d?.close();
      await bus?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('accepts a valid request and queues it with every field intact', async () => {
      await bus.publish('train-requests-proto', Buffer.from(encoded[0] ?? '', 'hex'), {
        key: 'py-job-1',
      });
      expect(await eventually(() => d.acks.some((a) => a.jobId === 'py-job-1'))).toBe(true);
      const ack = d.acks.find((a) => a.jobId === 'py-job-1');
      expect(ack && ackState(ack)).toBe(TrainState.QUEUED);
      expect(ack?.module).toBe(Module.MEV);
      // Queued and taken by the worker with what Python asked for.
      expect(await eventually(() => d.jobs.some((j) => j.jobId === 'py-job-1'))).toBe(true);
      expect(d.jobs.find((j) => j.jobId === 'py-job-1')).toMatchObject({
        maxDepth: 5,
        nEstimators: 150,
        learningRate: 0.05,
        gpuFallback: true,
      });
      // Every field Python wrote is what the generated TypeScript reads.
      const decoded = fromBinary(TrainRequestSchema, Buffer.from(encoded[0] ?? '', 'hex'));
      expect(decoded).toMatchObject({
        schemaVersion: 'train-v1',
        jobId: 'py-job-1',
        module: Module.MEV,
        range: { start: '2026-11-01T00:00:00Z', end: '2026-11-08T00:00:00Z' },
        features: { name: 'extended', include: [], exclude: ['leader_slots_left'] },
        model: 'xgb',
        params: {
          maxDepth: 5,
          nEstimators: 150,
          learningRate: Math.fround(0.05),
          gpu: false,
          gpuFallback: true,
        },
        outputDir: 'models',
        issuer: 'python@example',
      });
    });

    it('rejects an out-of-bounds field with an ack that names it', async () => {
      await bus.publish('train-requests-proto', Buffer.from(encoded[1] ?? '', 'hex'), {
        key: 'py-job-2',
      });
      expect(await eventually(() => d.acks.some((a) => a.jobId === 'py-job-2'))).toBe(true);
      const ack = d.acks.find((a) => a.jobId === 'py-job-2');
      expect(ack && ackState(ack)).toBe(TrainState.REJECTED);
      expect(ack?.field).toBe('params.max_depth');
      expect(await d.queue.info('py-job-2')).toBeUndefined();
    });
  },
);
