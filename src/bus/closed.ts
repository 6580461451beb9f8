import { LandfallError } from '../errors.js';

/** Every adapter refuses work once closed, with the same code and message. */
export function assertOpen(closed: boolean, action: 'publish to' | 'subscribe to', topic: string) {
  if (closed) throw new LandfallError('LF_BUS_CLOSED', `bus is closed; cannot ${action} ${topic}`);
}
