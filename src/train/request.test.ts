import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import {
  DateRangeSchema,
  Module,
  type TrainRequest,
  TrainRequestSchema,
} from '../gen/landfall/v1/jobs_pb.js';
import { sampleTrainRequest } from '../proto/samples.js';
import { FEATURE_SETS } from './features.js';
import { shortestFloat, validateRequest } from './request.js';
import { INVALID_REQUESTS } from './testing/invalid-requests.js';

const config = configSchema.parse({ home: '/srv/landfall', train: { outputDirs: ['staging'] } });

function verdictOf(change: (r: TrainRequest) => void) {
  const request = sampleTrainRequest(Module.MEV);
  change(request);
  return validateRequest(request, config);
}

describe('train request validation', () => {
  it('accepts the sample request, applying defaults and resolving paths', () => {
    const v = verdictOf(() => {});
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.job).toMatchObject({
      module: 'mev',
      maxDepth: 6,
      nEstimators: 200,
      learningRate: 0.125,
      outputDir: '/srv/landfall/models',
      featureSet: 'default',
    });
    // default (8) + log10_tip_floor_p50 − leader_runs_jito
    expect(v.job.mask.filter(Boolean)).toHaveLength(FEATURE_SETS.default.length);
    expect(v.job.mask[8]).toBe(true);
    expect(v.job.mask[6]).toBe(false);
  });

  it("fills unset hyper-parameters (proto3 zero) with the seed's defaults", () => {
    const request = create(TrainRequestSchema, {
      schemaVersion: 'train-v1',
      jobId: 'j-1',
      range: { start: '2026-11-01T00:00:00Z', end: '2026-11-02T00:00:00Z' },
    });
    const v = validateRequest(request, config);
    expect(v.ok && v.job).toMatchObject({
      module: 'arb',
      maxDepth: 8,
      nEstimators: 600,
      learningRate: 0.08,
      featureSet: 'default',
    });
    expect(v.ok && v.job.mask.filter(Boolean).length).toBe(FEATURE_SETS.default.length);
  });

  it('reads date-only bounds as UTC midnight, start inclusive, end exclusive, and says so', () => {
    const v = verdictOf((r) => {
      r.range = create(DateRangeSchema, { start: '2026-11-01', end: '2026-11-02T12:00:00+02:00' });
    });
    expect(v.ok && v.job.rangeRead).toEqual({
      start: '2026-11-01T00:00:00.000Z',
      end: '2026-11-02T10:00:00.000Z',
      datesAsUtcMidnight: true,
    });
    const instants = verdictOf(() => {});
    expect(instants.ok && instants.job.rangeRead.datesAsUtcMidnight).toBe(false);
    // One day of dates is one day: the end date's midnight is not in it.
    const day = verdictOf((r) => {
      r.range = create(DateRangeSchema, { start: '2026-11-01', end: '2026-11-02' });
    });
    expect(day.ok && day.job.endMs - day.job.startMs).toBe(86_400_000);
  });

  it('reads the float learning_rate as the decimal its writer meant', () => {
    expect(shortestFloat(Math.fround(0.08))).toBe(0.08);
    expect(shortestFloat(Math.fround(0.3))).toBe(0.3);
    expect(shortestFloat(0.125)).toBe(0.125);
    expect(shortestFloat(Math.fround(1e-7))).toBe(1e-7);
    const v = verdictOf((r) => {
      if (r.params) r.params.learningRate = Math.fround(0.05);
    });
    expect(v.ok && v.job.learningRate).toBe(0.05);
  });

  it.each(INVALID_REQUESTS)('rejects a bad %s, naming it', (field, change, message) => {
    const v = verdictOf(change);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.field).toBe(field);
    expect(v.message).toMatch(message);
  });

  it('allows output directories inside the registry or train.outputDirs', () => {
    for (const dir of ['models', 'models/canary', 'staging', '/srv/landfall/staging/x']) {
      const v = verdictOf((r) => (r.outputDir = dir));
      expect(v.ok, dir).toBe(true);
    }
  });
});
