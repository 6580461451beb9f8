import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, apiHarness, publishModels } from './testing.js';

/** A value of any JSON type, or one of `valid`: most bodies are near misses, some are right. */
const near = (...valid: unknown[]) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...valid) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  );
/** Absent two times in three. */
const optional = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
/** A quarter of the runs send one of the known-good bodies, so the accepting path is exercised. */
const mostlyNear = <T>(good: T[], structured: fc.Arbitrary<T>) =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom(...good) },
    { weight: 3, arbitrary: structured },
  );
const fraction = fc.oneof(fc.double({ min: -1, max: 2 }), fc.constantFrom(0, 0.5, 1), fc.string());
const noUndefined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const controlBody = mostlyNear<Record<string, unknown>>(
  [
    { action: 'kill', module: 'mev', reason: 'slo burn' },
    { action: 'throttle', module: 'arb', reason: 'r', throttle: { rateFraction: 0.5 } },
    { action: 'set_policy', module: 'arb', reason: 'r', policy: { tipPolicy: 'thompson' } },
  ],
  fc
    .record({
      action: near('kill', 'throttle', 'resume', 'set_policy'),
      module: near('arb', 'mev'),
      reason: near('slo burn', '', '   '),
      throttle: optional(
        fc.oneof(
          fc
            .record({ rateFraction: fraction, thresholdRaise: optional(fraction) })
            .map(noUndefined),
          fc.jsonValue({ maxDepth: 1 }),
        ),
      ),
      policy: optional(
        fc
          .record({
            tipPolicy: optional(near('thompson', 'Bad Name', '')),
            routePolicy: optional(near('posterior', '../x')),
          })
          .map(noUndefined),
      ),
      extra: optional(fc.jsonValue({ maxDepth: 1 })),
    })
    .map(noUndefined),
);

const trainBody = mostlyNear<Record<string, unknown>>(
  [{ module: 'MEV', range: { start: '2026-11-01T00:00:00Z', end: '2026-11-02T00:00:00Z' } }],
  fc
    .record({
      module: near('MEV', 'ARBITRAGE', 'mev'),
      range: near(
        { start: '2026-11-01T00:00:00Z', end: '2026-11-02T00:00:00Z' },
        { start: 'yesterday', end: 5 },
      ),
      jobId: optional(near('job-1', 'has space', '')),
      schemaVersion: optional(near('train-v1', 'train-v2')),
      features: optional(
        fc
          .record({
            name: optional(near('default', 'extended')),
            include: optional(fc.array(fc.string(), { maxLength: 3 })),
          })
          .map(noUndefined),
      ),
      model: optional(near('xgb', 'lstm')),
      params: optional(
        fc
          .record({
            maxDepth: optional(
              fc.oneof(fc.integer({ min: -5, max: 100 }), fc.double(), fc.string()),
            ),
            nEstimators: optional(fc.oneof(fc.nat(), fc.constant(2 ** 40))),
            learningRate: optional(fraction),
            gpu: optional(near(true, false, 'yes')),
          })
          .map(noUndefined),
      ),
      issuer: optional(near('prop-admin', 'someone-else')),
    })
    .map(noUndefined),
);

const rollbackBody = mostlyNear<Record<string, unknown>>(
  [{ reason: 'bad model' }],
  fc
    .record({
      version: optional(near('0000', 'zz', '')),
      reason: optional(near('bad model', '', 42)),
    })
    .map(noUndefined),
);

/** Bodies as raw bytes on the wire: JSON or not, any declared content type. */
const rawBody = fc.record({
  payload: fc.oneof(
    fc.string(),
    fc.jsonValue().map((v) => JSON.stringify(v)),
  ),
  contentType: fc.constantFrom(
    'application/json',
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/octet-stream',
  ),
});

describe('every write endpoint answers 2xx or 4xx, never 5xx, and audits each request once', () => {
  let h: ApiHarness;
  let admin = '';
  beforeAll(async () => {
    const home = mkdtempSync(join(tmpdir(), 'lf-api-prop-'));
    await publishModels(join(home, 'models'), 'arb', 3);
    h = await apiHarness({
      home,
      overrides: { api: { port: 0, writeRateLimit: { max: 100_000 } } },
    });
    admin = `Bearer ${await h.token('admin', 'prop-admin')}`;
  });
  afterAll(() => h.close());

  const endpoints = [
    { url: '/api/control', body: controlBody, topic: 'control-proto' },
    { url: '/api/training/start', body: trainBody, topic: 'train-requests-proto' },
    { url: '/api/models/arb/rollback', body: rollbackBody, topic: undefined },
    { url: '/api/models/xyz/rollback', body: rollbackBody, topic: undefined },
  ];
  for (const e of endpoints) {
    it(`POST ${e.url}: structured bodies`, async () => {
      await fc.assert(
        fc.asyncProperty(e.body, async (body) => {
          const audits = h.bus.count('audit-proto');
          const commands = e.topic ? h.bus.count(e.topic) : 0;
          const res = await h.app.inject({
            method: 'POST',
            url: e.url,
            payload: body,
            headers: { authorization: admin },
          });
          expect(res.statusCode, res.body).toBeGreaterThanOrEqual(200);
          expect(res.statusCode, res.body).toBeLessThan(500);
          expect(h.bus.count('audit-proto') - audits).toBe(1);
          if (e.topic) expect(h.bus.count(e.topic) - commands).toBe(res.statusCode === 202 ? 1 : 0);
          if (res.statusCode === 400) expect(res.json().error.field).toEqual(expect.any(String));
        }),
        { numRuns: 150 },
      );
    });

    it(`POST ${e.url}: raw bodies of any content type`, async () => {
      await fc.assert(
        fc.asyncProperty(rawBody, async ({ payload, contentType }) => {
          const audits = h.bus.count('audit-proto');
          const res = await h.app.inject({
            method: 'POST',
            url: e.url,
            payload,
            headers: { authorization: admin, 'content-type': contentType },
          });
          expect(res.statusCode, res.body).toBeGreaterThanOrEqual(200);
          expect(res.statusCode, res.body).toBeLessThan(500);
          expect(h.bus.count('audit-proto') - audits).toBe(1);
        }),
        { numRuns: 100 },
      );
    });
  }

  it('some generated bodies were accepted (the generators reach the valid region)', () => {
    expect(h.bus.count('control-proto')).toBeGreaterThan(0);
    expect(h.bus.count('train-requests-proto')).toBeGreaterThan(0);
    expect(h.bus.audits().some((a) => a.action === 'model.rollback' && a.result === 'ok')).toBe(
      true,
    );
  });
});
