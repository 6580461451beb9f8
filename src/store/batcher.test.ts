import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Batcher, type BatcherOptions } from './batcher.js';

interface Write {
  entries: number[];
  finish(err?: Error): void;
}

/** A batcher over numbers whose writes wait until the test finishes them. */
function harness(options: Partial<BatcherOptions<number>> = {}) {
  const writes: Write[] = [];
  const batcher = new Batcher<number>({
    batchRows: 3,
    flushMs: 200,
    concurrency: 1,
    timestampOf: (n) => n,
    write: (entries) =>
      new Promise<void>((resolve, reject) => {
        writes.push({ entries, finish: (err) => (err ? reject(err) : resolve()) });
      }),
    ...options,
  });
  return { batcher, writes };
}

function settled(p: Promise<unknown>): { state: string } {
  const s = { state: 'pending' };
  p.then(
    () => (s.state = 'resolved'),
    () => (s.state = 'rejected'),
  );
  return s;
}

describe('batcher', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('seals a batch when it is full, without waiting for the timer', async () => {
    const { batcher, writes } = harness();
    const adds = [1, 2, 3, 4].map((n) => settled(batcher.add(n)));
    expect(writes.map((w) => w.entries)).toEqual([[1, 2, 3]]);
    writes[0]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(adds.map((a) => a.state)).toEqual(['resolved', 'resolved', 'resolved', 'pending']);
  });

  it('seals a partial batch when its first entry has waited flushMs', async () => {
    const { batcher, writes } = harness();
    const add = settled(batcher.add(10));
    await vi.advanceTimersByTimeAsync(199);
    expect(writes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(writes.map((w) => w.entries)).toEqual([[10]]);
    expect(add.state).toBe('pending');
    writes[0]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(add.state).toBe('resolved');
  });

  it('fails every entry of a batch whose write fails, and only those', async () => {
    const { batcher, writes } = harness();
    const first = [1, 2, 3].map((n) => settled(batcher.add(n)));
    const second = settled(batcher.add(4));
    writes[0]?.finish(new Error('refused'));
    await vi.advanceTimersByTimeAsync(200);
    writes[1]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(first.map((a) => a.state)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(second.state).toBe('resolved');
  });

  it('writes at most `concurrency` batches at once, the rest in order', async () => {
    const { batcher, writes } = harness({ concurrency: 2 });
    for (let n = 1; n <= 9; n++) void batcher.add(n);
    expect(writes.map((w) => w.entries)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(batcher.pending).toBe(9);
    writes[0]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(writes.map((w) => w.entries[0])).toEqual([1, 4, 7]);
    expect(batcher.pending).toBe(6);
  });

  it('reports the publish time of its oldest unwritten entry', () => {
    const { batcher } = harness({ batchRows: 10 });
    expect(batcher.oldestPending()).toBeUndefined();
    void batcher.add(50);
    void batcher.add(20);
    expect(batcher.oldestPending()).toBe(20);
  });

  it('flushes on demand and, once eager, writes what arrives on the next turn', async () => {
    const { batcher, writes } = harness({ batchRows: 10 });
    void batcher.add(1);
    const flushed = settled(batcher.flush());
    expect(writes.map((w) => w.entries)).toEqual([[1]]);
    writes[0]?.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(flushed.state).toBe('resolved');
    batcher.eager();
    void batcher.add(2);
    void batcher.add(3);
    await vi.advanceTimersByTimeAsync(0);
    expect(writes.map((w) => w.entries)).toEqual([[1], [2, 3]]);
  });
});
