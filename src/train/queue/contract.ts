import { afterEach, describe, expect, it } from 'vitest';
import type { QueueConfig } from '../../config/schema.js';
import { isLandfallError } from '../../errors.js';
import { until } from '../../testing/until.js';
import { retryContract } from './contract-retries.js';
import { createQueue, createWorker } from './create.js';
import { Cleanup, type Gate, sleep, uniqueQueueName } from './testing/helpers.js';

/**
 * The one contract every queue adapter passes (the rules in types.ts). Each adapter's test file
 * calls it with its configuration; a target that cannot run here skips and says why.
 */
export interface QueueContractTarget {
  name: string;
  /** Why the suite cannot run here (e.g. no redis-server); undefined to run. */
  skip?: string | undefined;
  /** The target's configuration with one test's settings on top; called inside each test. */
  config(settings: Partial<QueueConfig>): QueueConfig;
}

/** What the parts of the suite share: the target, and cleanup of what a test opens. */
export interface ContractContext {
  config(settings: Partial<QueueConfig>): QueueConfig;
  createQueue: typeof createQueue;
  createWorker: typeof createWorker;
  track<C extends { close(): Promise<void> }>(closable: C): C;
  gate(): Gate;
  /** Gives a wrongful extra run the time to show itself before a test counts runs. */
  settle(): Promise<void>;
}

export function queueContract(target: QueueContractTarget): void {
  const title = `queue contract: ${target.name}`;
  if (target.skip !== undefined) {
    describe(title, () => it.skip(`skipped: ${target.skip}`, () => {}));
    return;
  }
  describe(title, () => {
    const cleanup = new Cleanup();
    afterEach(() => cleanup.run());
    const ctx: ContractContext = {
      config: (settings) => target.config(settings),
      createQueue,
      createWorker,
      track: (closable) => cleanup.track(closable),
      gate: () => cleanup.gate(),
      settle: () => sleep(500),
    };

    it('adds an id once: a duplicate, in any state, is refused and never runs', async () => {
      const config = ctx.config({ attempts: 1 });
      const name = uniqueQueueName('dedupe');
      const hold = ctx.gate();
      const runs: Array<[string, unknown]> = [];
      ctx.track(
        createWorker<{ n: number }>(config, name, async (job) => {
          runs.push([job.id, job.data.n]);
          if (job.id === 'held') await hold.wait();
          if (job.id === 'broken') throw new Error('broken');
        }),
      );
      const queue = ctx.track(createQueue<{ n: number }>(config, name));
      expect(await queue.add('held', { n: 1 })).toBe('added');
      expect(await queue.add('held', { n: 2 })).toBe('duplicate');
      await until(async () => (await queue.info('held'))?.status === 'active', 'held to run');
      expect(await queue.add('held', { n: 3 })).toBe('duplicate');
      hold.open();
      await until(
        async () => (await queue.info('held'))?.status === 'succeeded',
        'held to succeed',
      );
      expect(await queue.add('held', { n: 4 })).toBe('duplicate');
      await queue.add('broken', { n: 5 });
      await until(async () => (await queue.info('broken'))?.status === 'failed', 'broken to fail');
      expect(await queue.add('broken', { n: 6 })).toBe('duplicate');
      const racing = await Promise.all([7, 8, 9, 10].map((n) => queue.add('raced', { n })));
      expect(racing.filter((r) => r === 'added')).toHaveLength(1);
      await until(
        async () => (await queue.info('raced'))?.status === 'succeeded',
        'raced to succeed',
      );
      await ctx.settle();
      expect(runs.filter(([id]) => id !== 'raced')).toEqual([
        ['held', 1],
        ['broken', 5],
      ]);
      expect(runs.filter(([id]) => id === 'raced')).toHaveLength(1);
    });

    it('shares a queue between workers, each job run once', async () => {
      const config = ctx.config({ concurrency: 2 });
      const name = uniqueQueueName('share');
      const runs = new Map<string, number>();
      const handler = async (job: { id: string }) => {
        await sleep(5);
        runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
      };
      ctx.track(createWorker(config, name, handler));
      ctx.track(createWorker(config, name, handler));
      const queue = ctx.track(createQueue(config, name));
      const ids = Array.from({ length: 20 }, (_, i) => `job-${i}`);
      for (const id of ids) await queue.add(id, { id });
      await until(() => runs.size === ids.length, 'every job to run');
      await ctx.settle();
      expect([...runs.values()].every((n) => n === 1)).toBe(true);
      for (const id of ids) expect((await queue.info(id))?.status).toBe('succeeded');
    });

    it('runs at most `concurrency` handlers at once in one worker', async () => {
      const config = ctx.config({ concurrency: 3 });
      const name = uniqueQueueName('concurrency');
      const release = ctx.gate();
      let running = 0;
      let peak = 0;
      ctx.track(
        createWorker(config, name, async () => {
          running++;
          peak = Math.max(peak, running);
          await release.wait();
          running--;
        }),
      );
      const queue = ctx.track(createQueue(config, name));
      const ids = Array.from({ length: 9 }, (_, i) => `c-${i}`);
      for (const id of ids) await queue.add(id, {});
      await until(() => running === 3, 'three handlers to run');
      await ctx.settle();
      expect(peak).toBe(3);
      const statuses = await Promise.all(ids.map(async (id) => (await queue.info(id))?.status));
      expect(statuses.filter((s) => s === 'active')).toHaveLength(3);
      expect(statuses.filter((s) => s === 'waiting')).toHaveLength(6);
      release.open();
      await until(async () => {
        const all = await Promise.all(ids.map((id) => queue.info(id)));
        return all.every((info) => info?.status === 'succeeded');
      }, 'all to succeed');
      expect(peak).toBe(3);
    });

    it('close(): a worker finishes the jobs it runs and takes no more; a queue refuses calls', async () => {
      const config = ctx.config({});
      const name = uniqueQueueName('close');
      const finishing = ctx.gate();
      const started: string[] = [];
      const finished: string[] = [];
      const worker = ctx.track(
        createWorker(config, name, async (job) => {
          started.push(job.id);
          await finishing.wait();
          finished.push(job.id);
        }),
      );
      const queue = ctx.track(createQueue(config, name));
      await queue.add('running', {});
      await until(() => started.length === 1, 'the job to start');
      let closed = false;
      const closing = worker.close().then(() => {
        closed = true;
      });
      await sleep(300);
      expect(closed).toBe(false);
      finishing.open();
      await closing;
      expect(finished).toEqual(['running']);
      expect((await queue.info('running'))?.status).toBe('succeeded');
      await worker.close();

      await queue.add('after', {});
      await ctx.settle();
      expect(started).toEqual(['running']);
      expect((await queue.info('after'))?.status).toBe('waiting');
      const later: string[] = [];
      ctx.track(createWorker(config, name, async (job) => void later.push(job.id)));
      await until(
        async () => (await queue.info('after'))?.status === 'succeeded',
        'a new worker to take it',
      );
      expect(later).toEqual(['after']);

      await queue.close();
      await queue.close();
      for (const call of [() => queue.add('late', {}), () => queue.info('after')]) {
        const err = await call().catch((e: unknown) => e);
        expect(isLandfallError(err, 'LF_QUEUE_CLOSED')).toBe(true);
      }
    });

    it('refuses bad ids and data with LF_QUEUE_INVALID naming the field; hands data over as JSON', async () => {
      const config = ctx.config({});
      const name = uniqueQueueName('checks');
      const queue = ctx.track(createQueue<unknown>(config, name));
      for (const id of ['', 'a:b', '42', 'x'.repeat(257)]) {
        const err = await queue.add(id, {}).catch((e: unknown) => e);
        expect(isLandfallError(err, 'LF_QUEUE_INVALID'), `id ${JSON.stringify(id)}`).toBe(true);
        expect((err as Error).message).toContain('job id');
      }
      for (const data of [undefined, { big: 1n }]) {
        const err = await queue.add('bad-data', data).catch((e: unknown) => e);
        expect(isLandfallError(err, 'LF_QUEUE_INVALID')).toBe(true);
        expect((err as Error).message).toContain('bad-data: data is not JSON-serialisable');
      }
      expect(await queue.info('bad-data')).toBeUndefined();
      expect(await queue.info('never-added')).toBeUndefined();
      const seen: unknown[] = [];
      ctx.track(createWorker(config, name, async (job) => void seen.push(job.data)));
      await queue.add('json', { when: new Date(0), list: [1, 'two', null], skip: undefined });
      await until(() => seen.length === 1, 'the job to run');
      expect(seen[0]).toEqual({ when: '1970-01-01T00:00:00.000Z', list: [1, 'two', null] });
    });

    retryContract(ctx);
  });
}
