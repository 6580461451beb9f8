import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { Module } from '../gen/landfall/v1/jobs_pb.js';
import { type MetricsUpdate, MetricsUpdateSchema } from '../gen/landfall/v1/realtime_pb.js';
import { guardConfigFor, guardConfigSchema } from './config.js';
import { evaluate } from './evaluate.js';
import { ModuleWindows } from './window.js';

const config = guardConfigSchema.parse({});

interface Counts {
  decided: number;
  landed: number;
  negative: number;
  submissions: number;
  slow: number;
}

/** One agent's cumulative counters, turned into a MetricsUpdate at `ts` (seconds). */
function update(
  ts: number,
  c: Counts,
  extra: { hotpathSlowMs?: number; hotpathP99Ms?: number } = {},
): MetricsUpdate {
  return create(MetricsUpdateSchema, {
    agentId: 'a1',
    module: Module.ARBITRAGE,
    tsMs: BigInt(ts * 1000),
    decided: BigInt(c.decided),
    landed: BigInt(c.landed),
    negativeOutcomes: BigInt(c.negative),
    submissions: BigInt(c.submissions),
    hotpathSlow: BigInt(c.slow),
    hotpathSlowMs: 20,
    state: 'running',
    ...extra,
  });
}

/** Feeds `seconds` of updates: 2 decided and 2 submitted a second, `bad(t)` saying what went wrong. */
function feed(
  seconds: number,
  bad: (t: number) => Partial<Record<'lost' | 'negative' | 'slow', number>>,
  settings = config,
) {
  const w = new ModuleWindows(20, 60_000);
  const c: Counts = { decided: 0, landed: 0, negative: 0, submissions: 0, slow: 0 };
  for (let t = 0; t <= seconds; t++) {
    const b = bad(t);
    c.decided += 2;
    c.submissions += 2;
    c.landed += 2 - (b.lost ?? 0);
    c.negative += b.negative ?? 0;
    c.slow += b.slow ?? 0;
    w.add(update(t, c));
  }
  const now = seconds * 1000;
  return evaluate(w.totals(now, 30_000, 5_000), w.totals(now, 5_000, 5_000), settings);
}

describe('guard windows and burn rates', () => {
  it('on a paper market, landed and losses are shown but never judged: they neither trip nor hold back recovery', () => {
    const paper = guardConfigFor(config, 'paper');
    expect(guardConfigFor(config, 'live')).toBe(config);
    // Nothing lands and everything loses, for a minute.
    const v = feed(60, () => ({ lost: 2, negative: 2 }), paper);
    expect(v.tripped).toBe(false);
    expect(v.healthy).toBe(true);
    expect(feed(60, () => ({ lost: 2, negative: 2 })).tripped).toBe(true);
    // The hot path is judged as live.
    expect(feed(40, (t) => (t >= 37 ? { slow: 2 } : {}), paper).tripped).toBe(true);
  });

  it('a healthy module is healthy, with burn rates near zero', () => {
    const v = feed(60, () => ({}));
    expect(v.tripped).toBe(false);
    expect(v.healthy).toBe(true);
    expect(v.reason).toMatch(/^ok: /);
  });

  it('a 2 s all-slow blip burns the fast window but not the slow one: no trip', () => {
    const v = feed(40, (t) => (t >= 39 ? { slow: 2 } : {}));
    const hot = v.readings.find((r) => r.slo === 'hotpath');
    // 4 slow of 60 in 30 s: 6.7 % of a 1 % budget; the last 5 s: 4 of 10.
    expect(hot?.burnSlow).toBeCloseTo(6.67, 1);
    expect(hot?.burnFast).toBeCloseTo(40, 5);
    expect(v.tripped).toBe(false);
    expect(v.healthy).toBe(true);
  });

  it('a sustained burn trips once it is 10 % of the window, and names the SLO', () => {
    const v = feed(40, (t) => (t >= 37 ? { slow: 2 } : {}));
    expect(v.tripped).toBe(true);
    expect(v.reason).toMatch(/^hot path: 13\.3 % of 60 over 20 ms/);
    expect(v.severe).toBe(false);
    const severe = feed(40, (t) => (t >= 28 ? { slow: 2 } : {}));
    expect(severe.severe).toBe(true);
  });

  it('landed and negative EV burn against their own budgets', () => {
    // 1 of 2 lost for 12 s: 12 of 60 lost in the window, 20 % — inside the 30 % budget.
    expect(feed(40, (t) => (t > 28 ? { lost: 1 } : {})).tripped).toBe(false);
    // 18 of 60 lost: landed exactly 70 %, which is not "> 70 %".
    const landed = feed(40, (t) => (t > 22 ? { lost: 1 } : {}));
    expect(landed.reason).toMatch(/^landed 70\.0 % of 60 \(SLO > 70 %\)/);
    expect(landed.tripped).toBe(true);
    const neg = feed(40, (t) => (t > 36 ? { negative: 2 } : {}));
    expect(neg.reason).toMatch(/^negative EV 13\.3 % of 60/);
  });

  /** A low-volume searcher: `outcomes` over 30 s, one every 5 s, `landed` of them landed first. */
  function sparse(outcomes: number, landed: number, negative = 0) {
    const w = new ModuleWindows(20, 60_000);
    const c: Counts = { decided: 0, landed: 0, negative: 0, submissions: 0, slow: 0 };
    w.add(update(0, c));
    for (let i = 1; i <= outcomes; i++) {
      c.decided++;
      c.submissions++;
      if (i <= landed) c.landed++;
      if (i <= negative) c.negative++;
      w.add(update(i * 5, c));
    }
    // Evaluated between two outcomes: the fast window (5 s) holds none of them.
    const now = outcomes * 5_000 + 2_000;
    w.add(update(now / 1000, c));
    return evaluate(w.totals(now, 30_000, 5_000), w.totals(now, 5_000, 5_000), config);
  }

  it('judges a low-volume window on evidence: 6 of 6 lost is a violation', () => {
    const v = sparse(6, 0);
    const landed = v.readings.find((r) => r.slo === 'landed');
    // Under minSamples, but a module landing exactly 70 % would lose all 6 only 0.07 % of
    // the time (0.3⁶): conclusive at 95 %.
    expect(landed?.samples).toBe(6);
    expect(landed?.pAbove).toBeCloseTo(0.3 ** 6, 10);
    expect(landed?.judged).toBe(true);
    expect(v.tripped).toBe(true);
    expect(v.reason).toMatch(/^landed 0\.0 % of 6 \(SLO > 70 %\)/);
  });

  it('does not judge what is not conclusive: 1 of 3 landed', () => {
    const v = sparse(3, 1);
    const landed = v.readings.find((r) => r.slo === 'landed');
    // 2 of 3 lost: 21.6 % likely at exactly 70 % landed.
    expect(landed?.pAbove).toBeCloseTo(0.216, 6);
    expect(landed?.judged).toBe(false);
    expect(v.tripped).toBe(false);
    expect(v.healthy).toBe(true);
    expect(v.reason).toMatch(/^ok: inconclusive: landed 33\.3 % of 3/);
    // 6 of 6 landed is not a violation either; nor is 1 negative outcome of 1 against the
    // 10 % trip line of a 1 % budget (10 % likely by chance), where 2 of 2 is (1 %).
    expect(sparse(6, 6).tripped).toBe(false);
    const one = sparse(1, 1, 1).readings.find((r) => r.slo === 'negEv');
    expect(one?.judged).toBe(false);
    expect(one?.tripped).toBe(false);
    expect(sparse(2, 2, 2).readings.find((r) => r.slo === 'negEv')?.tripped).toBe(true);
  });

  it('at volume the observed share decides, as before (minSamples)', () => {
    // 18 of 60 lost is exactly at the line: far from conclusive (55 % likely at the line by
    // chance), but 60 ≥ minSamples, so the observed share decides.
    const v = feed(40, (t) => (t > 22 ? { lost: 1 } : {}));
    const landed = v.readings.find((r) => r.slo === 'landed');
    expect(landed?.judged).toBe(true);
    expect(v.tripped).toBe(true);
  });

  it('takes deltas of cumulative counters, survives a lost update, restarts and duplicates', () => {
    const w = new ModuleWindows(20, 60_000);
    const c = (n: number): Counts => ({
      decided: n,
      landed: n,
      negative: 0,
      submissions: n,
      slow: 0,
    });
    w.add(update(0, c(100)));
    w.add(update(1, c(102)));
    w.add(update(3, c(106))); // the update at 2 s was lost: its events arrive with this one
    w.add(update(3, c(106))); // redelivered
    expect(w.totals(3000, 30_000, 5_000).decided).toBe(6);
    w.add(update(4, c(1))); // the agent restarted: counters went back
    w.add(update(5, c(3)));
    expect(w.totals(5000, 30_000, 5_000).decided).toBe(2);
    expect(w.totals(20_000, 30_000, 5_000).agents).toBe(0); // silent for 15 s: stale
  });

  it('counts a second over the bound as all slow when the agent measured another bound', () => {
    const w = new ModuleWindows(20, 60_000);
    const at = (ts: number, n: number, p99: number) =>
      update(
        ts,
        { decided: n, landed: n, negative: 0, submissions: n, slow: 0 },
        {
          hotpathSlowMs: 50,
          hotpathP99Ms: p99,
        },
      );
    w.add(at(0, 0, 1));
    w.add(at(1, 10, 1));
    w.add(at(2, 20, 30));
    const t = w.totals(2000, 30_000, 5_000);
    expect(t.hotSlow).toBe(10);
    expect(t.worstHotP99Ms).toBe(30);
  });

  it('rejects a fast window that is not shorter than the slow one, naming the field', () => {
    const r = guardConfigSchema.safeParse({ windowMs: 5_000, fastWindowMs: 5_000 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['fastWindowMs']);
  });
});
