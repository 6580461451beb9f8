import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { queueSchema } from '../../config/schema.js';
import { until } from '../../testing/until.js';
import { createQueue, createWorker } from './create.js';
import { sleep, uniqueQueueName } from './testing/helpers.js';
import { PermanentJobError, type QueueWorker } from './types.js';

const IDS = ['job-a', 'job-b', 'job-c', 'job-d', 'job-e', 'job-f'] as const;

const scenario = fc.record({
  attempts: fc.integer({ min: 1, max: 3 }),
  backoffMs: fc.integer({ min: 0, max: 4 }),
  concurrency: fc.integer({ min: 1, max: 4 }),
  workers: fc.integer({ min: 1, max: 3 }),
  adds: fc.array(
    fc.record({
      id: fc.constantFrom(...IDS),
      /** Attempts that throw before one succeeds; the first add of an id decides. */
      failures: fc.integer({ min: 0, max: 4 }),
      throwsString: fc.boolean(),
      /** The first failure is a PermanentJobError: no retry. */
      permanent: fc.boolean(),
      /** Yield to the workers after this add, so adds and runs interleave. */
      yieldAfter: fc.boolean(),
    }),
    { minLength: 1, maxLength: 25 },
  ),
  /** Handlers that take a macrotask before deciding, so runs overlap. */
  slowHandlers: fc.boolean(),
});

describe('memory queue: any adds and failures', () => {
  it('end every distinct id succeeded or failed exactly once, none lost, none run twice', {
    timeout: 180_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const config = queueSchema.parse({
          kind: 'memory',
          attempts: s.attempts,
          backoffMs: s.backoffMs,
          concurrency: s.concurrency,
        });
        const name = uniqueQueueName('property');
        const plan = new Map<
          string,
          { failures: number; throwsString: boolean; permanent: boolean }
        >();
        const runs = new Map<string, number>();
        const successes = new Map<string, number>();
        const finalFailures = new Map<string, number>();
        const bump = (m: Map<string, number>, id: string) => m.set(id, (m.get(id) ?? 0) + 1);

        const workers: QueueWorker[] = [];
        for (let i = 0; i < s.workers; i++)
          workers.push(
            createWorker<{ failures: number }>(
              config,
              name,
              async (job) => {
                bump(runs, job.id);
                if (s.slowHandlers) await sleep(0);
                const step = plan.get(job.id);
                if (step !== undefined && job.attempt <= step.failures) {
                  const err = step.throwsString
                    ? `string failure ${job.attempt}`
                    : new Error(`failure ${job.attempt}`);
                  throw step.permanent ? new PermanentJobError(err) : err;
                }
                bump(successes, job.id);
              },
              { onFailed: (job, _err, willRetry) => willRetry || bump(finalFailures, job.id) },
            ),
          );
        const queue = createQueue<{ failures: number }>(config, name);
        const answers = new Map<string, string[]>();
        for (const add of s.adds) {
          if (!plan.has(add.id)) plan.set(add.id, add);
          const answer = await queue.add(add.id, { failures: add.failures });
          answers.set(add.id, [...(answers.get(add.id) ?? []), answer]);
          if (add.yieldAfter) await sleep(0);
        }
        const distinct = [...plan.keys()];
        await until(async () => {
          const infos = await Promise.all(distinct.map((id) => queue.info(id)));
          return infos.every((i) => i?.status === 'succeeded' || i?.status === 'failed');
        }, 'every job to finish');
        await sleep(10 + 8 * s.backoffMs);
        await Promise.all(workers.map((w) => w.close()));

        for (const id of IDS) {
          const step = plan.get(id);
          const info = await queue.info(id);
          if (step === undefined) {
            expect(info).toBeUndefined();
            continue;
          }
          const stopsAt = step.permanent ? 1 : s.attempts;
          const succeeds = step.failures === 0 || step.failures < stopsAt;
          expect(answers.get(id)?.filter((a) => a === 'added')).toEqual(['added']);
          expect(info?.status).toBe(succeeds ? 'succeeded' : 'failed');
          expect(runs.get(id)).toBe(succeeds ? step.failures + 1 : stopsAt);
          expect(successes.get(id) ?? 0).toBe(succeeds ? 1 : 0);
          expect(finalFailures.get(id) ?? 0).toBe(succeeds ? 0 : 1);
          const reason = step.throwsString ? 'string failure' : 'failure';
          if (!succeeds) expect(info?.failedReason).toBe(`${reason} ${stopsAt}`);
        }
        await queue.close();
      }),
      { numRuns: 150 },
    );
  });
});
