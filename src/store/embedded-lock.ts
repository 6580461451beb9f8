import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import koffi from 'koffi';
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

const LOCK_EX = 2;
const LOCK_NB = 4;
const GUARD_WAIT_MS = 5_000;

let flock: ((fd: number, op: number) => number) | undefined;

function libcFlock(): (fd: number, op: number) => number {
  if (flock) return flock;
  const lib = koffi.load(process.platform === 'darwin' ? 'libSystem.B.dylib' : 'libc.so.6');
  flock = lib.func('int flock(int fd, int op)') as (fd: number, op: number) => number;
  return flock;
}

/**
 * Runs `body` holding an exclusive flock on `<root>/landfall.lock.guard`, so reading the lock
 * file, judging its holder dead and writing ours is one step: two processes finding the same
 * stale lock cannot both take it over (read-then-write did, 1 in 15 synchronised trials). The
 * kernel drops a flock when its holder dies, so the guard itself never goes stale; the guard
 * file is never removed (removing it would let two processes lock two different inodes).
 */
function guarded<T>(root: string, body: () => T): T {
  const fd = openSync(join(root, 'landfall.lock.guard'), 'a');
  try {
    const lock = libcFlock();
    const deadline = Date.now() + GUARD_WAIT_MS;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    while (lock(fd, LOCK_EX | LOCK_NB) !== 0) {
      // Held for microseconds by a live locker; a holder stopped (SIGSTOP) must not hang us.
      if (Date.now() > deadline) {
        throw new LandfallError(
          'LF_STORE_CONNECT',
          `the lock guard ${join(root, 'landfall.lock.guard')} stayed held for ${GUARD_WAIT_MS} ms ` +
            `(errno ${koffi.errno()}): a process opening this directory is stuck; stop it, or ` +
            'use another store.path',
        );
      }
      Atomics.wait(pause, 0, 0, 1);
    }
    return body();
  } finally {
    closeSync(fd); // releases the flock
  }
}

/**
 * Claims a chDB data directory for this process. chDB itself does not stop a second process
 * from opening the same directory, and two engines writing one directory corrupt it. A lock
 * left by a process that died (killed, crashed) is taken over, by exactly one contender.
 * Returns the release function.
 */
export function lockDataDirectory(root: string): () => void {
  const file = join(root, 'landfall.lock');
  if (!held.has(root)) {
    guarded(root, () => {
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
    });
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
    guarded(root, () => {
      // Ours unless a process took it over believing us dead (a reused pid): leave theirs.
      let holder = Number.NaN;
      try {
        holder = Number(readFileSync(file, 'utf8'));
      } catch {}
      if (holder === process.pid) rmSync(file, { force: true });
    });
  };
}
