import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../bus/memory.js';
import { TypedBus } from '../bus/typed.js';
import { validateConfig } from '../config/load.js';
import { createLogger } from '../log.js';
import { createSimMarket } from '../sim/index.js';
import { openStore } from '../store/client.js';
import { migrateStore } from '../store/setup.js';
import { Sink } from '../store/sink.js';
import { until } from '../testing/until.js';
import { runAgents } from './run.js';

describe('event ids across runs', () => {
  it('a second paper run on the same home adds to the history instead of replacing it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'lf-run-ids-'));
    const config = validateConfig({ home });
    const store = await openStore(config.store, { home });
    const bus = new MemoryBus();
    const typed = new TypedBus(bus);
    try {
      await migrateStore(store, config);
      const sink = await Sink.start({
        bus: typed,
        store,
        group: 'sink',
        batchRows: 500,
        flushMs: 20,
        maxPendingRows: 100_000,
        maxInFlight: 1_000,
        insertConcurrency: 1,
      });
      // The same seed and the same start instant (recent, inside the store's TTL) both times:
      // the simulator replays the same market, so only the run id tells the runs apart.
      const startTimeMs = Date.now() - 60_000;
      const runs: { opportunities: number; decided: number }[] = [];
      for (let i = 0; i < 2; i++) {
        const market = createSimMarket({
          config: { ...config.sim, startTimeMs },
          pace: 'virtual',
          durationMs: 60_000,
        });
        const run = await runAgents(market, {
          config,
          publisher: typed,
          modules: ['arb'],
          log: createLogger('silent'),
        });
        await run.ended;
        await run.stop();
        const c = run.agents[0]?.engine.counters;
        runs.push({ opportunities: c?.opportunities ?? 0, decided: c?.decided ?? 0 });
      }
      const [a, b] = runs;
      // The seeded market is the same both runs, so the agent did the same both runs.
      expect(a?.opportunities).toBeGreaterThan(0);
      expect(a?.decided).toBeGreaterThan(0);
      expect(b).toEqual(a);
      const db = store.database;
      const count = async (sql: string) =>
        Number((await store.query<{ n: string }>(sql))[0]?.n ?? Number.NaN);
      const want = {
        opportunities: (a?.opportunities ?? 0) * 2,
        outcomes: (a?.decided ?? 0) * 2,
      };
      // Every row of both runs inserted (before any dedupe), then what the tables keep.
      await until(
        async () =>
          (await count(`SELECT count() AS n FROM ${db}.arb_opportunities`)) >= want.opportunities &&
          (await count(`SELECT count() AS n FROM ${db}.bundle_outcomes`)) >= want.outcomes,
        'both runs inserted',
      );
      await sink.stop();
      expect(await count(`SELECT count() AS n FROM ${db}.arb_opportunities FINAL`)).toBe(
        want.opportunities,
      );
      expect(await count(`SELECT count() AS n FROM ${db}.bundle_outcomes FINAL`)).toBe(
        want.outcomes,
      );
      // Two runs, told apart by the run id between the agent id and the slot.
      expect(
        await count(
          `SELECT uniqExact(splitByChar('-', opportunity_id)[4]) AS n FROM ${db}.arb_opportunities FINAL`,
        ),
      ).toBe(2);
    } finally {
      await bus.close();
      await store.close();
    }
  }, 120_000);
});
