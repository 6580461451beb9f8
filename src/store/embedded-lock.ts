import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LandfallError } from '../errors.js';

/** Opens of each directory by this process (chDB lets one process open a path several times). */
const held = new Map<string, number>();

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Another live process holds the directory. Its own class, so a caller can go to that process
 * instead (`landfall train` reaches a running `landfall up` through its API).
 */
export class DirectoryInUseError extends LandfallError {
  constructor(
    readonly root: string,
    readonly holder: number,
  ) {
    super(
      'LF_STORE_CONNECT',
      `the embedded ClickHouse directory ${root} is in use by process ${holder}; chDB serves one ` +
        'process per directory: stop that process, or use a ClickHouse server (store.kind: server)',
    );
  }
}

/**
 * Claims a chDB data directory for this process. chDB itself does not stop a second process
 * from opening the same directory, and two engines writing one directory corrupt it. A lock
 * left by a process that died (killed, crashed) is taken over. Returns the release function.
 */
export function lockDataDirectory(root: string): () => void {
  const file = join(root, 'landfall.lock');
  if (!held.has(root)) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(file, 'utf8'));
      if (holder !== process.pid && alive(holder)) {
        throw new DirectoryInUseError(root, holder);
      }
      writeFileSync(file, String(process.pid));
    }
  }
  held.set(root, (held.get(root) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (held.get(root) ?? 1) - 1;
    if (left > 0) {
      held.set(root, left);
      return;
    }
    held.delete(root);
    rmSync(file, { force: true });
  };
}
