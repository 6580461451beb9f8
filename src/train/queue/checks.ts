import { LandfallError } from '../../errors.js';

/**
 * The checks both adapters make on what a caller hands them, so that the embedded queue refuses
 * exactly what production would: BullMQ rejects integer-like ids and ids with `:` itself, deep
 * inside an add, with a message that names neither the queue nor the field.
 */
export const MAX_JOB_ID_LENGTH = 256;

export function checkJobId(queue: string, id: unknown): string {
  const problem =
    typeof id !== 'string'
      ? `expected a string, got ${typeof id}`
      : id.length === 0 || id.length > MAX_JOB_ID_LENGTH
        ? `expected 1–${MAX_JOB_ID_LENGTH} characters, got ${id.length}`
        : id.includes(':')
          ? `"${id}" contains ":" (reserved by BullMQ for its own keys)`
          : String(Number.parseInt(id, 10)) === id
            ? `"${id}" is an integer (BullMQ keeps integer ids for its own counter); prefix it`
            : undefined;
  if (problem !== undefined)
    throw new LandfallError('LF_QUEUE_INVALID', `queue ${queue}: job id: ${problem}`);
  return id as string;
}

/** The data as JSON, the form both adapters store; refuses what JSON cannot carry. */
export function serialiseData(queue: string, id: string, data: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch (cause) {
    throw new LandfallError(
      'LF_QUEUE_INVALID',
      `queue ${queue}: job ${id}: data is not JSON-serialisable`,
      { cause },
    );
  }
  if (json === undefined)
    throw new LandfallError(
      'LF_QUEUE_INVALID',
      `queue ${queue}: job ${id}: data is not JSON-serialisable (got ${typeof data})`,
    );
  return json;
}

export function checkProgress(queue: string, id: string, fraction: unknown): number {
  if (typeof fraction !== 'number' || !Number.isFinite(fraction) || fraction < 0 || fraction > 1)
    throw new LandfallError(
      'LF_QUEUE_INVALID',
      `queue ${queue}: job ${id}: progress: expected a fraction between 0 and 1, got ${String(fraction)}`,
    );
  return fraction;
}

/** Wait before the run after failed `attempt` (1-based): BullMQ's exponential backoff. */
export function backoffDelay(backoffMs: number, attempt: number): number {
  return backoffMs * 2 ** (attempt - 1);
}

/** Events are the caller's code: one that throws must not take the queue's bookkeeping with it. */
export function callSafely(fn: () => void, onError: (err: unknown) => void): void {
  try {
    fn();
  } catch (err) {
    onError(err);
  }
}
