import { create } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type TopicName, topicNames } from '../bus/topics.js';
import { isLandfallError } from '../errors.js';
import { Module } from '../gen/landfall/v1/jobs_pb.js';
import { MetricsUpdateSchema, OpportunitySchema } from '../gen/landfall/v1/realtime_pb.js';
import { sampleBundleOutcome, sampleFor } from '../proto/samples.js';
import { int64, type SinkTable, sinkTables } from './rows.js';

const PUBLISHED = 1_795_000_123_456;

function table(topic: TopicName): SinkTable {
  const spec = sinkTables.find((t) => t.topic === topic);
  if (!spec) throw new Error(`no sink table for ${topic}`);
  return spec;
}

function invalid(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isLandfallError(err, 'LF_STORE_ROW_INVALID')) return err.message;
    throw err;
  }
  throw new Error('expected LF_STORE_ROW_INVALID');
}

describe('sink rows', () => {
  it('maps every telemetry topic to a table, and only those', () => {
    expect(sinkTables.map((t) => t.topic).sort()).toEqual(
      topicNames
        .filter((t) => !['train-requests-proto', 'control-acks-proto', 'slo-proto'].includes(t))
        .sort(),
    );
    expect(new Set(sinkTables.map((t) => t.table)).size).toBe(sinkTables.length);
  });

  it('maps each sample message to a row with its time and id', () => {
    for (const spec of sinkTables) {
      const row = spec.toRow(sampleFor(spec.topic, 'id-1'), PUBLISHED);
      expect(typeof row.dt).toBe('number');
      expect(Object.values(row)).toContain('id-1');
    }
  });

  it('takes the publish time when the producer left ts_ms unset, else ts_ms', () => {
    const metrics = table('metrics-proto');
    expect(metrics.toRow(create(MetricsUpdateSchema, { agentId: 'a' }), PUBLISHED).dt).toBe(
      PUBLISHED,
    );
    expect(
      metrics.toRow(
        create(MetricsUpdateSchema, { agentId: 'a', tsMs: 1_800_000_000_000n }),
        PUBLISHED,
      ).dt,
    ).toBe(1_800_000_000_000);
  });

  it('keeps 64-bit integers exact: numbers while exact, strings beyond', () => {
    expect(int64(310_000_000n)).toBe(310_000_000);
    expect(int64(-(2n ** 53n) + 1n)).toBe(-(2 ** 53) + 1);
    expect(int64(2n ** 64n - 1n)).toBe('18446744073709551615');
    expect(int64(-(2n ** 63n))).toBe('-9223372036854775808');
    const max = BigInt(Number.MAX_SAFE_INTEGER);
    const around = (b: bigint) => fc.bigInt({ min: b - 3n, max: b + 3n });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
          around(max),
          around(-max),
          around(0n),
        ),
        (v) => {
          const exact = v <= max && v >= -max;
          expect(int64(v)).toBe(exact ? Number(v) : String(v));
        },
      ),
      { numRuns: 5000 },
    );
    const row = table('bundle-outcomes-proto').toRow(
      { ...sampleBundleOutcome(1), tipLamports: 2n ** 60n },
      PUBLISHED,
    );
    expect(row.tip_lamports).toBe('1152921504606846976');
  });

  it('stores the feature vector exactly as the scorer saw it, with its feature set', () => {
    const features = [0.1, -2.5, 7].map(Math.fround);
    const row = table('arb-opportunities-proto').toRow(
      create(OpportunitySchema, {
        opportunityId: 'o',
        module: Module.ARBITRAGE,
        features,
        featureSet: 'default-v1',
      }),
      PUBLISHED,
    );
    expect(row.features).toEqual(features);
    expect(row.feature_set).toBe('default-v1');
  });

  it('refuses what it cannot store faithfully, naming the table, row and field', () => {
    const arb = table('arb-opportunities-proto');
    const opp = (fields: Record<string, unknown>) =>
      create(OpportunitySchema, {
        opportunityId: 'o-9',
        module: Module.ARBITRAGE,
        featureSet: 'f',
        ...fields,
      });
    expect(invalid(() => arb.toRow(opp({ tsMs: 99n }), PUBLISHED))).toBe(
      'arb_opportunities row o-9: ts_ms 99 is outside 2000-01-01..2100-01-01',
    );
    expect(invalid(() => arb.toRow(opp({ features: [1, Number.NaN] }), PUBLISHED))).toContain(
      'features[1] is NaN',
    );
    expect(invalid(() => arb.toRow(opp({ score: Number.POSITIVE_INFINITY }), PUBLISHED))).toContain(
      'score is Infinity',
    );
    expect(invalid(() => arb.toRow(opp({ featureSet: '', features: [1] }), PUBLISHED))).toContain(
      'without feature_set',
    );
    expect(invalid(() => arb.toRow(opp({ module: Module.MEV }), PUBLISHED))).toContain(
      'module MEV does not belong on arb-opportunities-proto',
    );
    const metrics = table('metrics-proto');
    const m = create(MetricsUpdateSchema, {
      agentId: 'a',
      tipArms: [{ label: 'x', meanPayoffSol: Number.NaN }],
    });
    expect(invalid(() => metrics.toRow(m, PUBLISHED))).toContain(
      'tip_arms[0].mean_payoff_sol is NaN',
    );
  });
});
