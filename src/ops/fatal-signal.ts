import { execFileSync } from 'node:child_process';
import { hash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import koffi from 'koffi';
import { reasonOf } from '../errors.js';
import type { Logger } from '../log.js';

/**
 * Makes a fatal signal (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT) end the process, with a last
 * pino-shaped log line naming it, instead of a hang. chDB installs ClickHouse's handlers when
 * its engine starts (at the first `Session`, verified by reading the handlers back); they park
 * the faulting thread, so a crash became a silent, live, SIGTERM-deaf process that no
 * supervisor restarts. Node cannot run JavaScript on a synchronous fault, so the handler is a
 * few lines of C (`native/fatal_signal.c`), compiled once per source version with `cc` and
 * loaded through koffi. The last installer wins: call `installFatalSignalHandler` after chDB
 * has started; a handler installed later still is replaced within a second. Without chDB it also replaces V8's WebAssembly trap handler on SIGSEGV, so an
 * out-of-bounds access in WebAssembly ends the process instead of throwing; chDB already did.
 */
interface Native {
  install: (prefix: string) => number;
  installed: () => number;
}

let native: Native | undefined;
let warned = false;

/** The C source beside this file in src/, or in src/ when running from dist/. */
function sourcePath(): string | undefined {
  for (const rel of ['./native/fatal_signal.c', '../../src/ops/native/fatal_signal.c']) {
    const url = new URL(rel, import.meta.url);
    if (existsSync(url)) return fileURLToPath(url);
  }
  return undefined;
}

/** Builds (or finds already built) the handler library in a per-user cache directory. */
function build(cc: string): string {
  const src = sourcePath();
  if (src === undefined) throw new Error('native/fatal_signal.c not found beside src/ops');
  const version = hash('sha256', readFileSync(src), 'hex').slice(0, 16);
  const uid = process.getuid?.() ?? 0;
  const dir = join(tmpdir(), `landfall-native-${uid}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Another user's directory of the same name could hold a library of their choosing.
  if (statSync(dir).uid !== uid) throw new Error(`${dir} belongs to another user`);
  const out = join(dir, `fatal_signal-${version}.so`);
  if (existsSync(out)) return out;
  const tmp = `${out}.${process.pid}.tmp`;
  execFileSync(cc, ['-O2', '-shared', '-fPIC', '-o', tmp, src], { stdio: 'pipe' });
  renameSync(tmp, out);
  return out;
}

function load(cc: string): Native {
  if (native !== undefined) return native;
  const lib = koffi.load(build(cc));
  native = {
    install: lib.func('int fatal_signal_install(const char *prefix)'),
    installed: lib.func('int fatal_signal_installed(void)'),
  };
  return native;
}

export interface FatalSignalOptions {
  /** The C compiler (default `cc`). */
  cc?: string;
}

/** How often a replaced handler is noticed and put back. */
const REASSERT_MS = 1000;
let reassert: NodeJS.Timeout | undefined;

/**
 * Installs (again) the fatal-signal handler; the log line carries the logger's name and pid.
 * Returns false, after one warning per process, when it cannot be built (no C compiler):
 * the process then runs as before, and a fatal signal may hang it where chDB is loaded.
 */
export function installFatalSignalHandler(log: Logger, options: FatalSignalOptions = {}): boolean {
  try {
    const lib = load(options.cc ?? 'cc');
    const name = (log.bindings() as { name?: unknown }).name;
    // A JSON object without its closing brace: the handler appends time, signal and msg.
    const prefix = JSON.stringify({
      level: 60,
      pid: process.pid,
      ...(typeof name === 'string' ? { name } : {}),
    }).slice(0, -1);
    if (lib.install(prefix) !== 0) throw new Error('sigaction failed');
    // A library loaded later (chDB in a command that opens the store after this call) may
    // install its own handlers again: put ours back within a second, and say so once.
    clearInterval(reassert);
    let noticed = false;
    reassert = setInterval(() => {
      if (lib.installed() === 1) return;
      lib.install(prefix);
      if (!noticed) log.info('fatal-signal handler reinstalled over one installed after it');
      noticed = true;
    }, REASSERT_MS);
    reassert.unref();
    return true;
  } catch (err) {
    if (!warned) {
      warned = true;
      log.warn(
        { reason: reasonOf(err) },
        'fatal-signal handler not installed (install build-essential for `cc`): a crash in ' +
          'native code may leave this process hung instead of exiting',
      );
    }
    return false;
  }
}

/** True while this process's fatal signals all go to the handler (tests, diagnostics). */
export function fatalSignalHandlerActive(): boolean {
  return native !== undefined && native.installed() === 1;
}
