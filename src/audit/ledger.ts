import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import type { TopicMessage } from '../bus/topics.js';
import type { TypedBus } from '../bus/typed.js';
import { type AuditRecord, AuditRecordSchema } from '../gen/landfall/v1/audit_pb.js';
import { type SinkTable, sinkTables } from '../store/rows.js';
import type { Store } from '../store/types.js';

/** What became of a command: done, refused as invalid, refused for the caller's role, or failed. */
export type AuditResult = 'ok' | 'rejected' | 'forbidden' | 'error';

export interface AuditEntry {
  /** JWT subject of the caller, or the service name ("guard") for automatic actions. */
  readonly subject: string;
  readonly role: string;
  /** Dotted verb, e.g. "training.start", "control.kill", "model.rollback". */
  readonly action: string;
  readonly params: unknown;
  readonly result: AuditResult;
  readonly requestId?: string;
  readonly detail?: string;
}

/**
 * The audit ledger: one AuditRecord per control-plane command on `audit-proto`, which the sink
 * stores in `audit_log`. Every path that changes behaviour (REST, WebSocket, guard, CLI) writes
 * through here, so the record's shape is the same whoever acted.
 */
export class AuditLedger {
  /**
   * @param store When given, each record is inserted into `audit_log` before it is published and
   * before `record` resolves: with an in-process bus (embedded mode) the bus is memory only, so
   * this is what makes an answered command survive a crash. The sink's copy dedupes on the id.
   */
  constructor(
    private readonly bus: TypedBus,
    private readonly now: () => number = Date.now,
    readonly store?: Store,
  ) {}

  async record(entry: AuditEntry): Promise<AuditRecord> {
    const record = create(AuditRecordSchema, {
      auditId: randomUUID(),
      tsMs: BigInt(this.now()),
      subject: entry.subject,
      role: entry.role,
      action: entry.action,
      paramsJson: paramsJson(entry.params),
      result: entry.result,
      requestId: entry.requestId ?? '',
      detail: entry.detail ?? '',
    });
    if (this.store) await storeRow(this.store, 'audit-proto', record);
    await this.bus.publish('audit-proto', record);
    return record;
  }
}

/** Limits of the parameters kept in a record: a summary of what was sent, never all of it. */
const MAX_PARAMS_DEPTH = 8;
const MAX_PARAMS_ENTRIES = 50;
const MAX_STRING_CHARS = 1000;
const MAX_PARAMS_CHARS = 4096;

/**
 * JSON of the parameters, bounded: nesting below MAX_PARAMS_DEPTH becomes "…", long strings and
 * collections are cut, and text over MAX_PARAMS_CHARS is kept as its head. The walk stops at a
 * fixed depth, so no body (however deep) can overflow the stack here. bigint becomes a string.
 */
export function paramsJson(params: unknown): string {
  const text = JSON.stringify(summarise(params ?? {}, 0)) ?? 'null';
  if (text.length <= MAX_PARAMS_CHARS) return text;
  return JSON.stringify({
    truncated: true,
    chars: text.length,
    head: text.slice(0, MAX_PARAMS_CHARS),
  });
}

function summarise(v: unknown, depth: number): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string')
    return v.length > MAX_STRING_CHARS ? `${v.slice(0, MAX_STRING_CHARS)}…(${v.length} chars)` : v;
  if (v === null || typeof v !== 'object') return v;
  if (depth >= MAX_PARAMS_DEPTH) return '…';
  if (Array.isArray(v)) {
    const kept = v.slice(0, MAX_PARAMS_ENTRIES).map((x) => summarise(x, depth + 1));
    return v.length > MAX_PARAMS_ENTRIES ? [...kept, `…(${v.length} items)`] : kept;
  }
  const entries = Object.entries(v as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  for (const [k, x] of entries.slice(0, MAX_PARAMS_ENTRIES)) out[k] = summarise(x, depth + 1);
  if (entries.length > MAX_PARAMS_ENTRIES) out['…'] = `${entries.length} fields`;
  return out;
}

/** Writes one message's row straight into its table, as the sink would (src/store/rows.ts). */
export async function storeRow<T extends 'audit-proto' | 'control-proto'>(
  store: Store,
  topic: T,
  message: TopicMessage<T>,
): Promise<void> {
  const table = sinkTables.find((t) => t.topic === topic) as SinkTable<T> | undefined;
  if (table === undefined) throw new Error(`no sink table for ${topic}`);
  await store.insert(table.table, [table.toRow(message, Date.now())]);
}
