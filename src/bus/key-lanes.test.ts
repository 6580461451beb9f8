import { describe, expect, it } from 'vitest';
import { KeyLanes } from './key-lanes.js';

describe('KeyLanes', () => {
  it('runs one task at a time per key, in order, and keys side by side', async () => {
    const lanes = new KeyLanes();
    const log: string[] = [];
    const gates = new Map<string, () => void>();
    const task = (name: string) => () =>
      new Promise<void>((resolve) => {
        log.push(`start ${name}`);
        gates.set(name, () => {
          log.push(`end ${name}`);
          resolve();
        });
      });
    const runs = [
      lanes.run('a', task('a1')),
      lanes.run('a', task('a2')),
      lanes.run('b', task('b1')),
    ];
    // A key with nothing running starts at once; a2 waits for a1.
    expect(log).toEqual(['start a1', 'start b1']);
    expect(lanes.running).toBe(3);
    gates.get('a1')?.();
    await runs[0];
    await Promise.resolve();
    expect(log).toEqual(['start a1', 'start b1', 'end a1', 'start a2']);
    gates.get('a2')?.();
    gates.get('b1')?.();
    await Promise.all(runs);
    await lanes.idle();
    expect(lanes.running).toBe(0);
  });

  it('starts the next task of a key on release, before the first settles', async () => {
    const lanes = new KeyLanes();
    let finish = () => {};
    const first = lanes.run(
      'k',
      (release) =>
        new Promise<void>((resolve) => {
          finish = resolve;
          release();
          release(); // idempotent: must not start a third task
        }),
    );
    const order: number[] = [];
    const second = lanes.run('k', async () => void order.push(2));
    const third = lanes.run('k', async () => void order.push(3));
    await second;
    await third;
    expect(order).toEqual([2, 3]);
    finish();
    await first;
  });

  it('a failing task rejects its own run and lets the key go on', async () => {
    const lanes = new KeyLanes();
    const failed = lanes.run('k', () => Promise.reject(new Error('boom')));
    const thrown = lanes.run('k', () => {
      throw new Error('sync boom');
    });
    const next = lanes.run('k', async () => {});
    await expect(failed).rejects.toThrow('boom');
    await expect(thrown).rejects.toThrow('sync boom');
    await expect(next).resolves.toBeUndefined();
  });

  it('drains 20k queued tasks of one key that release at once without growing the stack', async () => {
    const lanes = new KeyLanes();
    const n = 20_000;
    let started = 0;
    let open = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const runs: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      runs.push(
        lanes.run('k', async (release) => {
          started++;
          release();
          await gate;
        }),
      );
    }
    // The first task started at once and released: every task after it started in turn.
    expect(started).toBe(n);
    open();
    await Promise.all(runs);
    await lanes.idle();
  });
});
