import { expect, it } from 'vitest';
import { isLandfallError } from '../../errors.js';
import { until } from '../../testing/until.js';
import type { ContractContext } from './contract.js';
import { uniqueQueueName } from './testing/helpers.js';
import { PermanentJobError, type QueueJob } from './types.js';

/** Retries, backoff, final failure and progress: part of `queueContract`. */
export function retryContract(ctx: ContractContext): void {
  it('retries a failing job with exponential backoff, then succeeds', async () => {
    const config = ctx.config({ attempts: 3, backoffMs: 150 });
    const name = uniqueQueueName('retry');
    const starts: Array<{ attempt: number; maxAttempts: number; at: number }> = [];
    const failedAt: number[] = [];
    const reported: Array<[number, boolean, string]> = [];
    ctx.track(
      ctx.createWorker(
        config,
        name,
        async (job) => {
          starts.push({ attempt: job.attempt, maxAttempts: job.maxAttempts, at: Date.now() });
          if (job.attempt < 3) {
            failedAt.push(Date.now());
            throw new Error(`transient ${job.attempt}`);
          }
        },
        {
          onFailed: (job, err, willRetry) =>
            reported.push([job.attempt, willRetry, (err as Error).message]),
        },
      ),
    );
    const queue = ctx.track(ctx.createQueue(config, name));
    await queue.add('flaky', { x: 1 });
    await until(
      async () => (await queue.info('flaky'))?.status === 'succeeded',
      'the job to succeed',
    );
    expect(starts.map((s) => [s.attempt, s.maxAttempts])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(reported).toEqual([
      [1, true, 'transient 1'],
      [2, true, 'transient 2'],
    ]);
    // Backoff doubles: 150 ms before the 2nd attempt, 300 ms before the 3rd (10 % for clocks).
    expect((starts[1]?.at ?? 0) - (failedAt[0] ?? 0)).toBeGreaterThanOrEqual(135);
    expect((starts[2]?.at ?? 0) - (failedAt[1] ?? 0)).toBeGreaterThanOrEqual(270);
    expect(await queue.info('flaky')).toEqual({
      id: 'flaky',
      status: 'succeeded',
      attempt: 3,
      progress: 0,
    });
  });

  it('fails a job after its last attempt, with the reason, and runs it no more', async () => {
    const config = ctx.config({ attempts: 2, backoffMs: 10 });
    const name = uniqueQueueName('exhaust');
    const runs = new Map<string, number>();
    const reported: Array<[string, number, boolean]> = [];
    ctx.track(
      ctx.createWorker(
        config,
        name,
        async (job) => {
          runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
          if (job.id === 'odd') throw 'a plain string';
          throw new Error(`boom ${job.attempt}`);
        },
        { onFailed: (job, _err, willRetry) => reported.push([job.id, job.attempt, willRetry]) },
      ),
    );
    const queue = ctx.track(ctx.createQueue(config, name));
    await queue.add('doomed', {});
    await queue.add('odd', {});
    for (const id of ['doomed', 'odd'])
      await until(async () => (await queue.info(id))?.status === 'failed', `${id} to fail`);
    expect(await queue.info('doomed')).toEqual({
      id: 'doomed',
      status: 'failed',
      attempt: 2,
      progress: 0,
      failedReason: 'boom 2',
    });
    expect((await queue.info('odd'))?.failedReason).toBe('a plain string');
    await ctx.settle();
    expect(Object.fromEntries(runs)).toEqual({ doomed: 2, odd: 2 });
    expect(reported.filter(([id]) => id === 'doomed')).toEqual([
      ['doomed', 1, true],
      ['doomed', 2, false],
    ]);
  });

  it('fails a job at once on a PermanentJobError, whatever attempts remain', async () => {
    const config = ctx.config({ attempts: 3, backoffMs: 10 });
    const name = uniqueQueueName('permanent');
    let runs = 0;
    const reported: Array<[number, boolean, unknown]> = [];
    ctx.track(
      ctx.createWorker(
        config,
        name,
        async () => {
          runs++;
          throw new PermanentJobError(new Error('no rows in range'));
        },
        { onFailed: (job, err, willRetry) => reported.push([job.attempt, willRetry, err]) },
      ),
    );
    const queue = ctx.track(ctx.createQueue(config, name));
    await queue.add('hopeless', {});
    await until(async () => (await queue.info('hopeless'))?.status === 'failed', 'the job to fail');
    await ctx.settle();
    expect(await queue.info('hopeless')).toEqual({
      id: 'hopeless',
      status: 'failed',
      attempt: 1,
      progress: 0,
      failedReason: 'no rows in range',
    });
    expect(runs).toBe(1);
    expect(reported).toHaveLength(1);
    expect(reported[0]?.[1]).toBe(false);
    expect(reported[0]?.[2]).toBeInstanceOf(PermanentJobError);
  });

  it('holds a failed job delayed, with its reason, until the backoff has passed', async () => {
    const config = ctx.config({ attempts: 2, backoffMs: 600_000 });
    const name = uniqueQueueName('delayed');
    let runs = 0;
    ctx.track(
      ctx.createWorker(config, name, async () => {
        runs++;
        throw new Error('first try failed');
      }),
    );
    const queue = ctx.track(ctx.createQueue(config, name));
    await queue.add('later', {});
    await until(
      async () => (await queue.info('later'))?.status === 'delayed',
      'the job to wait delayed',
    );
    expect(await queue.info('later')).toEqual({
      id: 'later',
      status: 'delayed',
      attempt: 1,
      progress: 0,
      failedReason: 'first try failed',
    });
    await ctx.settle();
    expect(runs).toBe(1);
  });

  it("shows a running job's progress through info(), from 0 at each run", async () => {
    const config = ctx.config({ attempts: 2, backoffMs: 10 });
    const name = uniqueQueueName('progress');
    const [failFirst, reportSecond, finish] = [ctx.gate(), ctx.gate(), ctx.gate()];
    const refusals: unknown[] = [];
    const handler = async (job: QueueJob<unknown>) => {
      if (job.attempt === 1) {
        await job.progress(0.6);
        await failFirst.wait();
        throw new Error('first run failed');
      }
      for (const bad of [1.5, -0.1, Number.NaN])
        await job.progress(bad).catch((err: unknown) => refusals.push(err));
      await reportSecond.wait();
      await job.progress(0.25);
      await finish.wait();
    };
    ctx.track(ctx.createWorker(config, name, handler));
    const queue = ctx.track(ctx.createQueue(config, name));
    await queue.add('train-1', {});
    await until(async () => {
      const info = await queue.info('train-1');
      return info?.status === 'active' && info.progress === 0.6;
    }, 'progress 0.6 on the first run');
    failFirst.open();
    await until(async () => (await queue.info('train-1'))?.attempt === 2, 'the second run');
    await until(() => refusals.length === 3, 'three refused reports');
    expect(await queue.info('train-1')).toMatchObject({ status: 'active', progress: 0 });
    reportSecond.open();
    await until(async () => (await queue.info('train-1'))?.progress === 0.25, 'progress 0.25');
    finish.open();
    await until(async () => (await queue.info('train-1'))?.status === 'succeeded', 'success');
    for (const err of refusals) {
      expect(isLandfallError(err, 'LF_QUEUE_INVALID')).toBe(true);
      expect((err as Error).message).toMatch(/train-1: progress: expected a fraction/);
    }
  });
}
