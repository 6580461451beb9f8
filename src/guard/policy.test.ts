import { describe, expect, it } from 'vitest';
import { type GuardConfigInput, guardConfigSchema } from './config.js';
import type { Verdict } from './evaluate.js';
import { ModulePolicy } from './policy.js';

const verdict = (v: Partial<Verdict>): Verdict => ({
  readings: [],
  tripped: false,
  severe: false,
  healthy: true,
  reason: 'ok',
  burnFast: 0,
  burnSlow: 0,
  ...v,
});
const TRIP = verdict({ tripped: true, healthy: false, reason: 'landed 40 %' });
const SEVERE = verdict({ tripped: true, severe: true, healthy: false, reason: 'hot path' });
const UNHEALTHY = verdict({ healthy: false });
const OK = verdict({});

/** Runs the policy like the guard does: apply what it asks for. */
function policy(input: GuardConfigInput = {}) {
  const p = new ModulePolicy(guardConfigSchema.parse(input));
  return {
    p,
    step(v: Verdict, atMs: number) {
      const action = p.step(v, atMs);
      if (action !== undefined) p.applied(action, atMs);
      return action;
    },
  };
}

describe('guard escalation policy', () => {
  it('throttles first, kills when still tripping killAfterMs later, never resumes the kill', () => {
    const { p, step } = policy();
    expect(step(TRIP, 0)).toBe('throttle');
    expect(step(TRIP, 5_000)).toBeUndefined();
    expect(step(TRIP, 10_000)).toBe('kill');
    expect(step(TRIP, 11_000)).toBeUndefined();
    for (let t = 12_000; t < 60_000; t += 1_000) expect(step(OK, t)).toBeUndefined();
    expect(p.enforcement).toBe('killed');
  });

  it('kills at once when severe, and under policy "kill"', () => {
    expect(policy().step(SEVERE, 0)).toBe('kill');
    expect(policy({ escalation: { policy: 'kill' } }).step(TRIP, 0)).toBe('kill');
  });

  it('recovers after N healthy evaluations in a row (hysteresis) and lifts its own throttle', () => {
    const { p, step } = policy({ recoveryEvaluations: 3 });
    step(TRIP, 0);
    expect(step(OK, 1_000)).toBeUndefined();
    expect(step(OK, 2_000)).toBeUndefined();
    // A slow window still over its factor breaks the streak.
    expect(step(UNHEALTHY, 3_000)).toBeUndefined();
    expect(step(OK, 4_000)).toBeUndefined();
    expect(step(OK, 5_000)).toBeUndefined();
    expect(p.violated).toBe(true);
    expect(step(OK, 6_000)).toBe('resume');
    expect(p.violated).toBe(false);
    expect(p.enforcement).toBe('none');
  });

  it("never lifts an operator's throttle; escalates it when the burn goes on", () => {
    const { p, step } = policy({ recoveryEvaluations: 1 });
    p.external('throttle', 0);
    expect(step(OK, 1_000)).toBeUndefined();
    expect(p.enforcement).toBe('throttled');
    expect(step(TRIP, 2_000)).toBeUndefined();
    expect(step(TRIP, 10_000)).toBe('kill');
  });

  it('the maxThrottles-th violation within memoryMs is a kill', () => {
    const { step } = policy({ recoveryEvaluations: 1, escalation: { maxThrottles: 2 } });
    expect(step(TRIP, 0)).toBe('throttle');
    expect(step(OK, 1_000)).toBe('resume');
    expect(step(TRIP, 2_000)).toBe('throttle');
    expect(step(OK, 3_000)).toBe('resume');
    expect(step(TRIP, 4_000)).toBe('kill');
    // Long after, throttling starts over.
    const later = policy({
      recoveryEvaluations: 1,
      escalation: { maxThrottles: 1, memoryMs: 10_000 },
    });
    expect(later.step(TRIP, 0)).toBe('throttle');
    expect(later.step(OK, 1_000)).toBe('resume');
    expect(later.step(TRIP, 20_000)).toBe('throttle');
  });

  it('"observe" reports the violation and sends nothing; an operator resume clears everything', () => {
    const o = policy({ escalation: { policy: 'observe' } });
    expect(o.step(SEVERE, 0)).toBeUndefined();
    expect(o.p.violated).toBe(true);
    const { p, step } = policy();
    step(SEVERE, 0);
    p.external('resume', 1_000);
    expect(p.enforcement).toBe('none');
    expect(p.violated).toBe(false);
    expect(step(TRIP, 2_000)).toBe('throttle');
  });

  it('a publish that failed is undone, so the next evaluation decides again', () => {
    const { p } = policy();
    expect(p.step(TRIP, 0)).toBe('throttle');
    const undo = p.snapshot();
    p.applied('throttle', 0);
    undo();
    expect(p.enforcement).toBe('none');
    expect(p.step(TRIP, 1_000)).toBe('throttle');
  });
});
