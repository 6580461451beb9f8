import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withPaperSecret } from '../auth/dev-secret.js';
import { mintToken } from '../auth/mint.js';
import { configSchema } from '../config/schema.js';
import { createLogger } from '../log.js';
import type { MarketEvent } from '../market/types.js';
import { startSystem } from './system.js';
import { createWarmSimMarket, whenStored } from './warm-start.js';

const MINUTE = 60_000;

describe('warm start', () => {
  it('runs the last minutes at virtual pace, then holds each event until the wall clock reaches it', async () => {
    const began = Date.now();
    const market = createWarmSimMarket({ seed: 3 }, { minutes: 2 });
    const seen: { atMs: number; wallMs: number }[] = [];
    let caughtUpAt: number | undefined;
    void market.warm.caughtUp.then(() => {
      caughtUpAt = seen.length;
    });
    let stopping = false;
    await market.source.start((e: MarketEvent) => {
      // A stopping market releases the events of its last instant at once.
      if (!stopping) seen.push({ atMs: e.atMs, wallMs: Date.now() });
    });
    await market.warm.caughtUp;
    // A few events at wall pace after the catch-up.
    const after = seen.length;
    while (seen.length < after + 5) await new Promise((r) => setTimeout(r, 20));
    stopping = true;
    await market.stop();
    await market.source.ended;

    const first = seen[0]?.atMs ?? 0;
    expect(first).toBeGreaterThanOrEqual(began - 2 * MINUTE);
    expect(first).toBeLessThan(began - 2 * MINUTE + 1_000);
    const warm = seen.slice(0, caughtUpAt);
    // The warm part covers the two minutes up to the moment it caught up, in time order.
    expect(warm.length).toBeGreaterThan(100);
    expect((warm.at(-1)?.atMs ?? 0) - first).toBeGreaterThan(2 * MINUTE - 1_000);
    expect(warm.every((e, i) => i === 0 || e.atMs >= (warm[i - 1]?.atMs ?? 0))).toBe(true);
    // From the catch-up on, no event is delivered before its time on the wall clock (give or
    // take the timers' millisecond rounding).
    for (const e of seen.slice(caughtUpAt)) expect(e.wallMs).toBeGreaterThanOrEqual(e.atMs - 5);
    expect(market.warm.progress()).toEqual({ doneMs: 2 * MINUTE, totalMs: 2 * MINUTE });
  });

  it('rejects caughtUp with the error of a market that fails before it catches up', async () => {
    const market = createWarmSimMarket({ seed: 3 }, { minutes: 5 });
    let n = 0;
    await market.source.start(() => {
      if (++n === 500) throw new Error('handler broke');
    });
    await expect(market.warm.caughtUp).rejects.toThrow('handler broke');
    await expect(market.source.ended).rejects.toThrow('handler broke');
  });

  it('stores the warm minutes as history ending now, served to the dashboard with the market panel', async () => {
    const home = mkdtempSync(join(tmpdir(), 'lf-warm-'));
    const { config, generated } = withPaperSecret(
      configSchema.parse({ home, api: { port: 0 }, guard: { enabled: false } }),
    );
    const system = await startSystem({
      config,
      log: createLogger('silent'),
      services: ['sink', 'agents', 'api'],
      generatedSecret: generated,
      warmStartMinutes: 10,
    });
    try {
      const warm = system.warm;
      expect(warm?.minutes).toBe(10);
      await warm?.caughtUp;
      const sink = system.sink;
      if (sink !== undefined) await whenStored(sink);
      const store = system.store;
      const [row] = (await store?.query<{ n: string; span_s: string; lag_s: string }>(
        `SELECT count() AS n, dateDiff('second', min(dt), max(dt)) AS span_s,
           dateDiff('second', max(dt), now64(3)) AS lag_s
         FROM ${store.database}.metrics FINAL WHERE agent_id = 'arb-paper-1'`,
      )) ?? [undefined];
      // One metrics update per simulated second, over ten minutes that end now. The agents'
      // ticker starts once the market has started, a few simulated seconds in at virtual pace.
      expect(Number(row?.n)).toBeGreaterThanOrEqual(570);
      expect(Number(row?.span_s)).toBeGreaterThanOrEqual(570);
      expect(Math.abs(Number(row?.lag_s))).toBeLessThan(60);

      const base = /api {4}(http:\/\/\S+)\/api/.exec(system.lines.join('\n'))?.[1];
      const token = await mintToken(config.auth, { role: 'viewer', subject: 'v', ttlSeconds: 60 });
      const get = async (path: string) => {
        const res = await fetch(`${base}${path}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(res.status, path).toBe(200);
        return res.json() as Promise<Record<string, unknown>>;
      };
      const history = (await get('/api/history?minutes=60&stepSeconds=10')) as {
        agents: { agentId: string; t: number[]; pnl: number[] }[];
      };
      const arb = history.agents.find((a) => a.agentId === 'arb-paper-1');
      // Ten minutes in ten-second steps, oldest first, ending now.
      expect(arb?.t.length).toBeGreaterThanOrEqual(57);
      expect(arb?.t.length).toBe(arb?.pnl.length);
      expect(Date.now() / 1000 - (arb?.t.at(-1) ?? 0)).toBeLessThan(60);
      expect(history.agents.map((a) => a.agentId).sort()).toEqual(['arb-paper-1', 'mev-paper-1']);

      const market = await get('/api/market');
      expect(market).toMatchObject({ tag: 'paper-1', warming: false });
      expect(market.eventsPerSecond).toBeGreaterThan(0);
      expect(typeof market.regime).toBe('string');
      expect(market.seen).toBeGreaterThan(0);
      expect(market.seen as number).toBeGreaterThanOrEqual(market.taken as number);
    } finally {
      await system.stop();
    }
  });
});
