import type { FastifyContextConfig } from 'fastify';
import type { ApiContext } from '../app.js';
import type { ApiRouteConfig as Own } from '../request-context.js';
import { WRITE_GROUP } from '../write-budget.js';

/** Fastify reads `config` as its own type; ours rides along in it. */
type ApiRouteConfig = FastifyContextConfig & Own;

/** Route options of a read: any verified token (handlers that need admin say so). */
export function readRoute(): { config: ApiRouteConfig } {
  return { config: { lfAuth: 'token' } };
}

/** Route options of a command: a verified token, the audit action its refusals are recorded
 * under, and the per-token write rate limit (keyed in app.ts by the token's id). */
export function writeRoute(
  ctx: ApiContext,
  action: string,
): {
  config: ApiRouteConfig & { rateLimit: { max: number; timeWindow: number; groupId: string } };
} {
  const limit = ctx.config.api.writeRateLimit;
  return {
    config: {
      lfAuth: 'token',
      lfAction: action,
      // One budget per token across every write route, not one per route.
      rateLimit: { max: limit.max, timeWindow: limit.windowMs, groupId: WRITE_GROUP },
    },
  };
}

/** Route options of a route anyone may call. */
export function publicRoute(): { config: ApiRouteConfig } {
  return { config: { lfAuth: 'public' } };
}
