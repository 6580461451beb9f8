import { describe, expect, it } from 'vitest';
import type { SubmissionOutcome } from '../market/types.js';
import { createSimMarket } from '../sim/index.js';
import { createAgent } from './assemble.js';
import { agentConfigSchema, DEFAULT_AGENT_SETTINGS, paperExplorationOf } from './config.js';
import type { DecisionRecord } from './engine.js';
import type { JointPolicy } from './joint-policy.js';

async function run(paperExploration: number) {
  const market = createSimMarket({ config: { seed: 6 }, pace: 'virtual', durationMs: 10 * 60_000 });
  const records: DecisionRecord[] = [];
  const outcomes = new Map<string, SubmissionOutcome>();
  const engine = createAgent({
    market,
    agentId: 'arb',
    module: 'arb',
    policy: { kind: 'landfall' },
    // A high score gate, so many opportunities would be skipped.
    settings: { ...DEFAULT_AGENT_SETTINGS, minScore: 0.8 },
    paperExploration,
    observers: [
      {
        onDecision: (r) => void records.push(r),
        onOutcome: (o) => void outcomes.set(o.submissionId, o),
      },
    ],
  });
  await market.simulator.run((e) => engine.handle(e));
  return {
    records,
    outcomes,
    joint: engine.options.joint as JointPolicy,
    minTip: BigInt(market.minTipLamports),
  };
}

describe('paper exploration', () => {
  it('sends its share of would-be-skipped opportunities at the minimum tip, flagged, and learns from them', async () => {
    const { records, outcomes, joint, minTip } = await run(0.25);
    const explored = records.filter((r) => r.explore === true);
    const skipped = records.filter(
      (r) => r.decision === 'skipped_score' || r.decision === 'skipped_negative_ev',
    );
    expect(explored.length).toBeGreaterThan(20);
    const share = explored.length / (explored.length + skipped.length);
    expect(share).toBeGreaterThan(0.15);
    expect(share).toBeLessThan(0.35);
    for (const r of explored) {
      expect(r.decision).toBe('submitted');
      expect(r.route).toBe('jito');
      expect(r.tipLamports).toBe(minTip);
      expect(r.submission?.tipLamports).toBe(minTip);
    }
    // Their outcomes reached the models: every auction verdict on one is a win-model update.
    const verdicts = explored.filter((r) => {
      const o = outcomes.get(r.submission?.id ?? '');
      return o !== undefined && (o.landed || o.failure === 'auction_lost');
    });
    expect(verdicts.length).toBeGreaterThan(0);
    expect(joint.models.win.updates).toBeGreaterThanOrEqual(verdicts.length);
  });

  it('is off by default, and refused outside paper mode', async () => {
    const { records } = await run(0);
    expect(records.some((r) => r.explore === true)).toBe(false);
    const config = agentConfigSchema.parse({ paperExploration: 0.1 });
    expect(paperExplorationOf(config, 'paper')).toBe(0.1);
    expect(() => paperExplorationOf(config, 'live')).toThrow(/paper mode only/);
    expect(paperExplorationOf(agentConfigSchema.parse({}), 'live')).toBe(0);
  });
});
