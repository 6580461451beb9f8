import { RedisServer, redisUnavailable } from './queue/testing/redis-server.js';
import { pipelineSuite } from './testing/pipeline-suite.js';

// Its own file, so its own process: chDB serves one data directory per process.
const unavailable = redisUnavailable();
pipelineSuite({
  name: 'BullMQ (real Redis)',
  ...(unavailable === undefined ? {} : { unavailable }),
  async start() {
    const redis = await RedisServer.start();
    return {
      queue: { kind: 'bullmq', redisUrl: redis.url, prefix: 'lf-e2e' },
      stop: () => redis.stop(),
    };
  },
});
