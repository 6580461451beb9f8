import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ControlAction } from '../gen/landfall/v1/control_pb.js';
import { MispricedStrategy, SlowScorer } from './testing/faults.js';
import { guardAction, type LoopRun, runLoop } from './testing/loop.js';

const WINDOW_MS = 30_000;
const FAULT_AT_MS = 60_000;
const home = () => mkdtempSync(join(tmpdir(), 'lf-guard-'));

/**
 * What every fault must show: nothing before the fault; the guard's first action within one
 * window plus 1 s of simulated time after it starts, naming the SLO; a kill, acknowledged;
 * and from the acknowledgement on, not one more submission.
 */
function expectCaught(run: LoopRun, slo: RegExp) {
  const faultAt = run.startMs + FAULT_AT_MS;
  const byGuard = run.commands.filter((c) => c.source === 'guard');
  expect(byGuard.length).toBeGreaterThan(0);
  expect(byGuard.every((c) => Number(c.tsMs) >= faultAt)).toBe(true);
  const first = byGuard[0];
  expect(first?.reason).toMatch(slo);
  expect(Number(first?.tsMs) - faultAt).toBeLessThanOrEqual(WINDOW_MS + 1_000);
  const firstAck = run.acks.find((a) => a.ack.commandId === first?.commandId);
  expect(firstAck?.ack.applied).toBe(true);
  expect((firstAck?.atMs ?? Number.POSITIVE_INFINITY) - faultAt).toBeLessThanOrEqual(
    WINDOW_MS + 1_000,
  );

  const { command: kill, ack } = guardAction(run, ControlAction.KILL);
  expect(kill?.reason).toMatch(slo);
  expect(ack?.ack.applied).toBe(true);
  expect(ack?.ack.message).toMatch(/killed by guard/);
  expect(run.ackMessages.find((m) => m.commandId === kill?.commandId)?.applied).toBe(true);
  const killedAt = ack?.atMs ?? Number.POSITIVE_INFINITY;
  // Zero submissions after the acknowledgement, while the market still offered opportunities.
  expect(run.engine.counters.submissions).toBe(ack?.submissions);
  const after = run.decisions.filter((d) => d.atMs > killedAt);
  expect(after.length).toBeGreaterThan(0);
  expect(after.every((d) => d.decision === 'skipped_killed')).toBe(true);
  expect(run.decisions.some((d) => d.atMs < faultAt && d.decision === 'submitted')).toBe(true);

  // Visible: the SLO state, a guard-<module> MetricsUpdate with the reason, one audit record
  // per action, the agent reporting itself killed.
  const lastSlo = run.slo.at(-1);
  expect(lastSlo?.violated).toBe(true);
  expect(lastSlo?.lastAction).toBe(ControlAction.KILL);
  expect(Number(lastSlo?.lastActionTsMs)).toBe(Number(kill?.tsMs));
  const flagged = run.metrics.filter((m) => m.agentId === 'guard-arb' && m.sloViolation);
  expect(flagged.length).toBeGreaterThan(0);
  expect(flagged[0]?.sloReason).toMatch(slo);
  const actions = run.audit.filter((a) => a.subject === 'guard' && a.role === 'service');
  expect(actions.map((a) => a.action)).toEqual(
    byGuard.map((c) => `control.${ControlAction[c.action].toLowerCase()}`),
  );
  expect(actions.every((a) => a.result === 'ok')).toBe(true);
  expect(run.metrics.filter((m) => m.agentId === 'arb-loop').at(-1)?.state).toBe('killed');
  expect(run.control.kill.read()?.source).toBe('guard');
}

describe('guard fault injection on the simulator', () => {
  it('latency spike: a scorer that takes 25 ms is caught, throttled, then killed', async () => {
    const run = await runLoop({
      seed: 11,
      home: home(),
      schedule: [{ regime: 'quiet', minutes: 10 }],
      // Short after the kill: the slow scorer keeps spinning on every opportunity it scores.
      durationMs: FAULT_AT_MS + 30_000,
      scorer: (base, clock) =>
        new SlowScorer(
          base,
          clock,
          { fromMs: clock.now() + FAULT_AT_MS, untilMs: Number.POSITIVE_INFINITY },
          25,
        ),
    });
    expectCaught(run, /hot path/);
    expect(run.commands[0]?.action).toBe(ControlAction.THROTTLE);
  }, 120_000);

  it('landing collapse: rivals outbid everything, the module is throttled, then killed', async () => {
    const run = await runLoop({
      seed: 11,
      home: home(),
      schedule: [
        { regime: 'quiet', minutes: FAULT_AT_MS / 60_000 },
        { regime: 'swarm', minutes: 10 },
      ],
      durationMs: FAULT_AT_MS + 70_000,
    });
    expectCaught(run, /landed/);
  }, 120_000);

  it('negative-EV burst: mispriced opportunities land at a loss, the module is killed', async () => {
    const run = await runLoop({
      seed: 11,
      home: home(),
      schedule: [{ regime: 'quiet', minutes: 10 }],
      durationMs: FAULT_AT_MS + 50_000,
      strategy: (base, clock) =>
        new MispricedStrategy(
          base,
          clock,
          { fromMs: clock.now() + FAULT_AT_MS, untilMs: Number.POSITIVE_INFINITY },
          8n,
        ),
    });
    expectCaught(run, /negative EV/);
  }, 120_000);
});
