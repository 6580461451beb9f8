import { describe, expect, it } from 'vitest';
import { BackgroundCache } from './background-cache.js';

/** The hot path's cache: stale-while-revalidate on a virtual clock, one fetch in flight. */
function cache(fetch: () => Promise<number>) {
  const clock = { ms: 0 };
  const errors: unknown[] = [];
  const c = new BackgroundCache<number>({
    fetch,
    refreshMs: 400,
    maxAgeMs: 20_000,
    now: () => clock.ms,
    onError: (err) => errors.push(err),
  });
  return { c, clock, errors };
}

describe('BackgroundCache', () => {
  it('waits only when empty; a value a slot old is returned at once and refreshed behind', async () => {
    let n = 0;
    const gates: Array<() => void> = [];
    const { c, clock } = cache(
      () =>
        new Promise<number>((resolve) => {
          const v = ++n;
          gates.push(() => resolve(v));
        }),
    );
    const first = c.current();
    gates.shift()?.();
    expect(await first).toBe(1);
    clock.ms = 100;
    expect(await c.current()).toBe(1);
    expect(c.stats.fetches).toBe(1);
    clock.ms = 500;
    // Old enough to refresh: the cached value comes back without waiting, one fetch starts.
    expect(await c.current()).toBe(1);
    expect(await c.current()).toBe(1);
    expect(c.stats.fetches).toBe(2);
    gates.shift()?.();
    await new Promise((r) => setImmediate(r));
    expect(await c.current()).toBe(2);
  });

  it('past maxAge a read waits for the fresh value; a failed background refresh is reported and retried', async () => {
    let fail = false;
    let n = 0;
    const { c, clock, errors } = cache(async () => {
      if (fail) throw new Error('rpc down');
      return ++n;
    });
    expect(await c.current()).toBe(1);
    clock.ms = 1_000;
    fail = true;
    expect(await c.current()).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(errors).toHaveLength(1);
    expect(c.stats.failures).toBe(1);
    fail = false;
    clock.ms = 30_000;
    expect(await c.current()).toBe(2);
  });
});
