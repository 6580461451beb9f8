import { performance } from 'node:perf_hooks';
import koffi from 'koffi';
import { reasonOf } from '../errors.js';
import type { Logger } from '../log.js';

/**
 * Hands memory the process has freed back to the kernel. glibc's allocator keeps freed pages
 * in its arenas for reuse, and chDB's query threads (one arena each, up to 8 per core) leave
 * many partly empty: after a burst RSS stays near its peak although nothing holds the memory
 * (the soak measured a third of a burst's growth given back by one call). `malloc_trim(0)`
 * returns every whole free page of every arena; it is called from the main thread on a timer,
 * off the agents' decision path. Where libc is not glibc (musl) there is nothing to call.
 */
type Trim = (pad: number) => number;

let trim: Trim | null | undefined;

function glibcTrim(): Trim | null {
  if (trim !== undefined) return trim;
  try {
    trim = koffi.load('libc.so.6').func('int malloc_trim(size_t pad)') as Trim;
  } catch {
    trim = null;
  }
  return trim;
}

export interface MemoryReturnStats {
  /** Calls made, and the last one's duration (it walks every arena under its lock). */
  readonly calls: number;
  readonly lastMs: number;
}

/** Trims once; false where there is no glibc. */
export function returnFreedMemory(): boolean {
  const f = glibcTrim();
  if (f === null) return false;
  f(0);
  return true;
}

/**
 * Trims every `intervalMs` (0: never) until the returned stop function is called. The timer
 * does not keep the process alive.
 */
export function startMemoryReturn(
  intervalMs: number,
  log: Logger,
): { stop: () => void; stats: () => MemoryReturnStats } {
  let calls = 0;
  let lastMs = 0;
  const stats = () => ({ calls, lastMs });
  if (intervalMs <= 0) return { stop: () => undefined, stats };
  if (glibcTrim() === null) {
    log.info('memory return off: this libc has no malloc_trim');
    return { stop: () => undefined, stats };
  }
  const timer = setInterval(() => {
    const t0 = performance.now();
    try {
      returnFreedMemory();
    } catch (err) {
      log.warn({ reason: reasonOf(err) }, 'malloc_trim failed');
    }
    calls++;
    lastMs = performance.now() - t0;
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), stats };
}
