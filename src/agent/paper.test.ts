import { describe, expect, it } from 'vitest';
import type { TopicMessage, TopicName } from '../bus/topics.js';
import { encodeTopic } from '../bus/typed.js';
import { configSchema } from '../config/schema.js';
import { createLogger } from '../log.js';
import { startPaper, summaryLines } from './paper.js';

describe('paper mode', () => {
  it('runs both agents on a wall-paced market and publishes until stopped', async () => {
    // 200× wall speed, so the 1 s metrics ticks come every 5 ms of wall time.
    const config = configSchema.parse({ sim: { speed: 200 }, agent: { metricsIntervalMs: 1_000 } });
    const topics = new Map<string, number>();
    const publisher = {
      async publish<T extends TopicName>(topic: T, message: TopicMessage<T>) {
        encodeTopic(topic, message);
        topics.set(topic, (topics.get(topic) ?? 0) + 1);
      },
    };
    const run = await startPaper({
      config,
      publisher,
      modules: ['arb', 'mev'],
      log: createLogger('silent'),
    });
    expect(run.lines.join('\n')).toMatch(/arb-paper-1.*arb-opportunities-proto/);
    expect(run.lines.join('\n')).toMatch(/mev-paper-1.*mev-opportunities-proto/);
    // Wait for the metrics stream to flow (polling, no timing assertion).
    for (let i = 0; i < 200 && (topics.get('metrics-proto') ?? 0) <= 4; i++)
      await new Promise((r) => setTimeout(r, 50));
    await run.stop();
    await run.stop();
    await run.ended;
    expect(topics.get('metrics-proto') ?? 0).toBeGreaterThan(4);
    expect(summaryLines(run)).toHaveLength(2);
  });
});
