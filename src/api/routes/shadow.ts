import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LandfallError } from '../../errors.js';
import { shadowFigures } from '../../model/shadow-figures.js';
import type { ApiContext } from '../app.js';
import { parseBody } from '../body.js';
import { readRoute } from './options.js';

const params = z.strictObject({ module: z.enum(['arb', 'mev']) });
const query = z.strictObject({
  minutes: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(60),
});

/**
 * GET /api/models/:module/shadow: the live model beside each candidate that ran in shadow
 * (config `model.shadow`), on the same live traffic: AUC, log-loss and would-be profit at
 * each model's threshold (src/model/shadow-figures.ts).
 */
export function registerShadow(app: FastifyInstance, ctx: ApiContext): void {
  const dir = resolve(ctx.config.home, ctx.config.model.dir);
  app.get<{ Params: { module: string } }>(
    '/api/models/:module/shadow',
    readRoute(),
    async (request) => {
      const { module } = parseBody(params, request.params, 'path');
      const { minutes } = parseBody(query, request.query, 'query');
      const store = ctx.store;
      if (!store)
        throw new LandfallError(
          'LF_STORE_UNAVAILABLE',
          'no store in this process: shadow scores live in ClickHouse with the opportunities',
        );
      return shadowFigures(store, dir, module, minutes, Date.now());
    },
  );
}
