import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLandfallError } from '../errors.js';
import { lockDataDirectory } from './embedded-lock.js';

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'lf-lock-'));
}

describe('embedded data directory lock', () => {
  it('refuses a directory held by another live process, naming it', () => {
    const root = dir();
    writeFileSync(join(root, 'landfall.lock'), String(process.ppid));
    let err: unknown;
    try {
      lockDataDirectory(root);
    } catch (e) {
      err = e;
    }
    expect(isLandfallError(err, 'LF_STORE_CONNECT')).toBe(true);
    expect((err as Error).message).toContain(`in use by process ${process.ppid}`);
  });

  it('takes over a lock left by a process that died', () => {
    const root = dir();
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(root, 'landfall.lock'), String(dead));
    const release = lockDataDirectory(root);
    expect(readFileSync(join(root, 'landfall.lock'), 'utf8')).toBe(String(process.pid));
    release();
    expect(existsSync(join(root, 'landfall.lock'))).toBe(false);
  });

  it('lets this process open a directory twice and keeps it locked until the last release', () => {
    const root = dir();
    const first = lockDataDirectory(root);
    const second = lockDataDirectory(root);
    first();
    first();
    expect(existsSync(join(root, 'landfall.lock'))).toBe(true);
    second();
    expect(existsSync(join(root, 'landfall.lock'))).toBe(false);
  });
});
