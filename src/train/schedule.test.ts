import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { Module } from '../gen/landfall/v1/jobs_pb.js';
import { scheduledRequest, scheduleView } from './schedule.js';

const entryOf = (over: Record<string, unknown>) =>
  configSchema.parse({
    train: { schedule: [{ id: 'mev-4h', module: 'mev', windowMs: 86_400_000, ...over }] },
  }).train.schedule[0];

describe('train.schedule', () => {
  it('turns a tick into a request for the sliding window ending at its slot', () => {
    const entry = entryOf({ everyMs: 4 * 3_600_000, nEstimators: 50 });
    if (entry === undefined) throw new Error('no entry');
    const tick = Date.parse('2026-12-04T08:00:00.412Z'); // BullMQ's stream is not aligned.
    const r = scheduledRequest(entry, tick);
    expect(r.jobId).toBe(`sched-mev-4h-${Date.parse('2026-12-04T08:00:00Z')}`);
    expect(r.module).toBe(Module.MEV);
    expect(r.range).toMatchObject({
      start: '2026-12-03T08:00:00.000Z',
      end: '2026-12-04T08:00:00.000Z',
    });
    expect(r.params?.nEstimators).toBe(50);
    expect(r.issuer).toBe('schedule:mev-4h');
    // The same slot from another process, a moment later: the same job.
    expect(scheduledRequest(entry, tick + 5_000).jobId).toBe(r.jobId);
  });

  it('shows the next window of a cron schedule', () => {
    const entry = entryOf({ cron: '0 6 * * *' });
    if (entry === undefined) throw new Error('no entry');
    const view = scheduleView(entry, Date.parse('2026-12-04T07:00:00Z'));
    expect(view.next).toEqual({
      jobId: `sched-mev-4h-${Date.parse('2026-12-05T06:00:00Z')}`,
      start: '2026-12-04T06:00:00.000Z',
      end: '2026-12-05T06:00:00.000Z',
    });
  });

  it('refuses an entry with both or neither of everyMs and cron, or a bad cron', () => {
    const parse = (over: Record<string, unknown>) =>
      configSchema.safeParse({
        train: { schedule: [{ id: 'x', module: 'arb', windowMs: 60_000, ...over }] },
      });
    expect(parse({}).error?.issues[0]?.message).toBe('set exactly one of everyMs and cron');
    expect(parse({ everyMs: 60_000, cron: '* * * * *' }).success).toBe(false);
    const bad = parse({ cron: 'every tuesday' }).error?.issues[0];
    expect(bad?.path).toEqual(['train', 'schedule', 0, 'cron']);
    expect(bad?.message).toMatch(/^invalid cron: /);
    const twice = configSchema.safeParse({
      train: {
        schedule: [
          { id: 'x', module: 'arb', windowMs: 60_000, everyMs: 60_000 },
          { id: 'x', module: 'mev', windowMs: 60_000, everyMs: 60_000 },
        ],
      },
    }).error?.issues[0];
    expect(twice?.path).toEqual(['train', 'schedule', 1, 'id']);
  });
});
