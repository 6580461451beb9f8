import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../bus/contract.js';
import { createBus } from '../bus/create.js';
import { TypedBus } from '../bus/typed.js';
import type { Bus } from '../bus/types.js';
import { configSchema } from '../config/schema.js';
import {
  Module,
  type TrainAck,
  TrainRequestSchema,
  TrainState,
} from '../gen/landfall/v1/jobs_pb.js';
import { createLogger } from '../log.js';
import { Dispatcher, type TrainJobData } from './dispatcher.js';
import { createQueue } from './queue/create.js';
import type { JobQueue } from './queue/types.js';

// Debian's python3 (with python3-protobuf); a pyenv python3 earlier on PATH may lack it.
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const missing = [
  spawnSync('protoc', ['--version']).status === 0 ? undefined : 'protoc (protobuf-compiler)',
  spawnSync(PYTHON, ['-c', 'import google.protobuf']).status === 0 ? undefined : 'python3-protobuf',
].filter((m) => m !== undefined);

const ENCODER = `
import sys
sys.path.insert(0, sys.argv[1])
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
describe.skipIf(missing.length > 0)(
  `train requests from Python's protobuf${missing.length > 0 ? ` (skipped: ${missing.join(' and ')} not installed)` : ''}`,
  () => {
    let dir: string;
    let bus: Bus;
    let typed: TypedBus;
    let queue: JobQueue<TrainJobData>;
    let dispatcher: Dispatcher;
    const acks: TrainAck[] = [];
    let encoded: string[];

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'lf-pywire-'));
      execFileSync('protoc', [
        '-I',
        'proto',
        `--python_out=${dir}`,
        'proto/landfall/v1/jobs.proto',
      ]);
      writeFileSync(join(dir, 'encode.py'), ENCODER);
      encoded = execFileSync(PYTHON, [join(dir, 'encode.py'), dir], { encoding: 'utf8' })
        .trim()
        .split('\n');
      const config = configSchema.parse({ home: dir, train: { queueName: 'pywire' } });
      bus = await createBus(config.bus);
      typed = new TypedBus(bus);
      queue = createQueue(config.queue, 'pywire');
      await typed.subscribe('train-acks-proto', async (a) => void acks.push(a), { group: 't' });
      dispatcher = await Dispatcher.start({
        bus: typed,
        queue,
        config,
        log: createLogger('silent'),
      });
    });

    afterAll(async () => {
      await dispatcher?.stop();
      await queue?.close();
      await bus?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('accepts a valid request and queues it with every field intact', async () => {
      await bus.publish('train-requests-proto', Buffer.from(encoded[0] ?? '', 'hex'), {
        key: 'py-job-1',
      });
      expect(await eventually(() => acks.some((a) => a.jobId === 'py-job-1'))).toBe(true);
      const ack = acks.find((a) => a.jobId === 'py-job-1');
      expect(ack?.state).toBe(TrainState.QUEUED);
      expect(ack?.module).toBe(Module.MEV);
      expect((await queue.info('py-job-1'))?.status).toBe('waiting');
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
          learningRate: 0.05,
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
      expect(await eventually(() => acks.some((a) => a.jobId === 'py-job-2'))).toBe(true);
      const ack = acks.find((a) => a.jobId === 'py-job-2');
      expect(ack?.state).toBe(TrainState.REJECTED);
      expect(ack?.field).toBe('params.max_depth');
      expect(await queue.info('py-job-2')).toBeUndefined();
    });
  },
);
