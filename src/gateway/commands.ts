import { randomUUID } from 'node:crypto';
import { actionName, type ControlDeps, issueControl } from '../api/control.js';
import { jsonDepth } from '../api/json-limits.js';
import type { WriteBudget } from '../api/write-budget.js';
import type { Principal } from '../auth/verify.js';
import { isLandfallError, LandfallError, reasonOf } from '../errors.js';
import type { Logger } from '../log.js';

/**
 * What a client may send: JSON text frames. Today one kind, a control command:
 *
 *   {"type":"control","id":"c1","action":"kill","module":"arb","reason":"…"}
 *
 * `id` (optional, ≤ 64 chars) is echoed in the reply; every other field is the REST body of
 * `POST /api/control` and goes through the same `issueControl` (admin only, validated, audited).
 * Replies are JSON text frames, never Envelopes:
 *
 *   {"type":"control-result","id":"c1","ok":true,"commandId":"…"}
 *   {"type":"error","id":"c1","code":"LF_AUTH_FORBIDDEN","message":"…","field":"…"}
 */
export type ClientReply =
  | { type: 'control-result'; id: string | null; ok: true; commandId: string }
  | { type: 'error'; id: string | null; code: string; message: string; field?: string };

export interface CommandDeps {
  readonly control: ControlDeps;
  readonly log: Logger;
  /**
   * The API's per-token write budget, shared with REST when the gateway runs on the API's server
   * (api/write-budget.ts); without one (a gateway of its own) commands are not rate limited.
   */
  readonly budget?: WriteBudget;
  /** Deepest JSON nesting of a message (api.bodyMaxDepth); deeper is refused unparsed. */
  readonly maxDepth?: number;
}

/** api.bodyMaxDepth's default, for a gateway that runs without the API. */
const DEFAULT_MAX_DEPTH = 32;

/** Handles one message from a client and resolves the reply to send back. */
export async function handleClientMessage(
  deps: CommandDeps,
  principal: Principal,
  data: Uint8Array | string,
  isBinary: boolean,
): Promise<ClientReply> {
  if (isBinary)
    return errorReply(
      null,
      new LandfallError(
        'LF_GATEWAY_BAD_MESSAGE',
        'not a JSON message: binary frames are not accepted; send a JSON text frame',
      ),
    );
  let parsed: unknown;
  try {
    const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
    const maxDepth = deps.maxDepth ?? DEFAULT_MAX_DEPTH;
    if (jsonDepth(text, maxDepth) > maxDepth)
      return errorReply(
        null,
        new LandfallError(
          'LF_GATEWAY_BAD_MESSAGE',
          `message nested deeper than ${maxDepth} levels (api.bodyMaxDepth); send a flatter message`,
        ),
      );
    parsed = JSON.parse(text);
  } catch (err) {
    return errorReply(
      null,
      new LandfallError('LF_GATEWAY_BAD_MESSAGE', `not a JSON message: ${reasonOf(err)}`),
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return errorReply(
      null,
      new LandfallError('LF_GATEWAY_BAD_MESSAGE', 'message must be a JSON object'),
    );
  const { type, id, ...body } = parsed as Record<string, unknown>;
  const replyId = typeof id === 'string' && id.length <= 64 ? id : null;
  if (type !== 'control')
    return errorReply(
      replyId,
      new LandfallError(
        'LF_GATEWAY_BAD_MESSAGE',
        `type: expected "control", got ${JSON.stringify(type ?? null)}`,
      ),
    );
  const requestId = `ws-${randomUUID()}`;
  try {
    // Counted before the role check, as REST counts before its handler: a viewer's refused
    // commands spend the same budget, so they cannot flood the audit either.
    deps.budget?.take(principal, actionName(body), requestId);
    const command = await issueControl(deps.control, principal, body, requestId);
    deps.log.info(
      { subject: principal.subject, commandId: command.commandId, requestId },
      'control command over the gateway',
    );
    return { type: 'control-result', id: replyId, ok: true, commandId: command.commandId };
  } catch (err) {
    if (!isLandfallError(err) || err.status >= 500)
      deps.log.error({ err, requestId }, 'control command over the gateway failed');
    return errorReply(replyId, err);
  }
}

function errorReply(id: string | null, err: unknown): ClientReply {
  if (!isLandfallError(err))
    return { type: 'error', id, code: 'LF_INTERNAL', message: 'internal error' };
  const field = (err as { field?: unknown }).field;
  return {
    type: 'error',
    id,
    code: err.code,
    message: err.message,
    ...(typeof field === 'string' ? { field } : {}),
  };
}
