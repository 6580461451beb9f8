import { describe, expect, it } from 'vitest';
import { isLandfallError } from '../errors.js';
import { marketModeOf } from './consent.js';

describe('live-mode consent', () => {
  it('needs both mode: live and --live; --dry-run only with --live', () => {
    expect(marketModeOf('paper', {})).toBe('paper');
    expect(marketModeOf('live', { live: true })).toBe('live');
    expect(marketModeOf('live', { live: true, dryRun: true })).toBe('dry-run');
    const refused: Array<['paper' | 'live', { live?: boolean; dryRun?: boolean }, RegExp]> = [
      ['live', {}, /pass --live to confirm/],
      ['paper', { live: true }, /config says mode: paper/],
      ['paper', { dryRun: true }, /pass --live --dry-run/],
      ['live', { dryRun: true }, /pass --live --dry-run/],
    ];
    for (const [mode, flags, why] of refused) {
      let caught: unknown;
      try {
        marketModeOf(mode, flags);
      } catch (err) {
        caught = err;
      }
      expect(isLandfallError(caught, 'LF_LIVE_CONSENT'), `${mode} ${JSON.stringify(flags)}`).toBe(
        true,
      );
      expect((caught as Error).message).toMatch(why);
    }
  });
});
