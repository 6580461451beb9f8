import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LandfallError } from '../../errors.js';
import type { TrainAck } from '../../gen/landfall/v1/jobs_pb.js';
import { fromProtoModule } from '../../proto/module.js';
import { ackState, stateFromName, stateName } from '../../proto/train-state.js';
import type { Store } from '../../store/types.js';
import type { ApiContext } from '../app.js';
import { auditedCommand } from '../audited.js';
import { parseBody } from '../body.js';
import { markAudited, principalOf } from '../request-context.js';
import { assertSloAllows } from '../slo-gate.js';
import { trainRequestFrom } from '../train-request.js';
import { isDurable } from './control.js';
import { readRoute, writeRoute } from './options.js';

/** One acknowledgement of a training job, as the API shows it. */
export interface AckView {
  jobId: string;
  module: 'arb' | 'mev';
  state: string;
  progress: number;
  message: string;
  field: string;
  modelVersion: string;
  metrics: Record<string, number> | null;
  tsMs: number;
}

const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });

export function registerTraining(app: FastifyInstance, ctx: ApiContext): void {
  app.post('/api/training/start', writeRoute(ctx, 'training.start'), async (request, reply) => {
    markAudited(request);
    const caller = principalOf(request);
    const job = await auditedCommand(
      {
        ledger: ctx.ledger,
        caller,
        action: 'training.start',
        params: request.body,
        requestId: request.id,
      },
      async () => {
        const train = trainRequestFrom(request.body, caller);
        assertSloAllows(ctx.sloView, train.module, { kind: 'training.start' });
        await ctx.bus.publish('train-requests-proto', train);
        return { value: train, detail: `job ${train.jobId}` };
      },
    );
    // `ok` and `job_id` are the seed's answer, for its clients; `jobId` is Landfall's.
    return reply
      .code(202)
      .send({ ok: true, jobId: job.jobId, job_id: job.jobId, durable: isDurable(ctx) });
  });

  app.get('/api/training', readRoute(), async (request) => {
    const { limit } = parseBody(listQuery, request.query, 'query');
    const stored = ctx.store ? await latestStored(ctx.store, limit) : [];
    const byJob = new Map(stored.map((a) => [a.jobId, a]));
    for (const acks of ctx.views.trainAcks.values()) {
      const last = acks.at(-1);
      if (!last) continue;
      const view = ackView(last);
      const known = byJob.get(view.jobId);
      if (!known || known.tsMs <= view.tsMs) byJob.set(view.jobId, view);
    }
    const jobs = [...byJob.values()].sort((a, b) => b.tsMs - a.tsMs).slice(0, limit);
    return { jobs, stored: ctx.store !== undefined };
  });

  app.get<{ Params: { jobId: string } }>('/api/training/:jobId', readRoute(), async (request) => {
    const jobId = request.params.jobId;
    const stored = ctx.store ? await storedAcks(ctx.store, jobId) : [];
    const seen = new Set(stored.map((a) => `${a.state}@${a.tsMs}`));
    const live = (ctx.views.trainAcks.get(jobId) ?? [])
      .map(ackView)
      .filter((a) => !seen.has(`${a.state}@${a.tsMs}`));
    const acks = [...stored, ...live].sort((a, b) => b.tsMs - a.tsMs);
    if (acks.length === 0)
      throw new LandfallError(
        'LF_API_NOT_FOUND',
        `no acknowledgement for training job ${jobId} (yet): a job just started is acknowledged by the dispatcher within moments`,
      );
    return { jobId, state: acks[0]?.state, acks };
  });
}

export function ackView(a: TrainAck): AckView {
  const m = a.metrics;
  return {
    jobId: a.jobId,
    module: fromProtoModule(a.module) ?? 'arb',
    state: stateName(ackState(a)),
    progress: a.progress,
    message: a.message,
    field: a.field,
    modelVersion: a.modelVersion,
    metrics: m
      ? {
          auc: m.auc,
          logLoss: m.logLoss,
          expectedProfitSol: m.expectedProfitSol,
          threshold: m.threshold,
          trainRows: Number(m.trainRows),
          validationRows: Number(m.validationRows),
        }
      : null,
    tsMs: Number(a.tsMs),
  };
}

interface AckRow {
  job_id: string;
  state: string;
  ts_ms: string;
  module: string;
  message: string;
  progress: number;
  auc: number;
  log_loss: number;
  profit: number;
  threshold: number;
  train_rows: string;
  validation_rows: string;
  has_metrics: number;
  model_version: string;
  field: string;
}

const ACK_COLUMNS = `job_id, toString(state) AS state, toString(toUnixTimestamp64Milli(dt)) AS ts_ms,
  toString(module) AS module, message, progress, metrics_auc AS auc, metrics_log_loss AS log_loss,
  metrics_expected_profit_sol AS profit, metrics_threshold AS threshold,
  toString(metrics_train_rows) AS train_rows, toString(metrics_validation_rows) AS validation_rows,
  (metrics_train_rows + metrics_validation_rows > 0 OR metrics_auc != 0) AS has_metrics,
  model_version, field`;

async function storedAcks(store: Store, jobId: string): Promise<AckView[]> {
  const rows = await store.query<AckRow>(
    `SELECT ${ACK_COLUMNS} FROM ${store.database}.train_acks FINAL
     WHERE job_id = {jobId:String} ORDER BY dt DESC LIMIT 1000`,
    { jobId },
  );
  return rows.map(rowView);
}

async function latestStored(store: Store, limit: number): Promise<AckView[]> {
  const rows = await store.query<AckRow>(
    `SELECT ${ACK_COLUMNS} FROM ${store.database}.train_acks FINAL
     ORDER BY dt DESC LIMIT 1 BY job_id LIMIT {limit:UInt32}`,
    { limit },
  );
  return rows.map(rowView);
}

function rowView(r: AckRow): AckView {
  return {
    jobId: r.job_id,
    module: r.module === 'MEV' ? 'mev' : 'arb',
    state: stateName(stateFromName(r.state)),
    progress: r.progress,
    message: r.message,
    field: r.field,
    modelVersion: r.model_version,
    metrics: Number(r.has_metrics)
      ? {
          auc: r.auc,
          logLoss: r.log_loss,
          expectedProfitSol: r.profit,
          threshold: r.threshold,
          trainRows: Number(r.train_rows),
          validationRows: Number(r.validation_rows),
        }
      : null,
    tsMs: Number(r.ts_ms),
  };
}
