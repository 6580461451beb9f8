import { describe, expect, it } from 'vitest';
import { until } from '../testing/until.js';
import { MemoryBus } from './memory.js';
import type { BusMessage } from './types.js';

const MiB = 1024 * 1024;

function gc(): NodeJS.MemoryUsage {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run vitest with --expose-gc (vitest.config.ts sets it)');
  collect();
  collect();
  return process.memoryUsage();
}

/** Heap plus the payloads' ArrayBuffers, which live outside the JS heap. */
function held(m: NodeJS.MemoryUsage): number {
  return m.heapUsed + m.arrayBuffers;
}

describe('memory bus retention (bytes)', () => {
  it('keeps retained bytes under the bound through a 200k × 1 KiB burst and gives memory back', async () => {
    const before = gc();
    const bound = 8 * MiB;
    const bus = new MemoryBus({ retentionBytes: bound });
    let handled = 0;
    let peak = 0;
    await bus.subscribe('burst', async () => void handled++, { group: 'sink' });
    const payload = new Uint8Array(1024).fill(7);
    for (let i = 0; i < 200_000; i++) {
      await bus.publish('burst', payload, { key: `job-${i % 64}` });
      if (i % 1_000 === 0) peak = Math.max(peak, bus.retention().bytes);
    }
    await until(() => handled === 200_000, '200k messages handled');
    await until(() => bus.retention().bytes <= bound, 'retention back under the bound');
    const during = process.memoryUsage();
    const after = gc();
    const mb = (n: number) => Math.round(n / MiB);
    console.log(
      `retention: bound ${mb(bound)} MiB, peak retained ${mb(peak)} MiB, ` +
        `retained after ${mb(bus.retention().bytes)} MiB; heap+buffers ${mb(held(before))} → ` +
        `${mb(held(during))} (before gc) → ${mb(held(after))} MiB; rss ${mb(before.rss)} → ` +
        `${mb(during.rss)} → ${mb(after.rss)} MiB`,
    );
    expect(bus.retention().bytes).toBeLessThanOrEqual(bound);
    // Bursts past twice the bound are trimmed at once; in-flight messages may add a little.
    expect(peak).toBeLessThan(3 * bound);
    expect(held(after) - held(before)).toBeLessThan(bound + 48 * MiB);
    await bus.close();
  }, 120_000);

  it('never drops what a group has not acknowledged; says so, and trims once it catches up', async () => {
    const bound = 256 * 1024;
    const warnings: unknown[] = [];
    const logger = { warn: (o: unknown) => void warnings.push(o) } as never;
    const bus = new MemoryBus({ retentionBytes: bound, logger, maxInFlight: 10_000 });
    let open = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const got: number[] = [];
    await bus.subscribe(
      'stuck',
      async (m) => {
        await gate;
        got.push(Number(m.headers.seq));
      },
      { group: 'slow' },
    );
    for (let i = 0; i < 2_000; i++) {
      await bus.publish('stuck', new Uint8Array(1024), { key: 'k', headers: { seq: String(i) } });
    }
    await until(() => bus.retention().overBound > 0, 'the over-bound count');
    expect(bus.retention().bytes).toBeGreaterThan(bound);
    expect(warnings).toHaveLength(1);
    open();
    await until(() => got.length === 2_000, 'every message handled');
    expect(got).toEqual(Array.from({ length: 2_000 }, (_, i) => i));
    await until(() => bus.retention().bytes <= bound, 'retention back under the bound');
    await bus.close();
  });

  it('drops the oldest acknowledged messages first: a new earliest group gets the newest', async () => {
    const bound = 256 * 1024;
    const bus = new MemoryBus({ retentionBytes: bound, partitions: 4 });
    let handled = 0;
    await bus.subscribe('aged', async () => void handled++, { group: 'first' });
    const publish = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        await bus.publish('aged', new Uint8Array(1024), { key: `k${i}`, headers: { seq: `${i}` } });
      }
    };
    // Age is publish time (ms): a pause between the waves makes every new one strictly newer.
    await publish(0, 1_900);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await publish(1_900, 2_000);
    await until(() => handled === 2_000 && bus.retention().bytes <= bound, 'first group done');
    const late: BusMessage[] = [];
    const sub = await bus.subscribe('aged', async (m) => void late.push(m), { group: 'late' });
    await until(() => late.some((m) => m.headers.seq === '1999'), 'the newest retained message');
    await sub.close();
    const seqs = new Set(late.map((m) => Number(m.headers.seq)));
    expect(seqs.size).toBeLessThan(2_000);
    for (let i = 1_900; i < 2_000; i++) expect(seqs.has(i)).toBe(true);
    await bus.close();
  });

  it('behind a lagging group, trims in chunks rather than a pass per acknowledgement', async () => {
    const bound = 64 * 1024;
    const logger = { warn: () => {} } as never;
    const bus = new MemoryBus({ retentionBytes: bound, logger, maxInFlight: 10_000 });
    let open = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let handled = 0;
    await bus.subscribe(
      'lagging',
      async () => {
        await gate;
        handled++;
      },
      { group: 'slow' },
    );
    const publish = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        await bus.publish('lagging', new Uint8Array(256), { key: `k${i % 16}` });
      }
    };
    // A backlog of several times the bound, then the group acknowledges one message for about
    // each one published: it never catches up, and every acknowledgement frees a little.
    await publish(0, 2_000);
    const before = bus.retention().overBound;
    open();
    await publish(2_000, 12_000);
    // Each pass that cannot get under the bound counts once: a pass per acknowledgement (or
    // per publish after one) would count about 10k here.
    expect(bus.retention().overBound - before).toBeLessThan(100);
    await until(() => handled === 12_000, 'every message handled');
    await until(() => bus.retention().bytes <= bound, 'retention back under the bound');
    await bus.close();
  });

  it('pins only its own payloads behind a consumer stuck on a quiet topic', async () => {
    const before = gc();
    const bound = 8 * MiB;
    const bus = new MemoryBus({ retentionBytes: bound });
    // A group that never finishes a message: everything it has not read stays retained.
    await bus.subscribe('quiet', () => new Promise<void>(() => {}), { group: 'stuck' });
    const payload = new Uint8Array(300).fill(3);
    for (let i = 0; i < 200_000; i++) {
      await bus.publish(i % 50 === 0 ? 'quiet' : 'busy', payload, { key: `k${i % 64}` });
    }
    const after = gc();
    // 4,000 quiet payloads of 300 bytes are retained (≈ 2 MiB with their bookkeeping). Chunks
    // shared with the busy topic's 196,000 trimmed payloads would pin ≈ 60 MiB more.
    expect(bus.retention().overBound).toBe(0);
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(16 * MiB);
  }, 60_000);
});
