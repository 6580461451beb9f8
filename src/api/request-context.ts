import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/verify.js';
import { LandfallError } from '../errors.js';

/**
 * What a route of this API declares in its Fastify `config`: whether it needs a verified token
 * (roles are checked by the handler, so that a refused command is audited with its body), and
 * for a command the audit action its refusals are recorded under. Routes without it (the
 * gateway's `/ws`, the dashboard's files) are left to their owners.
 */
export interface ApiRouteConfig {
  lfAuth: 'public' | 'token';
  /** Audit action for a write route, e.g. "training.start". */
  lfAction?: string;
}

const principals = new WeakMap<FastifyRequest, Principal>();
const audited = new WeakSet<FastifyRequest>();

export function routeConfigOf(request: FastifyRequest): ApiRouteConfig | undefined {
  const config = request.routeOptions.config as Partial<ApiRouteConfig> | undefined;
  return config?.lfAuth === undefined ? undefined : (config as ApiRouteConfig);
}

export function setPrincipal(request: FastifyRequest, principal: Principal): void {
  principals.set(request, principal);
}

/** The verified caller; only routes that declare `lfAuth` other than public have one. */
export function principalOf(request: FastifyRequest): Principal {
  const principal = principals.get(request);
  if (principal === undefined)
    throw new LandfallError('LF_AUTH_UNAUTHENTICATED', 'unauthenticated: no verified caller');
  return principal;
}

export function maybePrincipal(request: FastifyRequest): Principal | undefined {
  return principals.get(request);
}

/** Marks a request whose command has written its own audit record. */
export function markAudited(request: FastifyRequest): void {
  audited.add(request);
}

export function wasAudited(request: FastifyRequest): boolean {
  return audited.has(request);
}

/** Request ids a client may supply (`x-request-id`): printable ASCII, as bus ids. */
export const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;
