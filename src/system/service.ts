import type { Logger } from '../log.js';

/**
 * One part of the running system as the composition root holds it: a name for logs, banner
 * lines, and a stop that releases what it holds. Services stop in reverse start order, so a
 * producer stops before what stores its messages, and the store closes last.
 */
export interface Service {
  readonly name: string;
  readonly lines: readonly string[];
  stop(): Promise<void>;
}

/** Stops each service, last started first; a failure is logged and the rest still stop. */
export async function stopInReverse(services: readonly Service[], log: Logger): Promise<void> {
  for (const s of [...services].reverse()) {
    try {
      await s.stop();
    } catch (err) {
      log.error({ err, service: s.name }, 'service failed to stop cleanly');
    }
  }
}
