import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { Module } from '../src/gen/landfall/v1/jobs_pb.js';
import { EnvelopeSchema, MetricsUpdateSchema } from '../src/gen/landfall/v1/realtime_pb.js';
import { armLabel, armTick } from '../web/src/arms.js';
import { apply, applyHistory, emptyState } from '../web/src/state.js';

const live = (tsMs: number, pnl1h: number) =>
  create(EnvelopeSchema, {
    schemaVersion: 'rt-v1',
    type: 'metrics',
    payload: {
      case: 'metrics',
      value: create(MetricsUpdateSchema, {
        agentId: 'arb-paper-1',
        module: Module.ARBITRAGE,
        tsMs: BigInt(tsMs),
        pnl1h,
      }),
    },
  });

const stored = (t: number[]) => ({
  agentId: 'arb-paper-1',
  t,
  pnl: t.map((x) => x / 1000),
  landed: t.map((_, i) => (i === 0 ? null : 20)),
  p50: t.map(() => 0.1),
  p99: t.map(() => 0.2),
  jito: t.map(() => 50),
});

describe('dashboard history', () => {
  it('puts the stored hour in front of the live points, never drawing a point twice', () => {
    const s = emptyState();
    // Live points arrived first (the stream opens before the history answers).
    apply(s, live(1_000_000, 7));
    apply(s, live(1_001_000, 8));
    // Stored points up to and past the first live one: only the older ones are kept.
    applyHistory(s, [stored([990, 995, 1000, 1001])]);
    const series = s.series.get('arb-paper-1');
    expect(series?.t).toEqual([990, 995, 1000, 1001]);
    expect(series?.pnl).toEqual([0.99, 0.995, 7, 8]);
    // No outcome in the stored window is a gap (NaN), as it is live.
    expect(series?.landed[0]).toBeNaN();
    expect(series?.landed[1]).toBe(20);
  });

  it('charts an agent the stream has not reported yet from its history alone', () => {
    const s = emptyState();
    applyHistory(s, [stored([10, 20])]);
    expect(s.series.get('arb-paper-1')?.t).toEqual([10, 20]);
    apply(s, live(30_000, 1));
    expect(s.series.get('arb-paper-1')?.t).toEqual([10, 20, 30]);
  });
});

describe('tip arm labels', () => {
  it('spells out tip share and size class', () => {
    expect(armLabel('0:0.05')).toBe('tip 5 % of profit, tiny (< 0.0001 SOL)');
    expect(armLabel('3:0.3')).toBe('tip 30 % of profit, large (≥ 0.01 SOL)');
    expect(armLabel('0.15')).toBe('tip 15 % of profit');
    expect(armLabel('jito 0.15')).toBe('Jito, tip 15 % of profit');
    expect(armLabel('direct 1.5×p95')).toBe('direct, fee 1.5× the p95 priority fee');
    expect(armLabel('something else')).toBe('something else');
    expect(armTick('1:0.05')).toBe('5 % S');
    expect(armTick('jito 0.15')).toBe('Jito 15 %');
  });
});
