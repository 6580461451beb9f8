import type { IncomingHttpHeaders } from 'node:http';
import { decodeJwt } from 'jose';
import { bearerToken, type Principal, type TokenVerifier } from '../auth/verify.js';
import { LandfallError } from '../errors.js';

/** The sub-protocol the gateway speaks; the only one it ever echoes back. */
export const SUBPROTOCOL = 'landfall.v1';
/** Prefix of the sub-protocol entry that carries the token: `bearer.<jwt>`. */
export const BEARER_PROTOCOL_PREFIX = 'bearer.';

export interface Authenticated {
  readonly principal: Principal;
  /** The verified token's `exp`, in ms since the epoch. */
  readonly expiresAtMs: number | undefined;
}

/**
 * Finds the token of an upgrade request, in order of preference: `Authorization: Bearer`, the
 * `bearer.<jwt>` sub-protocol (what a browser's WebSocket can send), then `?token=` (last resort;
 * the gateway never logs a URL's query). Throws LF_AUTH_UNAUTHENTICATED when there is none.
 */
export function tokenOf(headers: IncomingHttpHeaders, url: URL): string {
  if (headers.authorization !== undefined) return bearerToken(headers.authorization);
  for (const protocol of protocolsOf(headers)) {
    if (protocol.startsWith(BEARER_PROTOCOL_PREFIX))
      return protocol.slice(BEARER_PROTOCOL_PREFIX.length);
  }
  const query = url.searchParams.get('token');
  if (query !== null && query !== '') return query;
  throw new LandfallError(
    'LF_AUTH_UNAUTHENTICATED',
    'no token: send Authorization: Bearer <jwt>, the sub-protocols ["landfall.v1", "bearer.<jwt>"], or ?token=',
  );
}

export function protocolsOf(headers: IncomingHttpHeaders): string[] {
  const raw = headers['sec-websocket-protocol'];
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** Verifies the request's token with the API's verifier (one verifier for REST and sockets). */
export async function authenticate(
  verifier: TokenVerifier,
  headers: IncomingHttpHeaders,
  url: URL,
  now: () => number = Date.now,
): Promise<Authenticated> {
  const token = tokenOf(headers, url);
  const principal = await verifier.verify(token);
  // The signature was just checked: reading `exp` from the payload is safe and lets the gateway
  // close the socket when the token runs out.
  const exp = decodeJwt(token).exp;
  const expiresAtMs = typeof exp === 'number' ? exp * 1000 : undefined;
  // The verifier allows clock skew; a socket would be closed at `exp` anyway, so one past it is
  // refused outright rather than admitted for a moment.
  if (expiresAtMs !== undefined && expiresAtMs <= now())
    throw new LandfallError('LF_AUTH_UNAUTHENTICATED', 'token expired');
  return { principal, expiresAtMs };
}
