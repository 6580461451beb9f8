import type { Clock } from './types.js';

/** Wall time, for live sources: `Date.now()` and Node timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  schedule(delayMs, fn) {
    const timer = setTimeout(fn, Math.max(0, delayMs));
    return () => clearTimeout(timer);
  },
};
