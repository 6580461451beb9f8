import { create, toBinary } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../bus/contract.js';
import { createBus } from '../bus/create.js';
import { TypedBus } from '../bus/typed.js';
import { type Bus, DlqHeaders, dlqTopic } from '../bus/types.js';
import { configSchema } from '../config/schema.js';
import {
  Module,
  type TrainAck,
  TrainRequestSchema,
  TrainState,
} from '../gen/landfall/v1/jobs_pb.js';
import { createLogger } from '../log.js';
import { sampleTrainRequest } from '../proto/samples.js';
import { ackState } from '../proto/train-state.js';
import { Dispatcher, type TrainJobData } from './dispatcher.js';
import { createQueue } from './queue/create.js';
import type { JobQueue } from './queue/types.js';
import { INVALID_REQUESTS } from './testing/invalid-requests.js';

describe('dispatcher', () => {
  const config = configSchema.parse({ home: '/srv/lf', train: { queueName: 'dispatcher-test' } });
  let bus: Bus;
  let typed: TypedBus;
  let queue: JobQueue<TrainJobData>;
  let dispatcher: Dispatcher;
  const acks: TrainAck[] = [];
  const dlq: string[] = [];

  beforeAll(async () => {
    bus = await createBus(config.bus);
    typed = new TypedBus(bus);
    // No worker: jobs stay waiting, so the queue shows exactly what was enqueued.
    queue = createQueue(config.queue, 'dispatcher-test');
    await typed.subscribe('train-acks-proto', async (a) => void acks.push(a), { group: 't' });
    await bus.subscribe(
      dlqTopic('train-requests-proto'),
      async (m) => void dlq.push(m.headers[DlqHeaders.reason] ?? ''),
      { group: 't' },
    );
    dispatcher = await Dispatcher.start({ bus: typed, queue, config, log: createLogger('silent') });
  });

  afterAll(async () => {
    await dispatcher.stop();
    await queue.close();
    await bus.close();
  });

  const acksOf = (jobId: string) => acks.filter((a) => a.jobId === jobId);

  it.each(
    INVALID_REQUESTS.map(([field, change, message], i) => [field, i, change, message] as const),
  )(
    'rejects a bad %s (case %i) with an ack naming it, and enqueues nothing',
    async (field, i, change, message) => {
      const request = sampleTrainRequest(Module.MEV, `bad-${i}`);
      change(request);
      // Raw bytes: a typed publisher refuses unknown enum values before they leave.
      await bus.publish('train-requests-proto', toBinary(TrainRequestSchema, request), {
        key: request.jobId,
      });
      expect(await eventually(() => acksOf(`bad-${i}`).length > 0)).toBe(true);
      const [ack] = acksOf(`bad-${i}`);
      expect(ack && ackState(ack)).toBe(TrainState.REJECTED);
      expect(ack?.field).toBe(field);
      expect(ack?.message).toMatch(message);
      expect(await queue.info(`bad-${i}`)).toBeUndefined();
    },
  );

  it('queues a valid request once; a duplicate is answered with its state, not enqueued again', async () => {
    const request = sampleTrainRequest(Module.ARBITRAGE, 'good-1');
    await typed.publish('train-requests-proto', request);
    await typed.publish('train-requests-proto', request);
    expect(await eventually(() => acksOf('good-1').length === 2)).toBe(true);
    const [first, second] = acksOf('good-1');
    expect(first && ackState(first)).toBe(TrainState.QUEUED);
    expect(second && ackState(second)).toBe(TrainState.QUEUED);
    expect(second?.message).toMatch(/^duplicate request: job good-1 is already waiting/);
    expect((await queue.info('good-1'))?.status).toBe('waiting');
  });

  it('rejects a job id the queue cannot hold, naming job_id', async () => {
    await typed.publish('train-requests-proto', sampleTrainRequest(Module.MEV, '12345'));
    expect(await eventually(() => acksOf('12345').length > 0)).toBe(true);
    expect(acksOf('12345')[0]).toMatchObject({
      state: 'rejected',
      trainState: TrainState.REJECTED,
      field: 'job_id',
    });
  });

  it('dead-letters a request without a job id: nobody could be told', async () => {
    const request = create(TrainRequestSchema, { schemaVersion: 'train-v1' });
    await bus.publish('train-requests-proto', toBinary(TrainRequestSchema, request), { key: 'x' });
    expect(await eventually(() => dlq.length > 0)).toBe(true);
    expect(dlq[0]).toMatch(/job_id/);
  });
});
