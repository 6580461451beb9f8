import { describe, expect, it } from 'vitest';
import { runReferenceSearcher } from './reference-run.js';
import { DEFAULT_REFERENCE } from './reference-searcher.js';
import { landedRate, rivalShare } from './stats.js';

describe('competition regimes', () => {
  it('a fixed policy lands far less, and rivals take more, when the regime turns hyper-competitive', async () => {
    const { stats } = await runReferenceSearcher({
      minutes: 24,
      config: {
        seed: 8,
        rivals: {
          switching: {
            mode: 'schedule',
            schedule: [
              { regime: 'calm', minutes: 6 },
              { regime: 'hyper', minutes: 6 },
            ],
          },
        },
      },
      policy: { ...DEFAULT_REFERENCE, route: 'jito', tipShare: 0.5 },
    });
    const calm = stats.regimes.calm;
    const hyper = stats.regimes.hyper;
    if (calm === undefined || hyper === undefined) throw new Error('default regimes missing');
    expect(calm.ms).toBeCloseTo(12 * 60_000, -3);
    expect(hyper.ms).toBeCloseTo(12 * 60_000, -3);
    expect(calm.agent.submissions).toBeGreaterThan(40);
    expect(hyper.agent.submissions).toBeGreaterThan(40);
    // The same policy, the same market process: only the rivals changed.
    expect(landedRate(calm.agent)).toBeGreaterThan(landedRate(hyper.agent) + 0.25);
    expect(rivalShare(hyper.opportunities)).toBeGreaterThan(rivalShare(calm.opportunities) + 0.25);
    expect(calm.agent.profitLamports).toBeGreaterThan(hyper.agent.profitLamports);
  });

  it('a Markov switching run visits several regimes', async () => {
    const { stats } = await runReferenceSearcher({
      minutes: 60,
      config: {
        seed: 1,
        rivals: { switching: { mode: 'markov', meanDwellMinutes: 5, initial: 'calm' } },
      },
    });
    const visited = Object.values(stats.regimes).filter((r) => r.ms > 0);
    expect(visited.length).toBe(3);
    const total = Object.values(stats.regimes).reduce((s, r) => s + r.ms, 0);
    expect(total).toBeCloseTo(60 * 60_000, -1);
  });
});
