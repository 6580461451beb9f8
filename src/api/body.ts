import type { z } from 'zod';
import { LandfallError } from '../errors.js';

/** A 400 for a request body, naming the field at fault so a client can fix exactly that. */
export class InvalidBodyError extends LandfallError {
  readonly field: string;

  constructor(field: string, problem: string, where = 'body') {
    super('LF_API_INVALID_BODY', `invalid ${where}: ${field}: ${problem}`);
    this.field = field;
  }
}

/** Parses `body` (or a query, or path parameters) with `schema`, or throws InvalidBodyError for the first issue. */
export function parseBody<S extends z.ZodType>(
  schema: S,
  body: unknown,
  where: 'body' | 'query' | 'path' = 'body',
): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue === undefined) throw new InvalidBodyError(`(${where})`, 'invalid', where);
  throw new InvalidBodyError(fieldOf(issue, where), problemOf(issue), where);
}

function fieldOf(issue: z.core.$ZodIssue, where: string): string {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    return path === '' ? key : `${path}.${key}`;
  }
  return path === '' ? `(${where})` : path;
}

function problemOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return 'unknown field';
  if (issue.code === 'invalid_value' && issue.values.length > 0)
    return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join('|')}`;
  return issue.message;
}
