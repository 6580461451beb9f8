import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from './app.js';
import { openApiDocument } from './openapi.js';
import { registerAudit } from './routes/audit.js';
import { registerBacktest } from './routes/backtest.js';
import { registerControl } from './routes/control.js';
import { registerHistory } from './routes/history.js';
import { registerModels } from './routes/models.js';
import { publicRoute, readRoute } from './routes/options.js';
import { registerSchedule } from './routes/schedule.js';
import { registerShadow } from './routes/shadow.js';
import { registerStatus } from './routes/status.js';
import { registerTraining } from './routes/training.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export function registerRoutes(app: FastifyInstance, ctx: ApiContext): void {
  registerSchedule(app, ctx);
  registerTraining(app, ctx);
  registerControl(app, ctx);
  registerModels(app, ctx);
  registerShadow(app, ctx);
  registerStatus(app, ctx);
  registerAudit(app, ctx);
  registerHistory(app, ctx);
  registerBacktest(app, ctx);

  app.get('/metrics', readRoute(), async (_request, reply) => {
    const text = await ctx.metrics.registry.metrics();
    return reply.header('content-type', ctx.metrics.registry.contentType).send(text);
  });

  // The description of the API holds no data, so a client may read it before it has a token.
  const openapi = openApiDocument(pkg.version);
  app.get('/api/openapi.json', publicRoute(), async () => openapi);
}
