import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type QueueConfig, queueSchema } from '../../config/schema.js';
import { until } from '../../testing/until.js';
import { uniqueQueueName } from './testing/helpers.js';
import { RedisServer, redisUnavailable } from './testing/redis-server.js';
import { nextTick, slotOf, type TickSpec } from './ticker.js';
import { createTicker } from './ticker-create.js';

/** The rules of ticker.ts, against both adapters: two tickers on one name, as two processes. */
const skipRedis = redisUnavailable();
let server: RedisServer | undefined;
beforeAll(async () => {
  if (skipRedis === undefined) server = await RedisServer.start();
});
afterAll(async () => {
  await server?.stop();
});

const adapters: Array<{ name: string; skip?: string; config: () => QueueConfig }> = [
  { name: 'memory', config: () => queueSchema.parse({ kind: 'memory' }) },
  {
    name: 'bullmq',
    ...(skipRedis === undefined ? {} : { skip: skipRedis }),
    config: () => queueSchema.parse({ kind: 'bullmq', redisUrl: server?.url }),
  },
];

describe('nextTick', () => {
  it('gives the next multiple of everyMs, and the next instant a UTC cron names', () => {
    expect(nextTick({ id: 'a', everyMs: 1000 }, 1500)).toBe(2000);
    expect(nextTick({ id: 'a', everyMs: 1000 }, 2000)).toBe(3000);
    const sixAm = Date.parse('2026-12-04T06:00:00Z');
    expect(nextTick({ id: 'c', cron: '0 6 * * *' }, sixAm - 1)).toBe(sixAm);
    expect(nextTick({ id: 'c', cron: '0 6 * * *' }, sixAm)).toBe(sixAm + 86_400_000);
    // Ticks of an everyMs spec are keyed by their slot: BullMQ starts its stream at the upsert.
    expect(slotOf({ id: 'a', everyMs: 300 }, 1796398512406)).toBe(1796398512300);
    expect(slotOf({ id: 'c', cron: '0 6 * * *' }, sixAm)).toBe(sixAm);
  });
});

for (const a of adapters) {
  describe.skipIf(a.skip !== undefined)(
    `ticker contract: ${a.name}${a.skip ? ` (skipped: ${a.skip})` : ''}`,
    () => {
      it('ticks at the scheduled instants, keyed the same by every ticker, until closed', async () => {
        const name = uniqueQueueName('tick');
        const spec: TickSpec = { id: 'every-300', everyMs: 300 };
        const ticks: Array<{ ticker: number; id: string; at: number; ranAt: number }> = [];
        const errors: unknown[] = [];
        const tickers = await Promise.all(
          [0, 1].map((k) =>
            createTicker(
              a.config(),
              name,
              [spec],
              async (id, at) => void ticks.push({ ticker: k, id, at, ranAt: Date.now() }),
              (e) => errors.push(e),
            ),
          ),
        );
        const slots = () =>
          [...new Set(ticks.map((t) => slotOf(spec, t.at)))].sort((x, y) => x - y);
        await until(() => slots().length >= 4, 'four slots ticked', 20_000);
        await Promise.all(tickers.map((t) => t.close()));
        const seen = slots();
        const closedWith = ticks.length;
        expect(errors).toEqual([]);
        expect(ticks.every((t) => t.id === 'every-300')).toBe(true);
        // Consecutive slots, but for one passed while a ticker was still running the tick before
        // it: a tick run a whole period or more after its instant (a stalled process, a loaded
        // machine, BullMQ promoting a delayed job late) is followed by the next instant still
        // ahead, not by the missed ones in a burst (ticker.ts). So a gap follows only a slot
        // whose last run came a period or more after its instant.
        for (let i = 1; i < seen.length; i++) {
          const before = seen[i - 1] ?? 0;
          if (seen[i] === before + 300) continue;
          const lateness = Math.max(
            ...ticks.filter((t) => slotOf(spec, t.at) === before).map((t) => t.ranAt - t.at),
          );
          expect({ gapAfter: before, late: lateness >= 300 }).toEqual({
            gapAfter: before,
            late: true,
          });
        }
        // At least once, and no more than once per ticker: a slot is never flooded.
        for (const slot of seen) {
          expect(ticks.filter((t) => slotOf(spec, t.at) === slot).length).toBeLessThanOrEqual(2);
        }
        await new Promise((r) => setTimeout(r, 700));
        expect(ticks).toHaveLength(closedWith);
      });

      it('fires a cron spec on the instants it names (UTC, seconds field)', async () => {
        const ticks: number[] = [];
        const ticker = await createTicker(
          a.config(),
          uniqueQueueName('cron'),
          [{ id: 'each-second', cron: '* * * * * *' }],
          async (_id, at) => void ticks.push(at),
          () => {},
        );
        try {
          await until(() => new Set(ticks).size >= 2, 'two cron ticks', 20_000);
        } finally {
          await ticker.close();
        }
        expect(ticks.every((at) => at % 1000 === 0)).toBe(true);
      });
    },
  );
}
