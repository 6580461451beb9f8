import { writeSync } from 'node:fs';
import type { Logger } from '../log.js';
import { hardExit } from '../ops/hard-exit.js';

/** Resolves on the next SIGINT or SIGTERM. */
export function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/**
 * Resolves on the next SIGINT or SIGTERM, or with 'timer' once `seconds` have passed (a
 * command's `--for`) when given. The timer does not keep the process alive by itself.
 */
export function nextSignalOrTimer(seconds: number | undefined): Promise<NodeJS.Signals | 'timer'> {
  if (seconds === undefined) return nextSignal();
  const timer = new Promise<'timer'>((resolve) => {
    setTimeout(() => resolve('timer'), seconds * 1000).unref();
  });
  return Promise.race([nextSignal(), timer]);
}

/**
 * Bounds a graceful stop: a second signal or a stop that outlasts `timeoutS` exits with code 1.
 * What was not stored was not acknowledged either, so a durable bus redelivers it.
 */
export function boundStop(log: Logger, what: string, timeoutS: number): () => void {
  const abandon = (why: string) => {
    // The last line is written synchronously, as the fatal-signal handler writes its own: the
    // logger's stream writes asynchronously, and nothing runs after the exit below.
    const line = {
      level: 50,
      time: Date.now(),
      pid: process.pid,
      ...log.bindings(),
      why,
      msg: `${what} stopping without a full drain; unacknowledged messages will be redelivered`,
    };
    writeSync(2, `${JSON.stringify(line)}\n`);
    hardExit(1);
  };

  const impatient = () => abandon('second signal while draining');
  process.once('SIGINT', impatient).once('SIGTERM', impatient);
  const timer = setTimeout(() => abandon(`drain took longer than ${timeoutS} s`), timeoutS * 1000);
  return () => {
    clearTimeout(timer);
    process.off('SIGINT', impatient).off('SIGTERM', impatient);
  };
}
