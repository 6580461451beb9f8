import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireRole } from '../../auth/verify.js';
import { LandfallError } from '../../errors.js';
import type { Store } from '../../store/types.js';
import type { ApiContext } from '../app.js';
import { parseBody } from '../body.js';
import { principalOf } from '../request-context.js';
import { readRoute } from './options.js';

/** `before` is a page cursor (`<ms>~<auditId>`, as `next` returns) or a time in ms. */
const CURSOR = /^(\d{1,15})(?:~([\x21-\x7e]{1,128}))?$/;

interface AuditRow {
  audit_id: string;
  ts_ms: string;
  subject: string;
  role: string;
  action: string;
  params_json: string;
  result: string;
  request_id: string;
  detail: string;
}

export function registerAudit(app: FastifyInstance, ctx: ApiContext): void {
  const query = z.object({
    limit: z.coerce.number().int().min(1).max(ctx.config.api.auditPageMax).default(100),
    before: z.string().regex(CURSOR, 'expected a time in ms or the `next` cursor').optional(),
    subject: z.string().min(1).max(256).optional(),
    action: z.string().min(1).max(128).optional(),
  });

  // Admin only: the ledger shows who did what, including refused attempts.
  app.get('/api/audit', readRoute(), async (request) => {
    requireRole(principalOf(request), 'admin');
    const q = parseBody(query, request.query, 'query');
    const store = ctx.store;
    if (!store)
      throw new LandfallError(
        'LF_STORE_UNAVAILABLE',
        'no store in this process: the audit log lives in ClickHouse (audit_log)',
      );
    const rows = await page(store, q);
    const last = rows.at(-1);
    return {
      records: rows.map((r) => ({
        auditId: r.audit_id,
        tsMs: Number(r.ts_ms),
        subject: r.subject,
        role: r.role,
        action: r.action,
        params: parseJson(r.params_json),
        result: r.result,
        requestId: r.request_id,
        detail: r.detail,
      })),
      next: rows.length === q.limit && last ? `${last.ts_ms}~${last.audit_id}` : null,
    };
  });
}

async function page(
  store: Store,
  q: {
    limit: number;
    before?: string | undefined;
    subject?: string | undefined;
    action?: string | undefined;
  },
): Promise<AuditRow[]> {
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: q.limit };
  const cursor = q.before === undefined ? undefined : CURSOR.exec(q.before);
  if (cursor) {
    // Ties on the millisecond are broken by audit id, so no record falls between two pages.
    where.push('(toUnixTimestamp64Milli(dt), audit_id) < ({beforeMs:Int64}, {beforeId:String})');
    params.beforeMs = cursor[1];
    params.beforeId = cursor[2] ?? '';
  }
  if (q.subject !== undefined) {
    where.push('subject = {subject:String}');
    params.subject = q.subject;
  }
  if (q.action !== undefined) {
    where.push('action = {action:String}');
    params.action = q.action;
  }
  return store.query<AuditRow>(
    `SELECT audit_id, toString(toUnixTimestamp64Milli(dt)) AS ts_ms, subject, role, action,
            params_json, result, request_id, detail
     FROM ${store.database}.audit_log FINAL
     ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY dt DESC, audit_id DESC LIMIT {limit:UInt32}`,
    params,
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
