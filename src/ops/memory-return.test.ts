import koffi from 'koffi';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { until } from '../testing/until.js';
import { returnFreedMemory, startMemoryReturn } from './memory-return.js';

function rssBytes(): number {
  return process.memoryUsage.rss();
}

describe('memory return (glibc malloc_trim)', () => {
  it('gives back freed pages that free() alone keeps (a fragmented arena)', () => {
    const libc = koffi.load('libc.so.6');
    const malloc = libc.func('void *malloc(size_t size)');
    const free = libc.func('void free(void *ptr)');
    const memset = libc.func('void *memset(void *s, int c, size_t n)');
    // 80 MB in 4 KiB blocks below glibc's mmap threshold, every one touched; then all but
    // every 16th freed, so the free space lies between live blocks where free() cannot trim.
    const SIZE = 4_096;
    const blocks = Array.from({ length: 20_000 }, () => {
      const p = malloc(SIZE);
      memset(p, 1, SIZE);
      return p;
    });
    const kept = blocks.filter((_, i) => i % 16 === 0);
    blocks.forEach((p, i) => {
      if (i % 16 !== 0) free(p);
    });
    const before = rssBytes();
    expect(returnFreedMemory()).toBe(true);
    const returned = before - rssBytes();
    for (const p of kept) free(p);
    // 75 MB were freed between live blocks; most of it comes back.
    expect(returned).toBeGreaterThan(40 * 1024 * 1024);
  });

  it('runs on its interval and stops', async () => {
    const memory = startMemoryReturn(10, createLogger('silent', 'test'));
    await until(() => memory.stats().calls >= 2, 'two trims');
    memory.stop();
    const calls = memory.stats().calls;
    await new Promise((r) => setTimeout(r, 50));
    expect(memory.stats().calls).toBe(calls);
  });

  it('is off at 0', () => {
    const memory = startMemoryReturn(0, createLogger('silent', 'test'));
    expect(memory.stats().calls).toBe(0);
    memory.stop();
  });
});
