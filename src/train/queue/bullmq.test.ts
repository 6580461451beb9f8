import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueSchema } from '../../config/schema.js';
import { isLandfallError } from '../../errors.js';
import { queueContract } from './contract.js';
import { createQueue } from './create.js';
import { uniqueQueueName } from './testing/helpers.js';
import { RedisServer, redisUnavailable } from './testing/redis-server.js';

const skip = redisUnavailable();
let server: RedisServer | undefined;
beforeAll(async () => {
  if (skip === undefined) server = await RedisServer.start();
});
afterAll(async () => {
  await server?.stop();
});

queueContract({
  name: 'bullmq',
  skip,
  config: (settings) => ({
    ...queueSchema.parse({
      kind: 'bullmq',
      redisUrl: server?.url,
      // Short locks, so a stalled job would show within a test; a live worker renews its own.
      lockDurationMs: 5_000,
      stalledIntervalMs: 2_000,
    }),
    ...settings,
  }),
});

describe.skipIf(skip !== undefined)(
  `bullmq: Redis refusing writes${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    it('fails add with LF_QUEUE_UNAVAILABLE naming the queue, the job and the URL', async () => {
      const admin = new Redis(server?.url ?? '', { maxRetriesPerRequest: 1 });
      const config = queueSchema.parse({ kind: 'bullmq', redisUrl: server?.url });
      const name = uniqueQueueName('refused');
      const queue = createQueue(config, name);
      try {
        expect(await queue.add('before', {})).toBe('added');
        // A server out of memory under `noeviction` refuses every write with an error reply.
        await admin.config('SET', 'maxmemory-policy', 'noeviction');
        await admin.config('SET', 'maxmemory', '1');
        const err = await queue.add('refused-job', {}).catch((e: unknown) => e);
        expect(isLandfallError(err, 'LF_QUEUE_UNAVAILABLE')).toBe(true);
        expect((err as Error).message).toContain(
          `queue ${name}: add refused-job on ${server?.url}`,
        );
        expect((err as Error).message).toMatch(/OOM/);
        await admin.config('SET', 'maxmemory', '0');
        expect(await queue.add('after', {})).toBe('added');
        expect((await queue.info('before'))?.status).toBe('waiting');
      } finally {
        await admin.config('SET', 'maxmemory', '0').catch(() => {});
        await queue.close();
        admin.disconnect();
      }
    });
  },
);
