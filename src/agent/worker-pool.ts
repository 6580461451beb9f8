import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LandfallError } from '../errors.js';

/**
 * Runs independent tasks on up to `jobs` worker threads, each worker taking the next task as
 * soon as it is free. The worker module receives `workerData` once, then one task per message,
 * and answers each with `{ ok: true, result }` or `{ ok: false, error }` (a message, with its
 * stack). Results come back in task order; the first failure stops the pool and is thrown.
 */
export interface WorkerPoolOptions<T, R> {
  readonly worker: URL;
  readonly tasks: readonly T[];
  readonly jobs: number;
  readonly workerData?: unknown;
  /** Called as each task finishes, in completion order. */
  readonly onResult?: (result: R, task: T, done: number) => void;
}

export type WorkerReply<R> = { ok: true; result: R } | { ok: false; error: string };

export async function runInWorkers<T, R>(options: WorkerPoolOptions<T, R>): Promise<R[]> {
  const { tasks, worker: url } = options;
  if (!Number.isInteger(options.jobs) || options.jobs < 1)
    throw new RangeError(`worker pool: jobs must be an integer ≥ 1, got ${options.jobs}`);
  if (url.protocol === 'file:' && !existsSync(fileURLToPath(url))) {
    throw new LandfallError(
      'LF_INTERNAL',
      `worker pool: no worker module at ${fileURLToPath(url)}: parallel runs use the compiled ` +
        'build (npm run build); from the TypeScript sources run with one job',
    );
  }
  const results = new Array<R>(tasks.length);
  let next = 0;
  let done = 0;
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      if (tasks.length === 0) {
        resolve();
        return;
      }
      const count = Math.min(options.jobs, tasks.length);
      const feed = (w: Worker, index: { current: number; busy: boolean }) => {
        if (next >= tasks.length) return;
        index.current = next++;
        index.busy = true;
        w.postMessage(tasks[index.current]);
      };
      for (let i = 0; i < count; i++) {
        const w = new Worker(url, { workerData: options.workerData });
        workers.push(w);
        const index = { current: -1, busy: false };
        w.on('message', (reply: WorkerReply<R>) => {
          const task = tasks[index.current] as T;
          if (!reply.ok) {
            reject(
              new LandfallError(
                'LF_INTERNAL',
                `worker pool: task ${JSON.stringify(task)} failed: ${reply.error}`,
              ),
            );
            return;
          }
          results[index.current] = reply.result;
          index.busy = false;
          done++;
          options.onResult?.(reply.result, task, done);
          if (done === tasks.length) resolve();
          else feed(w, index);
        });
        w.on('error', (err) =>
          reject(new LandfallError('LF_INTERNAL', 'worker pool: a worker crashed', { cause: err })),
        );
        w.on('exit', (code) => {
          if (index.busy)
            reject(
              new LandfallError(
                'LF_INTERNAL',
                `worker pool: a worker exited (code ${code}) before answering task ${JSON.stringify(tasks[index.current])}`,
              ),
            );
        });
        feed(w, index);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
