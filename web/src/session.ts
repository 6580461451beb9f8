/** What the page knows of its token; the gateway and the API verify it, the page only reads it. */
export interface Session {
  readonly token: string;
  readonly subject: string;
  readonly role: 'admin' | 'viewer';
  /** Expiry in ms since the epoch, when the token says. */
  readonly expiresAtMs: number | undefined;
}

const STORAGE_KEY = 'landfall.token';

/**
 * The token `landfall up` prints rides in the URL fragment (`/#token=…`), which browsers never
 * send to a server, so it stays out of every access log. The page takes it into the sign-in
 * field and wipes it from the address bar at once.
 */
export function tokenFromFragment(): string | undefined {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const token = params.get('token') ?? undefined;
  if (token !== undefined) history.replaceState(null, '', location.pathname + location.search);
  return token;
}

/** Reads the claims the page needs to lay itself out; throws when the text is not a JWT. */
export function sessionOf(token: string): Session {
  const parts = token.trim().split('.');
  if (parts.length !== 3 || !parts[1])
    throw new Error('not a JWT (expected three dot-separated parts)');
  let claims: { sub?: unknown; role?: unknown; exp?: unknown };
  try {
    const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    claims = JSON.parse(atob(b64.padEnd(Math.ceil(b64.length / 4) * 4, '='))) as typeof claims;
  } catch {
    throw new Error('not a JWT (its payload is not base64url JSON)');
  }
  const role = claims.role === 'admin' ? 'admin' : 'viewer';
  return {
    token: token.trim(),
    subject: typeof claims.sub === 'string' ? claims.sub : '(no subject)',
    role,
    expiresAtMs: typeof claims.exp === 'number' ? claims.exp * 1000 : undefined,
  };
}

/** Kept for this tab only (sessionStorage), so a reload does not sign out. */
export function rememberedToken(): string | undefined {
  return sessionStorage.getItem(STORAGE_KEY) ?? undefined;
}

export function remember(token: string | undefined): void {
  if (token === undefined) sessionStorage.removeItem(STORAGE_KEY);
  else sessionStorage.setItem(STORAGE_KEY, token);
}
