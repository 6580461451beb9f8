import { describe, expect, it } from 'vitest';
import { isLandfallError } from '../errors.js';
import { runInWorkers } from './worker-pool.js';

const worker = new URL('./worker-pool.fixture.mjs', import.meta.url);

describe('worker pool', () => {
  it('answers every task in task order, with fewer workers than tasks', async () => {
    const seen: number[] = [];
    const results = await runInWorkers<number, { square: number; offset: number }>({
      worker,
      tasks: [1, 2, 3, 4, 5, 6, 7],
      jobs: 3,
      workerData: { offset: 10 },
      onResult: (_, task, done) => {
        seen.push(task);
        expect(done).toBe(seen.length);
      },
    });
    expect(results.map((r) => r.square)).toEqual([1, 4, 9, 16, 25, 36, 49]);
    expect(results.every((r) => r.offset === 10)).toBe(true);
    expect([...seen].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('throws the first failure, naming its task', async () => {
    const run = runInWorkers({ worker, tasks: [1, -2, 3], jobs: 2, workerData: { offset: 0 } });
    await expect(run).rejects.toThrow(/task -2 failed: negative: -2/);
  });

  it('notices a worker that exits without answering', async () => {
    const run = runInWorkers({ worker, tasks: [13], jobs: 1, workerData: { offset: 0 } });
    await expect(run).rejects.toThrow(/exited \(code 0\) before answering task 13/);
  });

  it('says how to run when the worker module is not built', async () => {
    const missing = new URL('./no-such-worker.js', import.meta.url);
    const err = await runInWorkers({ worker: missing, tasks: [1], jobs: 2 }).catch((e) => e);
    expect(isLandfallError(err, 'LF_INTERNAL')).toBe(true);
    expect(String(err.message)).toMatch(/npm run build/);
  });
});
