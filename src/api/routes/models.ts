import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Module } from '../../market/types.js';
import type { ModelManifest } from '../../model/manifest.js';
import {
  listVersions,
  liveVersion,
  promote,
  type RegistryEntry,
  rollback,
  rollbackTarget,
} from '../../model/registry.js';
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
const promoteBody = z.strictObject({
  version: z.string().regex(/^[0-9a-f]{4,64}$/, 'expected a version (hex, at least 4 characters)'),
  reason: z.string().trim().min(1, 'a reason is required').max(1000),
});

/** The figures a promotion or rollback is judged by: the validation-window metrics. */
function figuresOf(m: ModelManifest): Record<string, number> {
  return Object.fromEntries(
    Object.entries(m.metrics).filter(([k]) => /profit|threshold|auc|rows|promot/.test(k)),
  );
}

/** live; candidate: published after the live one and not made live; retired: the rest. */
function stateOf(e: { live: boolean; manifest: ModelManifest }, liveSequence: number | undefined) {
  if (e.live) return 'live';
  return liveSequence === undefined || e.manifest.sequence > liveSequence ? 'candidate' : 'retired';
}

export function registerModels(app: FastifyInstance, ctx: ApiContext): void {
  const dir = resolve(ctx.config.home, ctx.config.model.dir);

  app.get('/api/models', readRoute(), async () => ({
    dir,
    modules: Object.fromEntries(
      modules.map((module) => {
        const entries = listVersions(dir, module);
        const liveSeq = entries.find((e) => e.live)?.manifest.sequence;
        return [
          module,
          entries.map((e) => ({
            version: e.manifest.version,
            live: e.live,
            state: stateOf(e, liveSeq),
            sequence: e.manifest.sequence,
            createdAt: e.manifest.createdAt,
            threshold: e.manifest.threshold,
            metrics: e.manifest.metrics,
            trainingJobId: e.manifest.trainingJobId,
            source: e.manifest.source,
          })),
        ];
      }),
    ),
  }));

  app.post<{ Params: { module: string } }>(
    '/api/models/:module/promote',
    writeRoute(ctx, 'model.promote'),
    async (request) => {
      markAudited(request);
      const body = asObject(request.body);
      const module = moduleParam.safeParse(request.params).data?.module;
      const version = typeof body.version === 'string' ? body.version : undefined;
      const target =
        module === undefined || version === undefined
          ? undefined
          : listVersions(dir, module).find((e) => e.manifest.version.startsWith(version));
      const params = switchParams(dir, request.params.module, body, module, target);
      const manifest = await auditedCommand(
        {
          ledger: ctx.ledger,
          caller: principalOf(request),
          action: 'model.promote',
          params,
          requestId: request.id,
        },
        async () => {
          const { module } = parseBody(moduleParam, request.params, 'path');
          const b = parseBody(promoteBody, request.body);
          // LF_MODEL_NOT_FOUND (404) for an unknown or ambiguous version.
          const m = promote(dir, module, b.version);
          return {
            value: m,
            detail: `${module} model ${m.version} promoted by hand (was ${params.previous ?? 'none'}): ${JSON.stringify(figuresOf(m))}`,
          };
        },
      );
      return { module: manifest.module, version: manifest.version, live: true };
    },
  );

  app.post<{ Params: { module: string } }>(
    '/api/models/:module/rollback',
    writeRoute(ctx, 'model.rollback'),
    async (request) => {
      markAudited(request);
      const body = asObject(request.body);
      const module = moduleParam.safeParse(request.params).data?.module;
      const version = typeof body.version === 'string' ? body.version : undefined;
      const target = module === undefined ? undefined : rollbackTarget(dir, module, version);
      const params = switchParams(dir, request.params.module, body, module, target);
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
          return {
            value: m,
            detail: `${module} model ${m.version} is live (rolled back from ${params.previous ?? 'none'}): ${JSON.stringify(figuresOf(m))}`,
          };
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

/**
 * What a promotion's or rollback's audit record carries, read before the switch: the request,
 * the live version it replaces, and the figures of the version going live.
 */
function switchParams(
  dir: string,
  moduleText: string,
  body: Record<string, unknown>,
  module: Module | undefined,
  target: RegistryEntry | undefined,
) {
  return {
    module: moduleText,
    ...body,
    previous: module === undefined ? undefined : (liveVersion(dir, module) ?? null),
    ...(target === undefined ? {} : { figures: figuresOf(target.manifest) }),
  };
}
