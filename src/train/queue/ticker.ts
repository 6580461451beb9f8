import { CronExpressionParser } from 'cron-parser';
import { LandfallError } from '../../errors.js';

/**
 * Ticks on a schedule, for scheduled retraining (src/train/schedule.ts): `createTicker`
 * (ticker-create.ts) picks the adapter from `config.queue.kind`.
 *
 * Rules every adapter keeps (ticker-contract.ts checks them against each):
 * - A `cron` spec (5 or 6 fields, UTC) fires at every instant it names, and the handler is
 *   given that instant. An `everyMs` spec fires every `everyMs`; BullMQ starts that stream when
 *   the schedule is upserted, so its instants are not aligned: consumers key a tick by
 *   `slotOf(spec, instant)` (the multiple of `everyMs` at or before it), which every process
 *   computes the same way.
 * - **At least once.** A tick may be delivered more than once (several processes each running
 *   a ticker on the memory adapter, a BullMQ worker that dies mid-tick); whatever the handler
 *   produces must be keyed by the scheduled instant (the training job id is).
 * - **Late means skipped, not flooded.** A ticker that runs a tick a whole period or more after
 *   its instant (a stalled or suspended process) goes on to the next instant still ahead; the
 *   instants it slept through are not fired in a burst (BullMQ's schedulers do the same). A
 *   scheduled retrain missed that way is the next one's.
 * - Upserting the same spec id again replaces its schedule; `close()` stops delivering ticks
 *   and waits for running handlers. Schedules that are no longer configured are removed.
 * - A tick whose handler throws is reported through `onError`; the next tick comes as usual.
 *
 * - `memory`: timers in this process; nothing outlives it.
 * - `bullmq`: BullMQ job schedulers (`upsertJobScheduler`) on Redis: each scheduled instant is
 *   one job `repeat:<spec id>:<instant>`, so several processes upserting the same spec still
 *   produce one tick per instant, run by one of their workers.
 */
export interface TickSpec {
  readonly id: string;
  readonly everyMs?: number;
  readonly cron?: string;
}

export type TickHandler = (id: string, scheduledMs: number) => Promise<void>;

export interface Ticker {
  close(): Promise<void>;
}

/** The first scheduled instant strictly after `afterMs`. */
export function nextTick(spec: TickSpec, afterMs: number): number {
  if (spec.everyMs !== undefined) return (Math.floor(afterMs / spec.everyMs) + 1) * spec.everyMs;
  if (spec.cron !== undefined) {
    return CronExpressionParser.parse(spec.cron, { currentDate: new Date(afterMs), tz: 'UTC' })
      .next()
      .getTime();
  }
  throw new LandfallError('LF_CONFIG_INVALID', `schedule ${spec.id}: set everyMs or cron`);
}

/** The key of a tick: its instant for a cron spec, the multiple of everyMs at or before it. */
export function slotOf(spec: TickSpec, scheduledMs: number): number {
  return spec.everyMs === undefined
    ? scheduledMs
    : Math.floor(scheduledMs / spec.everyMs) * spec.everyMs;
}

/** Why `cron` is not a valid expression, or undefined. */
export function cronProblem(cron: string): string | undefined {
  try {
    CronExpressionParser.parse(cron, { tz: 'UTC' });
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
