import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ControlAction } from '../gen/landfall/v1/control_pb.js';
import type { Verdict } from './evaluate.js';
import { SlowScorer } from './testing/faults.js';
import { runLoop } from './testing/loop.js';

const QUIET = [{ regime: 'quiet', minutes: 10 }];
const home = () => mkdtempSync(join(tmpdir(), 'lf-guard-loop-'));

describe('guard burn rates on the simulator', () => {
  /** A latency spike from 60 s lasting `ms`, with every evaluation of the hot-path SLO kept. */
  const spike = async (ms: number) => {
    const hotpath: { verdict: Verdict; atMs: number }[] = [];
    const run = await runLoop({
      seed: 11,
      home: home(),
      schedule: QUIET,
      durationMs: 120_000,
      scorer: (base, clock) =>
        new SlowScorer(
          base,
          clock,
          { fromMs: clock.now() + 60_000, untilMs: clock.now() + 60_000 + ms },
          25,
        ),
      onEvaluate: (_m, verdict, atMs) => hotpath.push({ verdict, atMs }),
    });
    const readings = hotpath.map((h) => h.verdict.readings.find((r) => r.slo === 'hotpath'));
    return { run, readings };
  };

  it('a blip shorter than the burn-rate threshold does not trip; the same fault sustained does', async () => {
    const blip = await spike(700);
    // The fast window burned well past its factor: the blip was seen, and judged too small.
    expect(Math.max(...blip.readings.map((r) => r?.burnFast ?? 0))).toBeGreaterThanOrEqual(10);
    expect(Math.max(...blip.readings.map((r) => r?.burnSlow ?? 0))).toBeLessThan(10);
    expect(blip.run.commands.filter((c) => c.source === 'guard')).toEqual([]);
    expect(blip.run.slo.every((s) => !s.violated)).toBe(true);
    expect(blip.run.control.state).toBe('running');

    const sustained = await spike(8_000);
    const first = sustained.run.commands.find((c) => c.source === 'guard');
    expect(first?.action).toBe(ControlAction.THROTTLE);
    expect(first?.reason).toMatch(/hot path/);
  }, 120_000);

  it('lifts its own throttle after the recovery hysteresis, and never resumes a kill', async () => {
    // A spike long enough to throttle, too short to kill (the kill waits 10 s of tripping).
    const { run, readings } = await spike(5_000);
    const byGuard = run.commands.filter((c) => c.source === 'guard');
    expect(byGuard.map((c) => c.action)).toEqual([ControlAction.THROTTLE, ControlAction.RESUME]);
    expect(byGuard[1]?.reason).toMatch(/recovered: 5 healthy evaluations/);
    expect(readings.length).toBeGreaterThan(0);
    expect(run.acks.map((a) => a.ack.applied)).toEqual([true, true]);
    expect(run.control.state).toBe('running');
    expect(run.slo.at(-1)?.violated).toBe(false);
    expect(run.metrics.filter((m) => m.agentId === 'guard-arb').at(-1)?.sloViolation).toBe(false);
  }, 120_000);
});

describe('kill switch across an agent restart', () => {
  it('kill, restart the agent: still killed; a guard resume is refused; an operator resume restores', async () => {
    const dir = home();
    const first = await runLoop({
      seed: 11,
      home: dir,
      schedule: QUIET,
      durationMs: 40_000,
      guard: false,
      operator: [{ atMs: 20_000, action: ControlAction.KILL }],
    });
    const kill = first.acks.find((a) => a.ack.action === ControlAction.KILL);
    expect(kill?.ack.applied).toBe(true);
    expect(first.engine.counters.submissions).toBe(kill?.submissions);
    expect(first.engine.counters.submissions).toBeGreaterThan(0);
    expect(existsSync(first.control.kill.path)).toBe(true);

    // A new engine and control on the same home: killed before it hears any command.
    const second = await runLoop({
      seed: 12,
      home: dir,
      schedule: QUIET,
      durationMs: 60_000,
      guard: false,
      operator: [
        { atMs: 10_000, action: ControlAction.RESUME, source: 'guard' },
        { atMs: 30_000, action: ControlAction.RESUME },
      ],
    });
    const [refused, resumed] = second.acks;
    expect(refused?.ack.applied).toBe(false);
    expect(refused?.ack.message).toMatch(/only an operator resumes a kill/);
    expect(resumed?.ack.applied).toBe(true);
    expect(resumed?.submissions).toBe(0);
    const resumedAt = resumed?.atMs ?? 0;
    const before = second.decisions.filter((d) => d.atMs < resumedAt);
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((d) => d.decision === 'skipped_killed')).toBe(true);
    expect(second.engine.counters.submissions).toBeGreaterThan(0);
    expect(second.decisions.some((d) => d.atMs > resumedAt && d.decision === 'submitted')).toBe(
      true,
    );
    const states = second.metrics.filter((m) => m.agentId === 'arb-loop');
    expect(states.find((m) => Number(m.tsMs) < resumedAt)?.state).toBe('killed');
    expect(states.at(-1)?.state).toBe('running');
    expect(existsSync(second.control.kill.path)).toBe(false);
  }, 120_000);
});
