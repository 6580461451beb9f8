import { randomUUID } from 'node:crypto';
import rateLimit, { type FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { pino } from 'pino';
import { AuditLedger } from '../audit/ledger.js';
import { bearerToken, type TokenVerifier } from '../auth/verify.js';
import type { TypedBus } from '../bus/typed.js';
import type { Config } from '../config/schema.js';
import { LandfallError, reasonOf } from '../errors.js';
import type { Logger } from '../log.js';
import type { SinkStats } from '../store/sink-stats.js';
import type { Store } from '../store/types.js';
import { auditResultFor } from './audited.js';
import { InvalidBodyError } from './body.js';
import { ApiMetrics } from './metrics.js';
import { SharedWindowStore } from './rate-store.js';
import {
  maybePrincipal,
  REQUEST_ID,
  routeConfigOf,
  setPrincipal,
  wasAudited,
} from './request-context.js';
import { registerRoutes } from './routes.js';
import { LiveViews } from './views.js';

export interface ApiDeps {
  config: Config;
  bus: TypedBus;
  verifier: TokenVerifier;
  /** ClickHouse, for training history and the audit log; without it those answer 503. */
  store?: Store;
  logger?: Logger;
  /** The sink's counters, when it runs in this process (exported on /metrics). */
  sinkStats?: () => SinkStats;
}

/** What the routes share: the dependencies plus the ledger, the live views and the metrics. */
export interface ApiContext extends ApiDeps {
  ledger: AuditLedger;
  views: LiveViews;
  metrics: ApiMetrics;
}

/**
 * The control-plane app, not yet listening: `/api/*`, `/metrics`, `/api/openapi.json`, the
 * auth hook, per-token write rate limits, body limits, and one error shape for everything
 * (`{ error: { code, message, field?, requestId } }`). `/` and `/ws` are left for the dashboard
 * and the gateway to register on the same instance.
 */
export async function createApiApp(deps: ApiDeps): Promise<FastifyInstance> {
  const logger = deps.logger ?? pino({ level: 'silent' });
  const app = Fastify({
    // Request lines are the metrics' job; the log keeps warnings and errors.
    loggerInstance: logger.child(
      { svc: 'api' },
      { level: quietest(logger.level) },
    ) as FastifyBaseLogger,
    bodyLimit: deps.config.api.bodyLimitBytes,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
  });
  const views = await LiveViews.start(deps.bus);
  try {
    const metrics = new ApiMetrics(deps.sinkStats);
    views.onMetrics((m) => metrics.agentUpdate(m));
    const ctx: ApiContext = { ...deps, ledger: new AuditLedger(deps.bus), views, metrics };
    app.addHook('onClose', async () => views.stop());

    app.addHook('onRequest', async (request, reply) => {
      reply.header('x-request-id', request.id);
      const route = routeConfigOf(request);
      if (route === undefined || route.lfAuth === 'public') return;
      const token = bearerToken(request.headers.authorization);
      setPrincipal(request, await deps.verifier.verify(token));
    });
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      metrics.observe(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    });

    await app.register(rateLimit, {
      global: false,
      // One instance per app; each route's child is that instance (see rate-store.ts).
      store: SharedWindowStore as unknown as FastifyRateLimitStoreCtor,
      // After the auth hook, so the limit is keyed by the verified token, not by the address.
      hook: 'preHandler',
      keyGenerator: (request) => {
        const p = maybePrincipal(request);
        return p === undefined ? `ip:${request.ip}` : `token:${p.tokenId ?? `sub:${p.subject}`}`;
      },
      errorResponseBuilder: (_request, context) =>
        new LandfallError(
          'LF_API_RATE_LIMITED',
          `rate limit: at most ${context.max} writes per ${deps.config.api.writeRateLimit.windowMs / 1000} s for this token (api.writeRateLimit); retry in ${context.after}`,
        ),
    });

    app.setErrorHandler(async (err, request, reply) => answerError(ctx, err, request, reply));
    app.setNotFoundHandler(async (request, reply) =>
      sendError(
        reply,
        request,
        new LandfallError('LF_API_NOT_FOUND', `no route ${request.method} ${request.url}`),
      ),
    );
    registerRoutes(app, ctx);
  } catch (err) {
    await app.close();
    await views.stop();
    throw err;
  }
  return app;
}

/** Fastify's own refusals, by code, as the catalogue's. */
const frameworkErrors: Record<string, (e: Error) => LandfallError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () =>
    new LandfallError('LF_API_BODY_TOO_LARGE', 'request body too large (api.bodyLimitBytes)'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    new LandfallError('LF_API_UNSUPPORTED_MEDIA', 'send the body as application/json'),
  FST_ERR_CTP_INVALID_JSON_BODY: (e) => new InvalidBodyError('(body)', `not JSON: ${e.message}`),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new InvalidBodyError('(body)', 'empty JSON body'),
};

async function answerError(
  ctx: ApiContext,
  err: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const e = asLandfallError(err);
  if (e.status >= 500) request.log.error({ err, requestId: request.id }, 'api request failed');
  // Refused credentials leave no audit record (no verified caller to name), so they are logged.
  if (e.status === 401)
    request.log.warn(
      { reason: e.message, ip: request.ip, route: request.routeOptions.url, requestId: request.id },
      'api token refused',
    );
  // A write refused before its handler ran (bad JSON, too large) is audited here, once.
  const route = routeConfigOf(request);
  const caller = maybePrincipal(request);
  if (route?.lfAction && caller && !wasAudited(request) && e.status !== 429 && e.status !== 401) {
    await ctx.ledger
      .record({
        subject: caller.subject,
        role: caller.role,
        action: route.lfAction,
        params: {},
        result: auditResultFor(e.status),
        requestId: request.id,
        detail: e.message,
      })
      .catch((cause: unknown) =>
        request.log.error({ err: cause }, 'audit record for a refused write failed'),
      );
  }
  return sendError(reply, request, e);
}

function asLandfallError(err: unknown): LandfallError {
  if (err instanceof LandfallError) return err;
  const code = (err as { code?: unknown }).code;
  const status = (err as { statusCode?: unknown }).statusCode;
  const mapped = typeof code === 'string' ? frameworkErrors[code] : undefined;
  if (mapped) return mapped(err as Error);
  if (typeof status === 'number' && status >= 400 && status < 500)
    return new InvalidBodyError('(request)', reasonOf(err));
  return new LandfallError('LF_INTERNAL', 'internal error; see the server log', { cause: err });
}

function sendError(reply: FastifyReply, request: FastifyRequest, e: LandfallError) {
  const field = e instanceof InvalidBodyError ? { field: e.field } : {};
  return reply
    .code(e.status)
    .send({ error: { code: e.code, message: e.message, ...field, requestId: request.id } });
}

function quietest(level: string): string {
  const order = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
  return order.indexOf(level) > order.indexOf('warn') ? level : 'warn';
}
