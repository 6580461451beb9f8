import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

/** Where `npm run build:web` writes the dashboard (the same from src/ and from dist/). */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../dist/web/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

// Styles set by uPlot and Preact go through the CSSOM or style attributes, hence 'unsafe-inline'
// for styles only; scripts come from this origin alone.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'";

/** Paths the dashboard never answers, so the API's own 404s stay intact. */
const NOT_OURS = ['/api/', '/metrics', '/openapi.json'];

/**
 * Serves the built dashboard at `/` on a Fastify instance: hashed assets with a long cache,
 * `index.html` for every other GET path (the dashboard routes itself). Requests under the API's
 * prefixes fall through to Fastify's not-found handling.
 */
export function serveDashboard(app: FastifyInstance, webDir: string): { ok: boolean; dir: string } {
  const root = resolve(webDir);
  const index = join(root, 'index.html');
  const ok = existsSync(index);
  app.get('/*', async (request, reply) => {
    const path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    if (NOT_OURS.some((p) => path === p || path.startsWith(p))) return reply.callNotFound();
    if (!existsSync(index))
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send(`dashboard not built: run npm run build:web (looked in ${root})`);
    const file = resolve(root, `.${path}`);
    const inside = file === root || file.startsWith(root + sep);
    const isFile = inside && (await stat(file).catch(() => undefined))?.isFile() === true;
    const target = isFile ? file : index;
    const type = TYPES[extname(target)] ?? 'application/octet-stream';
    reply.type(type).header('X-Content-Type-Options', 'nosniff');
    if (target === index)
      reply.header('Cache-Control', 'no-cache').header('Content-Security-Policy', CSP);
    else if (path.startsWith('/assets/'))
      reply.header('Cache-Control', 'public, max-age=31536000, immutable');
    return reply.send(await readFile(target));
  });
  return { ok, dir: root };
}
