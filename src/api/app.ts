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
import { type ControlSigner, controlSignerFrom } from '../auth/control-signature.js';
import { bearerToken, type TokenVerifier } from '../auth/verify.js';
import type { TypedBus } from '../bus/typed.js';
import type { Config } from '../config/schema.js';
import { LandfallError, reasonOf } from '../errors.js';
import type { Logger } from '../log.js';
import type { SinkStats } from '../store/sink-stats.js';
import type { Store } from '../store/types.js';
import { auditResultFor } from './audited.js';
import { InvalidBodyError } from './body.js';
import { assertJsonDepth } from './json-limits.js';
import { ApiMetrics } from './metrics.js';
import {
  maybePrincipal,
  REQUEST_ID,
  routeConfigOf,
  setPrincipal,
  wasAudited,
} from './request-context.js';
import { registerRoutes } from './routes.js';
import type { SloView } from './slo-gate.js';
import { LiveViews } from './views.js';
import { shareControlPlane, WriteBudget } from './write-budget.js';

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
  /** Signs the control commands this API issues (bus.control). */
  signer: ControlSigner;
  views: LiveViews;
  metrics: ApiMetrics;
  /** One write budget per token for REST and the gateway's commands (write-budget.ts). */
  budget: WriteBudget;
  /** The same views, as the control path's SLO gate reads them. */
  sloView: SloView;
  /** Embedded mode only: commands and audit rows are stored before they are answered. */
  durableStore?: Store;
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
    const metrics = new ApiMetrics(deps.sinkStats, deps.store);
    views.onMetrics((m) => metrics.agentUpdate(m));
    // With an in-process bus a published message lives only in memory until the sink stores
    // it; writing straight to the store first makes an answered command survive a crash.
    const durableStore = deps.bus.bus.kind === 'memory' ? deps.store : undefined;
    const ledger = new AuditLedger(deps.bus, Date.now, durableStore);
    const budget = new WriteBudget(deps.config.api.writeRateLimit, ledger, (err) =>
      app.log.error({ err }, 'audit record of a rate-limit episode failed'),
    );
    const ctx: ApiContext = {
      ...deps,
      ledger,
      budget,
      sloView: views,
      ...(durableStore ? { durableStore } : {}),
      signer: controlSignerFrom(deps.config),
      views,
      metrics,
    };
    app.addHook('onClose', async () => {
      await budget.flush();
      await views.stop();
    });
    shareControlPlane(app.server, {
      budget,
      slo: views,
      ledger,
      maxDepth: deps.config.api.bodyMaxDepth,
      ...(durableStore ? { durableStore } : {}),
    });
    acceptJsonOnly(app, deps.config.api.bodyMaxDepth);

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
      // The budget's store, which the gateway's commands count in too (write-budget.ts).
      store: storeCtor(budget),
      // After the auth hook, so the limit is keyed by the verified token, not by the address.
      hook: 'preHandler',
      keyGenerator: (request) => {
        const p = maybePrincipal(request);
        return p === undefined ? `ip:${request.ip}` : WriteBudget.keyOf(p);
      },
      errorResponseBuilder: (request, context) => {
        const error = budget.error(Math.ceil(context.ttl / 1000));
        const p = maybePrincipal(request);
        const action = routeConfigOf(request)?.lfAction;
        if (p && action) budget.refused(p, action, request.id, error.message);
        return error;
      },
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

/** The plugin constructs its store; this hands it the budget's one instead. */
function storeCtor(budget: WriteBudget): FastifyRateLimitStoreCtor {
  return class {
    constructor() {
      // biome-ignore lint/correctness/noConstructorReturn: the plugin must count in the shared store
      return budget.store;
    }
  } as unknown as FastifyRateLimitStoreCtor;
}

/**
 * JSON is the only body this API reads: Fastify's text/plain parser is removed so any other
 * content type is 415, and JSON deeper than api.bodyMaxDepth is refused (400) before parsing.
 */
function acceptJsonOnly(app: FastifyInstance, maxDepth: number): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    try {
      assertJsonDepth(text, maxDepth);
    } catch (err) {
      done(err as Error, undefined);
      return;
    }
    parse(request, text, done);
  });
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
    // Refused before the rate limit counted it (the body is parsed first): it spends the budget
    // here, so a flood of bad bodies is refused and audited once per window like any other.
    try {
      ctx.budget.take(caller, route.lfAction, request.id);
    } catch (limited) {
      return sendError(reply, request, asLandfallError(limited));
    }
    await ctx.ledger
      .record({
        subject: caller.subject,
        role: caller.role,
        action: route.lfAction,
        // What was sent, never the body itself: it may be what was refused (too big, too deep).
        params: bodySummary(request),
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

function bodySummary(request: FastifyRequest): Record<string, unknown> {
  const length = Number(request.headers['content-length']);
  return {
    body: {
      contentType: (request.headers['content-type'] ?? '').slice(0, 100),
      bytes: Number.isFinite(length) ? length : null,
    },
  };
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
