import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_NAMES, FEATURE_SET } from '../../agent/features.js';
import { runAgents } from '../../agent/run.js';
import { eventually } from '../../bus/contract.js';
import { createBus } from '../../bus/create.js';
import { TypedBus } from '../../bus/typed.js';
import type { Bus } from '../../bus/types.js';
import { type Config, configSchema } from '../../config/schema.js';
import {
  Module,
  type TrainAck,
  TrainRequestSchema,
  TrainState,
} from '../../gen/landfall/v1/jobs_pb.js';
import {
  BundleOutcomeSchema,
  Decision,
  OpportunitySchema,
  Route,
} from '../../gen/landfall/v1/realtime_pb.js';
import { createLogger } from '../../log.js';
import { listVersions } from '../../model/registry.js';
import { ackState } from '../../proto/train-state.js';
import { createSimMarket } from '../../sim/index.js';
import { openStore } from '../../store/client.js';
import { migrateStore } from '../../store/setup.js';
import { Sink } from '../../store/sink.js';
import type { Store } from '../../store/types.js';
import { until } from '../../testing/until.js';
import { startTraining, type TrainingServices } from '../service.js';
import { runTelemetry, type TelemetryRun } from './telemetry-run.js';

const log = createLogger('silent');

const iso = (ms: number) => new Date(ms).toISOString();

/** What the suite runs on besides the embedded defaults: the queue's config and its server. */
export interface QueueTarget {
  readonly name: string;
  /** Why this target cannot run here, or undefined. */
  readonly unavailable?: string;
  start(): Promise<{ queue: Record<string, unknown>; stop(): Promise<void> }>;
}

/**
 * The whole pipeline in one process on the embedded defaults: simulator → agents' telemetry →
 * in-process bus → sink → chDB; a train request on the bus → dispatcher → in-process queue →
 * libxgboost → compiled .so → registry; a running paper agent hot-reloads it.
 */
export function pipelineSuite(target: QueueTarget): void {
  describe.skipIf(target.unavailable !== undefined)(
    `training pipeline on the ${target.name} queue${target.unavailable ? ` (skipped: ${target.unavailable})` : ''}`,
    () => {
      let queueServer: { stop(): Promise<void> } | undefined;
      let home: string;
      let config: Config;
      let store: Store;
      let bus: Bus;
      let typed: TypedBus;
      let sink: Sink;
      let training: TrainingServices;
      let data: TelemetryRun;
      const acks: TrainAck[] = [];

      beforeAll(async () => {
        home = mkdtempSync(join(tmpdir(), 'lf-train-e2e-'));
        const q = await target.start();
        queueServer = q;
        config = configSchema.parse({
          home,
          queue: q.queue,
          sim: { speed: 50 },
          train: { minRows: 50 },
          store: { sink: { flushMs: 20 } },
        });
        store = await openStore(config.store, { home });
        await migrateStore(store, config);
        bus = await createBus(config.bus);
        typed = new TypedBus(bus);
        sink = await Sink.start({ bus: typed, store, logger: log, ...config.store.sink });
        await typed.subscribe('train-acks-proto', async (ack) => void acks.push(ack), {
          group: 'test-acks',
        });
        training = await startTraining({ config, bus: typed, store, log });
        data = await runTelemetry({
          config,
          publisher: typed,
          minutes: 240,
          startMs: Date.now() - 6 * 3600_000,
          modules: ['mev'],
        });
        // Every submission is an opportunity row; wait for the sink to store them all.
        const stored = async () => {
          const [r] = await store.query<{ n: string }>(
            `SELECT count() AS n FROM ${store.database}.mev_opportunities FINAL WHERE decision = 'DECISION_SUBMITTED'`,
          );
          return Number(r?.n) >= data.submissions.mev;
        };
        await until(stored, 'the sink to store every submitted opportunity', 60_000, 50);
      }, 180_000);

      afterAll(async () => {
        await training?.stop();
        await sink?.stop();
        await bus?.close();
        await store?.close();
        await queueServer?.stop();
        rmSync(home, { recursive: true, force: true });
      });

      const ackOf = (jobId: string, state: TrainState) =>
        acks.find((a) => a.jobId === jobId && ackState(a) === state);

      it('trains on the stored telemetry, publishes a model, and the running agent serves it', async () => {
        expect(data.submissions.mev).toBeGreaterThan(200);
        const paper = await runAgents(createSimMarket({ config: config.sim, pace: 'wall' }), {
          config,
          publisher: typed,
          modules: ['mev'],
          log,
        });
        const served = new Set<string>();
        const decisions: { version: string; score: number; decision: Decision }[] = [];
        await typed.subscribe(
          'mev-opportunities-proto',
          async (o) => {
            served.add(o.modelVersion);
            decisions.push({ version: o.modelVersion, score: o.score, decision: o.decision });
          },
          { group: 'test-served' },
        );
        try {
          await typed.publish(
            'train-requests-proto',
            create(TrainRequestSchema, {
              schemaVersion: 'train-v1',
              jobId: 'e2e-mev-1',
              module: Module.MEV,
              range: { start: iso(data.startMs), end: iso(data.endMs) },
              features: { name: 'extended' },
              model: 'xgb',
              params: { maxDepth: 4, nEstimators: 30, learningRate: 0.2 },
            }),
          );
          expect(
            await eventually(
              () =>
                ackOf('e2e-mev-1', TrainState.SUCCEEDED) !== undefined ||
                ackOf('e2e-mev-1', TrainState.FAILED) !== undefined,
              120_000,
            ),
          ).toBe(true);
          const done = ackOf('e2e-mev-1', TrainState.SUCCEEDED);
          expect(ackOf('e2e-mev-1', TrainState.FAILED)?.message).toBeUndefined();
          expect(ackOf('e2e-mev-1', TrainState.QUEUED)).toBeDefined();
          const progress = acks
            .filter((a) => a.jobId === 'e2e-mev-1' && ackState(a) === TrainState.RUNNING)
            .map((a) => a.progress);
          expect(progress.at(-1)).toBe(1);
          expect(progress).toEqual([...progress].sort((a, b) => a - b));
          const version = done?.modelVersion ?? '';
          const m = done?.metrics;
          expect(m?.trainRows).toBeGreaterThan(0n);
          expect(m?.validationRows).toBeGreaterThan(0n);
          expect(m?.auc).toBeGreaterThan(0);
          expect(m?.threshold).toBeGreaterThanOrEqual(0);
          const live = listVersions(join(home, config.model.dir), 'mev').find((e) => e.live);
          expect(live?.manifest.version).toBe(version);
          expect(live?.manifest.trainingJobId).toBe('e2e-mev-1');
          // The agent picks the new library up without a restart and says so per decision.
          expect(await eventually(() => served.has(version), 60_000)).toBe(true);
          expect(paper.agents[0]?.engine.options.scorer.version).toBe(version);
          // …and gates on the model's profit-maximising threshold, not the heuristic's minScore.
          const threshold = m?.threshold ?? 0;
          const byModel = decisions.filter((d) => d.version === version);
          expect(byModel.length).toBeGreaterThan(0);
          for (const d of byModel) {
            if (d.decision === Decision.SUBMITTED)
              expect(d.score).toBeGreaterThanOrEqual(threshold);
            if (d.score < threshold) expect(d.decision).not.toBe(Decision.SUBMITTED);
          }
          // The acks reached ClickHouse through the sink.
          expect(
            await until(
              async () => {
                const rows = await store.query<{ state: string }>(
                  `SELECT state FROM ${store.database}.train_acks FINAL WHERE job_id = 'e2e-mev-1'`,
                );
                return rows.some((r) => r.state === 'TRAIN_STATE_SUCCEEDED');
              },
              'the succeeded ack in train_acks',
              30_000,
              50,
            ),
          ).toBe(true);
        } finally {
          await paper.stop();
        }
      }, 240_000);

      it('trains a duplicate job id once', async () => {
        const request = create(TrainRequestSchema, {
          schemaVersion: 'train-v1',
          jobId: 'e2e-dup',
          module: Module.MEV,
          range: { start: iso(data.startMs), end: iso(data.endMs) },
          params: { maxDepth: 3, nEstimators: 5, learningRate: 0.3 },
        });
        await typed.publish('train-requests-proto', request);
        await typed.publish('train-requests-proto', request);
        expect(
          await eventually(() => ackOf('e2e-dup', TrainState.SUCCEEDED) !== undefined, 120_000),
        ).toBe(true);
        const mine = () => acks.filter((a) => a.jobId === 'e2e-dup');
        expect(
          await eventually(() => mine().some((a) => a.message.startsWith('duplicate')), 30_000),
        ).toBe(true);
        const published = listVersions(join(home, config.model.dir), 'mev').filter(
          (e) => e.manifest.trainingJobId === 'e2e-dup',
        );
        expect(published).toHaveLength(1);
        // One run: one "building the dataset" ack.
        expect(mine().filter((a) => a.message.includes('building the dataset'))).toHaveLength(1);
      }, 180_000);

      it('fails a job without enough data with the reason, and a GPU job without a GPU', async () => {
        const base = {
          schemaVersion: 'train-v1',
          module: Module.MEV,
          params: { maxDepth: 3, nEstimators: 5, learningRate: 0.3 },
        };
        await typed.publish(
          'train-requests-proto',
          create(TrainRequestSchema, {
            ...base,
            jobId: 'e2e-empty',
            range: { start: '2020-01-01T00:00:00Z', end: '2020-01-02T00:00:00Z' },
          }),
        );
        await typed.publish(
          'train-requests-proto',
          create(TrainRequestSchema, {
            ...base,
            jobId: 'e2e-gpu',
            range: { start: iso(data.startMs), end: iso(data.endMs) },
            params: { ...base.params, gpu: true },
          }),
        );
        expect(
          await eventually(
            () =>
              ackOf('e2e-empty', TrainState.FAILED) !== undefined &&
              ackOf('e2e-gpu', TrainState.FAILED) !== undefined,
            60_000,
          ),
        ).toBe(true);
        expect(ackOf('e2e-empty', TrainState.FAILED)?.message).toMatch(
          /LF_TRAIN_NO_DATA: 0 labelled mev rows/,
        );
        expect(ackOf('e2e-gpu', TrainState.FAILED)?.message).toMatch(
          /LF_TRAIN_GPU_UNAVAILABLE: .*not compiled with GPU support.*gpu_fallback/,
        );
      }, 120_000);

      it('does not publish a model that no threshold makes pay on validation', async () => {
        // Telemetry for a window of its own: training rows both paying and not, then a validation
        // stretch where everything lost money.
        const t0 = data.endMs + 3600_000;
        const rows = 300;
        for (let i = 0; i < rows; i++) {
          const id = `unprofitable-${i}`;
          const validation = i >= 240;
          const pays = !validation && i % 2 === 0;
          await typed.publish(
            'arb-opportunities-proto',
            create(OpportunitySchema, {
              opportunityId: id,
              module: Module.ARBITRAGE,
              tsMs: BigInt(t0 + i * 1000),
              agentId: 'synthetic',
              featureSet: FEATURE_SET,
              features: FEATURE_NAMES.map((_, c) => (c === 0 ? (pays ? 7 : 5) : (i * 7 + c) % 5)),
              decision: Decision.SUBMITTED,
              route: Route.JITO,
            }),
          );
          await typed.publish(
            'bundle-outcomes-proto',
            create(BundleOutcomeSchema, {
              bundleId: `b-${id}`,
              opportunityId: id,
              module: Module.ARBITRAGE,
              tsMs: BigInt(t0 + i * 1000 + 400),
              landed: pays || validation,
              profitLamports: pays ? 50_000n : -20_000n,
              path: Route.JITO,
            }),
          );
        }
        const stored = async () => {
          const [r] = await store.query<{ n: string }>(
            `SELECT count() AS n FROM ${store.database}.bundle_outcomes FINAL WHERE bundle_id LIKE 'b-unprofitable-%'`,
          );
          return Number(r?.n) === rows;
        };
        expect(
          await until(stored, 'the sink to store every unprofitable outcome', 60_000, 50),
        ).toBe(true);
        const before = listVersions(join(home, config.model.dir), 'arb').length;
        await typed.publish(
          'train-requests-proto',
          create(TrainRequestSchema, {
            schemaVersion: 'train-v1',
            jobId: 'e2e-unprofitable',
            module: Module.ARBITRAGE,
            range: { start: iso(t0), end: iso(t0 + rows * 1000 + 1) },
            params: { maxDepth: 2, nEstimators: 5, learningRate: 0.3 },
          }),
        );
        expect(
          await eventually(
            () => ackOf('e2e-unprofitable', TrainState.FAILED) !== undefined,
            60_000,
          ),
        ).toBe(true);
        expect(ackOf('e2e-unprofitable', TrainState.FAILED)?.message).toMatch(
          /LF_TRAIN_UNPROFITABLE: no decision threshold earns money on the 60 validation rows/,
        );
        expect(listVersions(join(home, config.model.dir), 'arb')).toHaveLength(before);
      }, 120_000);
    },
  );
}
