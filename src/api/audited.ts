import type { AuditLedger, AuditResult } from '../audit/ledger.js';
import { type Principal, requireRole } from '../auth/verify.js';
import { isLandfallError, reasonOf } from '../errors.js';

export interface CommandOutcome<T> {
  readonly value: T;
  /** What was done, for the audit record (e.g. "job 7f3…", "command 1c2…"). */
  readonly detail: string;
}

export interface CommandContext {
  readonly ledger: AuditLedger;
  readonly caller: Principal;
  /** Dotted verb of the audit record, e.g. "training.start". */
  readonly action: string;
  readonly params: unknown;
  readonly requestId: string;
}

/**
 * Runs one control-plane command for an admin and writes exactly one audit record for it,
 * whatever happens: 'forbidden' when the caller is not admin (run is never called), 'rejected'
 * when run refuses the input (a 4xx LandfallError), 'error' when it fails otherwise, 'ok' when
 * it succeeds. The refusal or failure is rethrown for the caller to answer.
 */
export async function auditedCommand<T>(
  ctx: CommandContext,
  run: () => Promise<CommandOutcome<T>>,
): Promise<T> {
  const record = (result: AuditResult, detail: string) =>
    ctx.ledger.record({
      subject: ctx.caller.subject,
      role: ctx.caller.role,
      action: ctx.action,
      params: ctx.params,
      result,
      requestId: ctx.requestId,
      detail,
    });
  try {
    requireRole(ctx.caller, 'admin');
  } catch (err) {
    await record('forbidden', reasonOf(err));
    throw err;
  }
  let outcome: CommandOutcome<T>;
  try {
    outcome = await run();
  } catch (err) {
    const refused = isLandfallError(err) && err.status >= 400 && err.status < 500;
    // The command's own failure is the answer; a failing ledger must not replace it.
    await record(refused ? 'rejected' : 'error', reasonOf(err)).catch(() => undefined);
    throw err;
  }
  await record('ok', outcome.detail);
  return outcome.value;
}

/** Whether a refusal is worth an audit record of its own (see app.ts's error handler). */
export function auditResultFor(status: number): AuditResult {
  if (status === 403) return 'forbidden';
  return status >= 400 && status < 500 ? 'rejected' : 'error';
}
