import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { MarketEvent, MarketEventHandler } from '../market/types.js';
import type { SimConfigInput } from './config.js';
import { DEFAULT_REFERENCE, ReferenceSearcher } from './reference-searcher.js';
import { Simulator } from './simulator.js';

const json = (x: unknown) => JSON.stringify(x, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));

/** Every event and every searcher's outcome of a run with the baseline, in order, hashed. */
async function fingerprint(
  config: SimConfigInput,
  minutes: number,
  wrap: (h: MarketEventHandler) => MarketEventHandler = (h) => h,
) {
  const lines: string[] = [];
  const sim = new Simulator(config, {
    durationMs: minutes * 60_000,
    observe: (who, outcome) => lines.push(`${who} ${json(outcome)}`),
  });
  const agent = new ReferenceSearcher(sim.executor, { ...DEFAULT_REFERENCE, route: 'auto' });
  await sim.run(
    wrap((event) => {
      lines.push(json(event));
      agent.handle(event);
    }),
  );
  const hash = createHash('sha256').update(lines.join('\n')).digest('hex');
  return {
    hash,
    lines: lines.length,
    agentOutcomes: agent.report.outcomes.length,
    stats: sim.stats,
  };
}

describe('simulator determinism', () => {
  it('the same seed and config give the same events and outcomes, bit for bit', async () => {
    const a = await fingerprint({ seed: 11 }, 4);
    const b = await fingerprint({ seed: 11 }, 4);
    expect(a.agentOutcomes).toBeGreaterThan(10);
    expect(a.stats.rivals.submissions).toBeGreaterThan(10);
    expect(b.hash).toBe(a.hash);
    expect(b.lines).toBe(a.lines);
    const c = await fingerprint({ seed: 12 }, 4);
    expect(c.hash).not.toBe(a.hash);
  });

  it('an engine that awaits between events sees the same run: virtual time stands still', async () => {
    const sync = await fingerprint({ seed: 5 }, 2);
    let n = 0;
    const awaiting = await fingerprint({ seed: 5 }, 2, (h) => async (event) => {
      // Real asynchrony (a timer) now and then, microtasks always.
      if (++n % 400 === 0) await new Promise((r) => setTimeout(r, 0));
      await Promise.resolve();
      await h(event);
    });
    expect(awaiting.hash).toBe(sync.hash);
  });

  it('adding rivals changes neither the price path, the flow nor the chain', async () => {
    const kinds = new Set<MarketEvent['kind']>(['pendingSwap', 'slot', 'fees', 'tipFloor']);
    const exogenous = async (config: SimConfigInput) => {
      const seen: string[] = [];
      const sim = new Simulator(config, { durationMs: 5 * 60_000 });
      await sim.run((e) => {
        if (kinds.has(e.kind)) seen.push(json(e));
      });
      return { seen, captured: sim.stats.opportunities.arb.capturedByRivals };
    };
    const none = await exogenous({
      seed: 3,
      rivals: {
        population: 0,
        regimes: { empty: { activeRivals: 0, latencyMultiplier: 1, tipShareMultiplier: 1 } },
        switching: { mode: 'markov', initial: 'empty', meanDwellMinutes: 10 },
      },
    });
    const many = await exogenous({ seed: 3, rivals: { population: 30 } });
    expect(many.captured).toBeGreaterThan(0);
    expect(none.captured).toBe(0);
    expect(none.seen.filter((l) => l.includes('pendingSwap')).length).toBeGreaterThan(5);
    expect(many.seen).toEqual(none.seen);
  });

  it('wall pace delivers the same market as virtual pace, only slower', async () => {
    const events = async (pace: 'virtual' | 'wall') => {
      const seen: string[] = [];
      const sim = new Simulator({ seed: 9, pace, speed: 400 }, { durationMs: 8_000 });
      await sim.run((e) => void seen.push(json(e)));
      return seen;
    };
    const virtual = await events('virtual');
    expect(virtual.length).toBeGreaterThan(50);
    expect(await events('wall')).toEqual(virtual);
  });

  it('stop() ends an open-ended run and settles every submission', async () => {
    const sim = new Simulator({ seed: 2 });
    const agent = new ReferenceSearcher(sim.executor);
    let slots = 0;
    await sim.source.start((e) => {
      agent.handle(e);
      if (e.kind === 'slot' && ++slots === 600) void sim.source.stop();
    });
    await sim.source.ended;
    expect(slots).toBe(600);
    expect(agent.report.outcomes.length).toBe(agent.report.submitted);
    await expect(sim.source.start(() => undefined)).rejects.toThrow(/already started/);
  });

  it('a handler that throws ends the run with its error', async () => {
    const sim = new Simulator({ seed: 2 }, { durationMs: 60_000 });
    await sim.source.start((e) => {
      if (e.kind === 'slot' && e.slot > 300_000_010) throw new Error('engine broke');
    });
    await expect(sim.source.ended).rejects.toThrow('engine broke');
  });
});
