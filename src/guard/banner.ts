import type { GuardConfig } from './config.js';

/** Banner lines: the SLOs, windows and escalation the guard enforces. */
export function guardLines(g: GuardConfig): string[] {
  const b = g.burn;
  const e = g.escalation;
  return [
    `  guard  metrics-proto → control-proto, slo-proto, audit-proto; SLOs over ${g.windowMs / 1000} s: hot path p99 < ${g.slo.hotpathP99Ms} ms, ${g.slo.landedMinPct === 0 ? 'landed not judged' : `landed > ${g.slo.landedMinPct} %`}, ${g.slo.negEvMaxRate === 1 ? 'negative EV not judged' : `negative EV < ${g.slo.negEvMaxRate * 100} %`}`,
    `         burn-rate trip (slow ${g.windowMs / 1000} s and fast ${g.fastWindowMs / 1000} s): hot path ${b.hotpath.slow}×/${b.hotpath.fast}×, landed ${b.landed.slow}×/${b.landed.fast}×, negative EV ${b.negEv.slow}×/${b.negEv.fast}×; ≥ ${g.minSamples} events, or fewer past the line at ${g.confidence * 100} % confidence`,
    `         policy ${e.policy}: throttle to ${g.throttle.rateFraction * 100} % (+${g.throttle.thresholdRaise} score), kill after ${e.killAfterMs / 1000} s or at ${e.severeMultiple}× severity; recovers after ${g.recoveryEvaluations} healthy evaluations; kills wait for an operator`,
  ];
}
