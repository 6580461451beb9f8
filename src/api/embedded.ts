import { mintToken } from '../auth/mint.js';
import { createVerifier } from '../auth/verify.js';
import type { TypedBus } from '../bus/typed.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { SinkStats } from '../store/sink-stats.js';
import type { Store } from '../store/types.js';
import { type RunningApi, type StartApiOptions, startApi } from './server.js';

/** Lifetime of the admin token `landfall up` prints in paper mode. */
const BANNER_TOKEN_TTL_S = 12 * 3600;

export interface EmbeddedApiOptions extends StartApiOptions {
  config: Config;
  /** The HMAC secret was generated for this process (src/auth/dev-secret.ts). */
  generatedSecret: boolean;
  bus: TypedBus;
  store: Store;
  logger: Logger;
  sinkStats?: () => SinkStats;
}

/**
 * The API inside `landfall up`, and the banner lines that say how to reach it. In paper mode
 * with an HMAC secret the banner carries a ready admin token, so the dashboard and curl work at
 * once; in live mode tokens come from `landfall token` or the identity provider, never a log.
 */
export async function startEmbeddedApi(
  o: EmbeddedApiOptions,
): Promise<{ api: RunningApi; lines: string[] }> {
  const verifier = await createVerifier(o.config.auth);
  const api = await startApi(
    {
      config: o.config,
      bus: o.bus,
      verifier,
      store: o.store,
      logger: o.logger,
      ...(o.sinkStats ? { sinkStats: o.sinkStats } : {}),
    },
    o.extend ? { extend: o.extend } : {},
  );
  const keyLine = o.generatedSecret
    ? 'HS256, secret generated for this process (set LANDFALL_JWT_SECRET to keep tokens across restarts)'
    : verifier.describe;
  const lines = [
    `  api    ${api.url}/api  (openapi ${api.url}/api/openapi.json, metrics ${api.url}/metrics; auth ${keyLine})`,
  ];
  if (o.config.mode !== 'paper' || o.config.auth.hmacSecret === undefined) {
    lines.push(`  dashboard ${api.url}/`);
    return { api, lines };
  }
  const ttl = Math.min(BANNER_TOKEN_TTL_S, o.config.auth.maxTtlSeconds);
  let token: string;
  try {
    token = await mintToken(o.config.auth, {
      role: 'admin',
      subject: 'paper-admin',
      ttlSeconds: ttl,
    });
  } catch (err) {
    await api.stop();
    throw err;
  }
  // In the fragment, which browsers never send: the token stays out of access logs (web/src/session.ts).
  lines.push(
    `  dashboard ${api.url}/#token=${token}`,
    `  token  admin, ${(ttl / 3600).toFixed(ttl % 3600 === 0 ? 0 : 1)} h: ${token}`,
  );
  return { api, lines };
}
