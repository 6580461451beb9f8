import type { GuardConfig } from './config.js';
import type { Verdict } from './evaluate.js';

/** What the guard asks of a module's agents. */
export type GuardAction = 'throttle' | 'kill' | 'resume';

/** What is in force for a module, as the guard knows it (its own commands and operators'). */
export type Enforcement = 'none' | 'throttled' | 'killed';

/**
 * One module's escalation state. Throttle first; kill when the violation is severe, still
 * tripping `killAfterMs` after the throttle, or back for the `maxThrottles`-th time within
 * `memoryMs`. Recovery needs `recoveryEvaluations` healthy evaluations in a row (hysteresis);
 * then the guard lifts its own throttle, never an operator's, and never a kill.
 */
export class ModulePolicy {
  enforcement: Enforcement = 'none';
  throttledBy: 'guard' | 'operator' | undefined;
  throttledAtMs = 0;
  violated = false;
  reason = '';
  healthyStreak = 0;
  private throttles: number[] = [];

  constructor(private readonly config: GuardConfig) {}

  /** One evaluation: updates the state and returns the action to send, if any. */
  step(verdict: Verdict, nowMs: number): GuardAction | undefined {
    const { escalation, recoveryEvaluations } = this.config;
    if (verdict.tripped) {
      this.violated = true;
      this.healthyStreak = 0;
      this.reason = verdict.reason;
      return this.escalate(verdict, nowMs);
    }
    if (!verdict.healthy) {
      this.healthyStreak = 0;
      return undefined;
    }
    this.healthyStreak++;
    if (this.enforcement === 'killed' || this.healthyStreak < recoveryEvaluations) return undefined;
    this.violated = false;
    this.reason = '';
    if (
      this.enforcement === 'throttled' &&
      this.throttledBy === 'guard' &&
      escalation.policy !== 'observe'
    )
      return 'resume';
    return undefined;
  }

  private escalate(verdict: Verdict, nowMs: number): GuardAction | undefined {
    const e = this.config.escalation;
    if (e.policy === 'observe' || this.enforcement === 'killed') return undefined;
    if (e.policy === 'kill') return 'kill';
    const mayKill = e.policy === 'throttle_then_kill';
    if (this.enforcement === 'none') {
      this.throttles = this.throttles.filter((t) => t > nowMs - e.memoryMs);
      if (mayKill && (verdict.severe || this.throttles.length >= e.maxThrottles)) return 'kill';
      return 'throttle';
    }
    // Throttled (by the guard or an operator) and still tripping.
    if (mayKill && (verdict.severe || nowMs - this.throttledAtMs >= e.killAfterMs)) return 'kill';
    return undefined;
  }

  /** What `applied` changes, to put back when the command could not be published. */
  snapshot(): () => void {
    const { enforcement, throttledBy, throttledAtMs } = this;
    const throttles = [...this.throttles];
    return () => {
      Object.assign(this, { enforcement, throttledBy, throttledAtMs });
      this.throttles = throttles;
    };
  }

  /** The guard's own command is going out. */
  applied(action: GuardAction, nowMs: number): void {
    if (action === 'kill') this.enforcement = 'killed';
    else if (action === 'throttle') {
      this.enforcement = 'throttled';
      this.throttledBy = 'guard';
      this.throttledAtMs = nowMs;
      this.throttles.push(nowMs);
    } else {
      this.enforcement = 'none';
      this.throttledBy = undefined;
    }
  }

  /** An operator's command (seen on control-proto), or agents found killed at start. */
  external(action: GuardAction, nowMs: number): void {
    if (action === 'kill') this.enforcement = 'killed';
    else if (action === 'throttle') {
      this.enforcement = 'throttled';
      this.throttledBy = 'operator';
      this.throttledAtMs = nowMs;
    } else {
      this.enforcement = 'none';
      this.throttledBy = undefined;
      this.violated = false;
      this.reason = '';
      this.healthyStreak = 0;
      this.throttles = [];
    }
  }
}
