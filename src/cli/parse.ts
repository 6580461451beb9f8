import { LandfallError } from '../errors.js';

/** A duration option in seconds; zero only where it means "never" (e.g. --stats-every 0). */
export function parseSeconds(flag: string, value: string, options: { allowZero?: boolean } = {}) {
  const n = Number(value);
  const allowZero = options.allowZero ?? false;
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !allowZero)) {
    const bound = allowZero ? '>= 0' : '> 0';
    throw new LandfallError('LF_CLI_USAGE', `${flag} expects seconds ${bound}, got "${value}"`);
  }
  return n;
}
