import { type Logger, pino } from 'pino';

export type { Logger };

/** Structured JSON logs on stderr, so stdout stays free for command output. */
export function createLogger(level: string, name = 'landfall'): Logger {
  return pino({ name, level, base: { pid: process.pid } }, pino.destination(2));
}
