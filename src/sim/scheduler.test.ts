import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimedHeap } from './heap.js';
import { Scheduler } from './scheduler.js';

describe('timed heap', () => {
  it('pops in (time, seq) order, whatever the push order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 300 }), (times) => {
        const heap = new TimedHeap<{ time: number; seq: number }>();
        for (const [seq, time] of times.entries()) heap.push({ time, seq });
        const popped: { time: number; seq: number }[] = [];
        for (let e = heap.pop(); e !== undefined; e = heap.pop()) popped.push(e);
        const expected = times
          .map((time, seq) => ({ time, seq }))
          .sort((a, b) => a.time - b.time || a.seq - b.seq);
        expect(popped).toEqual(expected);
      }),
    );
  });
});

describe('scheduler', () => {
  const virtual = () => new Scheduler({ startMs: 1_000, pace: 'virtual', speed: 1 });

  it('runs actions in time order, same-time actions in scheduling order, on a virtual clock', async () => {
    const s = virtual();
    const log: string[] = [];
    s.at(1_050, () => void log.push(`b@${s.now()}`));
    s.at(1_010, () => void log.push(`a@${s.now()}`));
    s.at(1_050, () => void log.push(`c@${s.now()}`));
    s.schedule(200, () => void log.push(`late@${s.now()}`));
    await s.run(1_100);
    expect(log).toEqual(['a@1010', 'b@1050', 'c@1050']);
    expect(s.now()).toBe(1_100);
    await s.run(undefined);
    expect(log.at(-1)).toBe('late@1200');
  });

  it('stands still while an action awaits, and lets promise chains finish before the next', async () => {
    const s = virtual();
    const log: string[] = [];
    s.at(1_001, async () => {
      await Promise.resolve();
      await new Promise<void>((r) => setTimeout(r, 5));
      log.push(`slow done @${s.now()}`);
    });
    s.at(1_002, () => {
      // A chain started here must complete before the action at 1003 runs.
      void Promise.resolve()
        .then(() => Promise.resolve())
        .then(() => log.push(`chain @${s.now()}`));
      s.requestYield();
    });
    s.at(1_003, () => void log.push(`next @${s.now()}`));
    await s.run(undefined);
    expect(log).toEqual(['slow done @1001', 'chain @1002', 'next @1003']);
  });

  it('refuses to schedule in the past and cancels what schedule() returned', async () => {
    const s = virtual();
    const log: number[] = [];
    const cancel = s.schedule(10, () => void log.push(1));
    s.schedule(20, () => void log.push(2));
    cancel();
    await s.run(undefined);
    expect(log).toEqual([2]);
    expect(() => s.at(500, () => undefined)).toThrow(/before the current time/);
  });

  it('stop() ends a run that has no horizon', async () => {
    const s = virtual();
    let n = 0;
    const tick = () => {
      if (++n === 50) s.stop();
      s.at(s.now() + 1, tick);
    };
    s.at(1_000, tick);
    await s.run(undefined);
    expect(n).toBe(50);
  });
});
