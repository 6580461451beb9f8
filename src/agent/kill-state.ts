import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { LandfallError, reasonOf } from '../errors.js';
import type { Module } from '../market/types.js';

/** Who killed a module, and why: what an agent started later needs to stay killed. */
export interface KillRecord {
  readonly commandId: string;
  readonly issuer: string;
  /** "operator" or "guard". */
  readonly source: string;
  readonly reason: string;
  readonly tsMs: number;
}

/**
 * The kill switch's memory: `<home>/control/<module>.json` exists while the module is killed.
 * Written to a temporary file and renamed over, so a crash mid-write leaves the old state or
 * the new one, never half a file; a resume removes it. Every agent of the module on this host
 * reads it at start, so an agent started while killed stays killed until resumed.
 */
export class KillState {
  readonly path: string;

  constructor(home: string, module: Module) {
    this.path = resolve(join(home, 'control', `${module}.json`));
  }

  /** The kill in force, or undefined; a file that is not a kill record is an error, not "running". */
  read(): KillRecord | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new LandfallError(
        'LF_CONTROL_STATE_INVALID',
        `cannot read ${this.path}: ${reasonOf(err)}`,
        {
          cause: err,
        },
      );
    }
    return parseKill(text, this.path);
  }

  write(record: KillRecord): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`);
    renameSync(tmp, this.path);
  }

  clear(): void {
    rmSync(this.path, { force: true });
  }
}

function parseKill(text: string, path: string): KillRecord {
  const fail = (why: string) =>
    new LandfallError(
      'LF_CONTROL_STATE_INVALID',
      `${path}: ${why}; resume the module through the API, or delete the file to start running`,
    );
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw fail(`not JSON (${reasonOf(err)})`);
  }
  if (typeof raw !== 'object' || raw === null) throw fail('expected an object');
  const r = raw as Record<string, unknown>;
  for (const field of ['commandId', 'issuer', 'source', 'reason'] as const) {
    if (typeof r[field] !== 'string') throw fail(`${field}: expected a string`);
  }
  if (typeof r.tsMs !== 'number' || !Number.isFinite(r.tsMs)) throw fail('tsMs: expected a number');
  return {
    commandId: r.commandId as string,
    issuer: r.issuer as string,
    source: r.source as string,
    reason: r.reason as string,
    tsMs: r.tsMs,
  };
}
