import { describe, expect, it } from 'vitest';
import { PolicyRng } from './rng.js';
import { DiscountedThompsonTip, UcbEwmaTip } from './tip-policy.js';
import type { TipPolicy } from './types.js';

const LADDER = [0.1, 0.3, 0.5, 0.7, 0.9];
const context = { grossProfitLamports: 1_000_000n, minTipLamports: 1_000n };

/** Landing rates per arm; the best arm maximises rate × (1 − share). */
const EARLY = [0.05, 0.2, 0.9, 0.95, 0.97]; // best: 0.5 (0.45 vs 0.285 for 0.7)
const LATE = [0.9, 0.95, 0.96, 0.97, 0.98]; // best: 0.1 (0.81)

function bestArm(rates: readonly number[]): number {
  const values = rates.map((p, i) => p * (1 - (LADDER[i] as number)));
  return values.indexOf(Math.max(...values));
}

/** Plays `rounds` pulls against Bernoulli landings; returns the arms chosen. */
function play(policy: TipPolicy, rates: readonly number[], rounds: number, rng: PolicyRng) {
  const chosen: number[] = [];
  for (let t = 0; t < rounds; t++) {
    const { arm } = policy.choose(context);
    const landed = rng.float() < (rates[arm] as number);
    policy.update(arm, landed, landed ? 1 - (LADDER[arm] as number) : 0);
    chosen.push(arm);
  }
  return chosen;
}

const share = (arms: number[], arm: number) => arms.filter((a) => a === arm).length / arms.length;

describe('discounted Thompson tip bandit', () => {
  it('finds the best arm on a stationary problem', () => {
    const policy = new DiscountedThompsonTip(LADDER, 0.97, 3);
    const chosen = play(policy, EARLY, 1_500, new PolicyRng(5));
    expect(share(chosen.slice(-500), bestArm(EARLY))).toBeGreaterThan(0.6);
  });

  it('moves to the new best arm within 300 rounds of a switch', () => {
    const policy = new DiscountedThompsonTip(LADDER, 0.97, 3);
    const rng = new PolicyRng(9);
    play(policy, EARLY, 2_000, rng);
    const after = play(policy, LATE, 300, rng);
    expect(bestArm(LATE)).not.toBe(bestArm(EARLY));
    // By the last 100 of those 300 rounds the new best arm is the usual pick.
    expect(share(after.slice(-100), bestArm(LATE))).toBeGreaterThan(0.5);
  });

  it('is reproducible for a seed', () => {
    const a = play(new DiscountedThompsonTip(LADDER, 0.97, 4), EARLY, 200, new PolicyRng(1));
    const b = play(new DiscountedThompsonTip(LADDER, 0.97, 4), EARLY, 200, new PolicyRng(1));
    expect(a).toEqual(b);
  });
});

describe('UCB over EWMA baseline', () => {
  it('tries every arm once, then settles on a good arm when stationary', () => {
    const policy = new UcbEwmaTip(LADDER);
    const chosen = play(policy, EARLY, 1_500, new PolicyRng(5));
    expect(new Set(chosen.slice(0, LADDER.length)).size).toBe(LADDER.length);
    expect(share(chosen.slice(-500), bestArm(EARLY))).toBeGreaterThan(0.4);
  });
});
