import type { FastifyInstance } from 'fastify';
import { scheduleView } from '../../train/schedule.js';
import type { ApiContext } from '../app.js';
import { readRoute } from './options.js';

/** Scheduled retraining as configured (`train.schedule`), with the next window each requests. */
export function registerSchedule(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/api/training/schedule', readRoute(), async () => ({
    schedules: ctx.config.train.schedule.map((e) => scheduleView(e, Date.now())),
  }));
}
