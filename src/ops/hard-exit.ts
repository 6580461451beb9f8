import koffi from 'koffi';

/**
 * Ends the process now with `code`, skipping C++ static destructors and atexit handlers.
 * `process.exit` runs them: with chDB's engine still inserting on its own threads (a stop that
 * outlasted its drain), destroying the engine's globals under them aborts, and a bounded stop
 * ended in SIGABRT instead of its exit code. Nothing is lost by skipping them: what was not
 * stored was not acknowledged, and the logger writes synchronously.
 */
let exit: ((code: number) => void) | null | undefined;

export function hardExit(code: number): never {
  if (exit === undefined) {
    try {
      exit = koffi.load('libc.so.6').func('void _exit(int status)') as (code: number) => void;
    } catch {
      exit = null;
    }
  }
  exit?.(code);
  process.exit(code);
}
