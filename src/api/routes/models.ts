import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Module } from '../../market/types.js';
import { listVersions, rollback } from '../../model/registry.js';
import type { ApiContext } from '../app.js';
import { auditedCommand } from '../audited.js';
import { parseBody } from '../body.js';
import { markAudited, principalOf } from '../request-context.js';
import { readRoute, writeRoute } from './options.js';

const modules: readonly Module[] = ['arb', 'mev'];

const rollbackBody = z.strictObject({
  version: z
    .string()
    .regex(/^[0-9a-f]{4,64}$/, 'expected a version (hex, at least 4 characters)')
    .optional(),
  reason: z.string().trim().min(1, 'a reason is required').max(1000),
});
const moduleParam = z.strictObject({ module: z.enum(['arb', 'mev']) });

export function registerModels(app: FastifyInstance, ctx: ApiContext): void {
  const dir = resolve(ctx.config.home, ctx.config.model.dir);

  app.get('/api/models', readRoute(), async () => ({
    dir,
    modules: Object.fromEntries(
      modules.map((module) => [
        module,
        listVersions(dir, module).map((e) => ({
          version: e.manifest.version,
          live: e.live,
          sequence: e.manifest.sequence,
          createdAt: e.manifest.createdAt,
          threshold: e.manifest.threshold,
          metrics: e.manifest.metrics,
          trainingJobId: e.manifest.trainingJobId,
          source: e.manifest.source,
        })),
      ]),
    ),
  }));

  app.post<{ Params: { module: string } }>(
    '/api/models/:module/rollback',
    writeRoute(ctx, 'model.rollback'),
    async (request) => {
      markAudited(request);
      const params = { module: request.params.module, ...asObject(request.body) };
      const manifest = await auditedCommand(
        {
          ledger: ctx.ledger,
          caller: principalOf(request),
          action: 'model.rollback',
          params,
          requestId: request.id,
        },
        async () => {
          const { module } = parseBody(moduleParam, request.params, 'path');
          const body = parseBody(rollbackBody, request.body);
          // LF_MODEL_NOT_FOUND (404) when there is no such or no earlier version.
          const m = rollback(dir, module, body.version);
          return { value: m, detail: `${module} model ${m.version} is live` };
        },
      );
      return { module: manifest.module, version: manifest.version, live: true };
    },
  );
}

function asObject(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : { body };
}
