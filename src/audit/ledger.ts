import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import type { TypedBus } from '../bus/typed.js';
import { type AuditRecord, AuditRecordSchema } from '../gen/landfall/v1/audit_pb.js';

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
  constructor(
    private readonly bus: TypedBus,
    private readonly now: () => number = Date.now,
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
    await this.bus.publish('audit-proto', record);
    return record;
  }
}

/** JSON of the parameters; bigint becomes a string so protobuf-shaped bodies serialise. */
function paramsJson(params: unknown): string {
  return JSON.stringify(params ?? {}, (_k, v: unknown) =>
    typeof v === 'bigint' ? v.toString() : v,
  );
}
