import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * CPU seconds (user + system) another process has used, from /proc/<pid>/stat; undefined where
 * there is no such file (not Linux, or the process is gone). Fields 14 and 15 count clock ticks,
 * 100 a second on Linux's default USER_HZ.
 */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** This process's CPU seconds, every thread (the engine's and libuv's included). */
export function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** This thread's CPU seconds (the event loop alone). */
export function threadCpuSeconds(): number {
  const u = process.threadCpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * The rate this machine's cores could carry at `cpuSecondsPerItem`, were every core busy with
 * nothing else: what a throughput target is up against, whatever the code's scheduling.
 */
export function cpuBoundRate(cpuSecondsPerItem: number): number {
  return availableParallelism() / cpuSecondsPerItem;
}
