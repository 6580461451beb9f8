import { create } from '@bufbuild/protobuf';
import type { TypedBus } from '../bus/typed.js';
import type { Config } from '../config/schema.js';
import { type TrainRequest, TrainRequestSchema } from '../gen/landfall/v1/jobs_pb.js';
import type { Logger } from '../log.js';
import { toProtoModule } from '../proto/module.js';
import { nextTick, slotOf, type Ticker, type TickSpec } from './queue/ticker.js';
import { createTicker } from './queue/ticker-create.js';

/**
 * Scheduled retraining: each `train.schedule` entry turns its ticks (queue/ticker.ts: BullMQ
 * job schedulers on Redis, timers in-process) into a train request on train-requests-proto
 * for the sliding window ending at the tick's slot. The request's job id is the entry's id and
 * the window's end, so a tick delivered twice, or by several dispatchers each running the
 * schedule, is one job (the dispatcher's queue dedupes by id). The trained model is a
 * candidate; promotion.ts decides whether it goes live.
 */
export type ScheduleEntry = Config['train']['schedule'][number];

export function tickSpecOf(entry: ScheduleEntry): TickSpec {
  return {
    id: entry.id,
    ...(entry.everyMs === undefined ? {} : { everyMs: entry.everyMs }),
    ...(entry.cron === undefined ? {} : { cron: entry.cron }),
  };
}

/** The job id of the window ending at `endMs`. */
export function scheduledJobId(entry: ScheduleEntry, endMs: number): string {
  return `sched-${entry.id}-${endMs}`;
}

/** The request for the window ending at the slot of a tick scheduled at `scheduledMs`. */
export function scheduledRequest(entry: ScheduleEntry, scheduledMs: number): TrainRequest {
  const endMs = slotOf(tickSpecOf(entry), scheduledMs);
  return create(TrainRequestSchema, {
    schemaVersion: 'train-v1',
    jobId: scheduledJobId(entry, endMs),
    module: toProtoModule(entry.module),
    range: {
      start: new Date(endMs - entry.windowMs).toISOString(),
      end: new Date(endMs).toISOString(),
    },
    features: { name: entry.features },
    model: 'xgb',
    params: {
      maxDepth: entry.maxDepth,
      nEstimators: entry.nEstimators,
      learningRate: entry.learningRate,
    },
    outputDir: '',
    issuer: `schedule:${entry.id}`,
  });
}

/** What the API shows of a schedule: its rule and the next window it will request. */
export function scheduleView(entry: ScheduleEntry, nowMs: number) {
  const next = slotOf(tickSpecOf(entry), nextTick(tickSpecOf(entry), nowMs));
  return {
    id: entry.id,
    module: entry.module,
    ...(entry.everyMs === undefined ? {} : { everyMs: entry.everyMs }),
    ...(entry.cron === undefined ? {} : { cron: entry.cron }),
    windowMs: entry.windowMs,
    features: entry.features,
    next: {
      jobId: scheduledJobId(entry, next),
      start: new Date(next - entry.windowMs).toISOString(),
      end: new Date(next).toISOString(),
    },
  };
}

/** Runs every configured schedule until `close()`; nothing when there is none. */
export async function startSchedules(options: {
  config: Config;
  bus: TypedBus;
  log: Logger;
  /** The wall clock of the in-process ticker: tests fix where in the hour they run. */
  now?: () => number;
}): Promise<Ticker | undefined> {
  const { config, bus, log, now } = options;
  const entries = config.train.schedule;
  if (entries.length === 0) return undefined;
  const byId = new Map(entries.map((e) => [e.id, e]));
  return createTicker(
    config.queue,
    `${config.train.queueName}-schedule`,
    entries.map(tickSpecOf),
    async (id, scheduledMs) => {
      const entry = byId.get(id);
      if (entry === undefined) return; // A schedule another process still has, not this one.
      const request = scheduledRequest(entry, scheduledMs);
      log.info({ schedule: id, jobId: request.jobId, range: request.range }, 'scheduled training');
      await bus.publish('train-requests-proto', request);
    },
    (err) => log.warn({ err }, 'training schedule: trouble'),
    now,
  );
}
