import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type QueueConfig, queueSchema } from '../../config/schema.js';
import { TS_CHILD_ARGS } from '../../testing/ts-child.js';
import { until } from '../../testing/until.js';
import { createQueue, createWorker } from './create.js';
import { Cleanup, sleep, uniqueQueueName } from './testing/helpers.js';
import { RedisServer, redisUnavailable } from './testing/redis-server.js';
import type { JobQueue, WorkerEvents } from './types.js';

const CRASH_WORKER = fileURLToPath(new URL('./testing/crash-worker.ts', import.meta.url));
const JOB = 'train-job-1';

interface Row {
  event: 'start' | 'done';
  pid: number;
  id: string;
  attempt: number;
  runs?: number | undefined;
}

const skip = redisUnavailable();
let server: RedisServer | undefined;
let dir = '';
const cleanup = new Cleanup();
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lf-killed-worker-'));
  if (skip === undefined) server = await RedisServer.start();
});
afterEach(() => cleanup.run());
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A job taken by a worker in a child process that reports progress 0.5 and hangs; a rescuer
 * worker in this process already runs beside it (appending `start` and `done` rows). Returns
 * once the child holds the job, with what the test needs to kill it and check the rows.
 */
async function jobHeldByDoomedWorker(
  settings: Partial<QueueConfig>,
  events: WorkerEvents<unknown>,
) {
  const raw = { kind: 'bullmq', redisUrl: server?.url, ...settings };
  const config = queueSchema.parse(raw);
  const name = uniqueQueueName('killed');
  const rowsFile = join(dir, `${name}.jsonl`);
  appendFileSync(rowsFile, '');
  const rows = (): Row[] =>
    readFileSync(rowsFile, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Row);

  const queue: JobQueue<{ model: string }> = cleanup.track(createQueue(config, name));
  expect(await queue.add(JOB, { model: 'xgb' })).toBe('added');
  const child: ChildProcess = spawn(
    process.execPath,
    [...TS_CHILD_ARGS, CRASH_WORKER, JSON.stringify(raw), name, rowsFile],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  cleanup.track({ close: async () => void child.kill('SIGKILL') });
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  await until(() => stdout.includes(`progress-reported ${JOB}`), 'the child to report progress');
  expect(await queue.info(JOB)).toMatchObject({ status: 'active', progress: 0.5 });

  cleanup.track(
    createWorker<unknown>(
      config,
      name,
      async (job) => {
        const row = { pid: process.pid, id: job.id, attempt: job.attempt, runs: job.runs };
        appendFileSync(rowsFile, `${JSON.stringify({ event: 'start', ...row })}\n`);
        await job.progress(1);
        appendFileSync(rowsFile, `${JSON.stringify({ event: 'done', ...row })}\n`);
      },
      events,
    ),
  );
  // While the child lives it renews its lock: the rescuer's stalled checks leave the job alone.
  await sleep(2 * config.stalledIntervalMs);
  expect(rows()).toHaveLength(1);
  expect(await queue.info(JOB)).toMatchObject({ status: 'active' });
  const kill = async () => {
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
  };
  return { config, queue, rows, pid: child.pid, kill };
}

/**
 * The child renews its lock every half of it: a child descheduled for longer than that on a
 * loaded machine would lose the job before the kill, so the lock is long enough to rule it out.
 */
const LOCK_MS = 10_000;

describe.skipIf(skip !== undefined)(
  `bullmq: a worker killed mid-job${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    it('is taken over by another worker once its lock expires, and the job succeeds once', {
      timeout: 180_000,
    }, async () => {
      const stalled: string[] = [];
      const { config, queue, rows, pid, kill } = await jobHeldByDoomedWorker(
        { lockDurationMs: LOCK_MS, stalledIntervalMs: 1_000, attempts: 3, backoffMs: 100 },
        { onStalled: (id) => stalled.push(id) },
      );
      await kill();
      await until(
        async () => (await queue.info(JOB))?.status === 'succeeded',
        'the job to succeed on the rescuer',
        90_000,
      );
      await sleep(2 * config.stalledIntervalMs);

      expect(stalled).toEqual([JOB]);
      const [killed, rescued, done, ...extra] = rows();
      expect(extra).toEqual([]);
      // The lost run is not an attempt (attempt 1 both times), but it is a run (runs 1 → 2).
      expect(killed).toEqual({ event: 'start', pid, id: JOB, attempt: 1, runs: 1 });
      expect(rescued).toEqual({ event: 'start', pid: process.pid, id: JOB, attempt: 1, runs: 2 });
      expect(done).toEqual({ ...rescued, event: 'done' });
      expect(await queue.info(JOB)).toEqual({
        id: JOB,
        status: 'succeeded',
        attempt: 1,
        progress: 1,
      });
    });

    it('fails the job instead when it has stalled more than maxStalledCount times', {
      timeout: 180_000,
    }, async () => {
      const failures: Array<[string, string, boolean]> = [];
      const { config, queue, rows, kill } = await jobHeldByDoomedWorker(
        { lockDurationMs: LOCK_MS, stalledIntervalMs: 1_000, maxStalledCount: 0 },
        {
          onFailed: (job, err, willRetry) =>
            failures.push([job.id, (err as Error).message, willRetry]),
        },
      );
      await kill();
      await until(
        async () => (await queue.info(JOB))?.status === 'failed',
        'the job to fail',
        90_000,
      );
      await sleep(2 * config.stalledIntervalMs);

      expect(rows().map((r) => r.event)).toEqual(['start']);
      expect(failures).toEqual([[JOB, 'job stalled more than allowable limit', false]]);
      expect(await queue.info(JOB)).toMatchObject({
        status: 'failed',
        failedReason: 'job stalled more than allowable limit',
      });
    });
  },
);
