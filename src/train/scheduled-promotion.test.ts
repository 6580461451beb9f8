import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../agent/features.js';
import { createBus } from '../bus/create.js';
import { TypedBus } from '../bus/typed.js';
import type { Bus } from '../bus/types.js';
import { type Config, configSchema } from '../config/schema.js';
import type { AuditRecord } from '../gen/landfall/v1/audit_pb.js';
import { type TrainAck, TrainState } from '../gen/landfall/v1/jobs_pb.js';
import { createLogger } from '../log.js';
import { buildHandModel, constantGolden } from '../model/hand-built.js';
import { listVersions, liveVersion, publish } from '../model/registry.js';
import { ackState } from '../proto/train-state.js';
import { openStore } from '../store/client.js';
import { migrateStore } from '../store/setup.js';
import { Sink } from '../store/sink.js';
import type { Store } from '../store/types.js';
import { until } from '../testing/until.js';
import type { Ticker } from './queue/ticker.js';
import { scheduledJobId, startSchedules } from './schedule.js';
import { startTraining, type TrainingServices } from './service.js';
import { runTelemetry } from './testing/telemetry-run.js';

const log = createLogger('silent');
const HOUR = 3_600_000;

/**
 * Scheduled retraining end to end on the embedded defaults: two schedules tick (their first
 * tick is the hour just passed), each requests a job over its sliding window, the trainer
 * publishes a candidate and the champion/challenger rule decides, with an audit record and
 * the figures in the manifest. A second scheduler on the same bus asks for the same windows
 * and is answered "duplicate": one job per window.
 */
describe('scheduled retraining with champion/challenger promotion', () => {
  const home = mkdtempSync(join(tmpdir(), 'lf-sched-'));
  const slot = Math.floor(Date.now() / HOUR) * HOUR;
  // The schedulers' clock reads half past the slot's hour when this file loads: the hour just
  // passed stays `slot` for 30 minutes whenever the suite runs, not until the next o'clock.
  const shift = slot + HOUR / 2 - Date.now();
  const now = () => Date.now() + shift;
  const schedule = (id: string, nEstimators: number) => ({
    id,
    module: 'mev',
    everyMs: HOUR,
    windowMs: 8 * HOUR,
    maxDepth: 3,
    nEstimators,
    learningRate: 0.3,
  });
  let config: Config;
  let store: Store;
  let bus: Bus;
  let typed: TypedBus;
  let sink: Sink;
  let training: TrainingServices | undefined;
  let second: Ticker | undefined;
  let baseline: string;
  const acks: TrainAck[] = [];
  const audits: AuditRecord[] = [];

  beforeAll(async () => {
    config = configSchema.parse({
      home,
      sim: { speed: 50 },
      train: { minRows: 50, schedule: [schedule('mev-a', 20), schedule('mev-b', 24)] },
      store: { sink: { flushMs: 20 } },
    });
    store = await openStore(config.store, { home });
    await migrateStore(store, config);
    bus = await createBus(config.bus);
    typed = new TypedBus(bus);
    sink = await Sink.start({ bus: typed, store, logger: log, ...config.store.sink });
    await typed.subscribe('train-acks-proto', async (a) => void acks.push(a), { group: 't-acks' });
    await typed.subscribe('audit-proto', async (a) => void audits.push(a), { group: 't-audit' });
    // The live model to beat trades nothing (p = 0 under threshold 0.5): it earns 0 SOL.
    const lib = join(home, 'never.so');
    await buildHandModel({ module: 'mev', p: 0, nFeatures: FEATURE_NAMES.length }, lib);
    baseline = publish(
      join(home, config.model.dir),
      {
        module: 'mev',
        libraryPath: lib,
        featureNames: FEATURE_NAMES,
        threshold: 0.5,
        golden: constantGolden(FEATURE_NAMES.length, 0),
      },
      config.model.keep,
    ).version;
    // Telemetry inside both windows: [slot − 8 h, slot).
    const data = await runTelemetry({
      config,
      publisher: typed,
      minutes: 240,
      startMs: slot - 7 * HOUR,
      modules: ['mev'],
    });
    const stored = async () => {
      const [r] = await store.query<{ n: string }>(
        `SELECT count() AS n FROM ${store.database}.mev_opportunities FINAL WHERE decision = 'DECISION_SUBMITTED'`,
      );
      return Number(r?.n) >= data.submissions.mev;
    };
    await until(stored, 'the sink to store every submitted opportunity', 60_000, 50);
  }, 180_000);

  afterAll(async () => {
    await second?.close();
    await training?.stop();
    await sink?.stop();
    await bus?.close();
    await store?.close();
    rmSync(home, { recursive: true, force: true });
  });

  const final = (jobId: string) =>
    acks.find(
      (a) =>
        a.jobId === jobId &&
        (ackState(a) === TrainState.SUCCEEDED || ackState(a) === TrainState.FAILED),
    );

  it('trains each window once, promotes or keeps each candidate by the rule, and audits it', async () => {
    training = await startTraining({ config, bus: typed, store, log, now });
    const ids = ['mev-a', 'mev-b'].map((id) =>
      scheduledJobId(schedule(id, 0) as Config['train']['schedule'][number], slot),
    );
    for (const id of ids) {
      const ack = await until(() => final(id), `the final ack of ${id}`, 150_000, 50);
      expect(ackState(ack), ack.message).toBe(TrainState.SUCCEEDED);
    }
    // Another dispatcher's scheduler, on the same bus: the same windows, no new jobs.
    second = await startSchedules({ config, bus: typed, log, now });
    for (const id of ids) {
      await until(
        () => acks.some((a) => a.jobId === id && a.message.startsWith('duplicate request')),
        `the duplicate answer for ${id}`,
        30_000,
      );
    }
    const dir = join(home, config.model.dir);
    for (const id of ids) {
      expect(listVersions(dir, 'mev').filter((e) => e.manifest.trainingJobId === id)).toHaveLength(
        1,
      );
    }

    // In the order they finished: the first beat the baseline, the second met the first.
    const order = [...ids].sort(
      (x, y) => acks.indexOf(final(x) as TrainAck) - acks.indexOf(final(y) as TrainAck),
    );
    const decisions = order.map((jobId) => {
      const record = audits.find(
        (a) => a.action === 'model.promote' && JSON.parse(a.paramsJson).jobId === jobId,
      );
      expect(record, `audit record of ${jobId}`).toBeDefined();
      const params = JSON.parse(record?.paramsJson ?? '{}');
      const ack = final(jobId) as TrainAck;
      const manifest = listVersions(dir, 'mev').find(
        (e) => e.manifest.version === ack.modelVersion,
      )?.manifest;
      return { jobId, record, params, ack, manifest };
    });
    const [first, next] = decisions;
    expect(first?.record).toMatchObject({ subject: 'trainer', role: 'service', result: 'ok' });
    expect(first?.params).toMatchObject({
      module: 'mev',
      candidateVersion: first?.ack.modelVersion,
      liveVersion: baseline,
      liveProfitSol: 0,
      requiredGainSol: 0,
      rule: config.train.promotion,
    });
    expect(first?.params.candidateProfitSol).toBeGreaterThan(0);
    expect(first?.ack.message).toMatch(/is live .*; promoted: candidate/);
    expect(first?.manifest?.metrics).toMatchObject({
      promoted_by_rule: 1,
      live_expected_profit_sol: 0,
    });

    // The second is judged against the first, now live: whichever way, by the rule.
    const p = next?.params;
    expect(p?.liveVersion).toBe(first?.ack.modelVersion);
    const rule = config.train.promotion;
    const required = Math.max(rule.marginSol, rule.marginFraction * Math.abs(p?.liveProfitSol));
    expect(p?.requiredGainSol).toBeCloseTo(required, 12);
    const promoted = p?.candidateProfitSol - p?.liveProfitSol > required;
    expect(next?.record?.result).toBe(promoted ? 'ok' : 'rejected');
    expect(next?.record?.detail).toMatch(promoted ? /^promoted: / : /^kept as a candidate: /);
    expect(next?.manifest?.metrics.promoted_by_rule).toBe(promoted ? 1 : 0);
    expect(next?.manifest?.metrics.live_expected_profit_sol).toBe(p?.liveProfitSol);
    expect(next?.ack.message).toMatch(promoted ? /is live/ : /is a candidate, not live/);
    expect(liveVersion(dir, 'mev')).toBe(
      promoted ? next?.ack.modelVersion : first?.ack.modelVersion,
    );
  }, 240_000);
});
