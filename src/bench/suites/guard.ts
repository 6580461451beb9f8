import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { ControlAction } from '../../gen/landfall/v1/control_pb.js';
import { Module } from '../../gen/landfall/v1/jobs_pb.js';
import { MetricsUpdateSchema } from '../../gen/landfall/v1/realtime_pb.js';
import { guardConfigSchema } from '../../guard/config.js';
import { evaluate } from '../../guard/evaluate.js';
import { MispricedStrategy, SlowScorer } from '../../guard/testing/faults.js';
import { guardAction, type LoopOptions, runLoop } from '../../guard/testing/loop.js';
import { ModuleWindows } from '../../guard/window.js';
import type { BenchContext, BenchRow, BenchSuite } from '../harness.js';
import { measureThroughput, percentile } from '../stats.js';

const SEEDS = 5;
const AGENTS = 8;
const FAULT_AT_MS = 60_000;

type Fault = Pick<LoopOptions, 'schedule' | 'scorer' | 'strategy'>;
const from = (clock: { now(): number }) => ({
  fromMs: clock.now() + FAULT_AT_MS,
  untilMs: Number.POSITIVE_INFINITY,
});
const FAULTS: Record<string, Fault> = {
  latency: {
    schedule: [{ regime: 'quiet', minutes: 10 }],
    scorer: (base, clock) => new SlowScorer(base, clock, from(clock), 25),
  },
  landing: {
    schedule: [
      { regime: 'quiet', minutes: 1 },
      { regime: 'swarm', minutes: 10 },
    ],
  },
  neg_ev: {
    schedule: [{ regime: 'quiet', minutes: 10 }],
    strategy: (base, clock) => new MispricedStrategy(base, clock, from(clock), 8n),
  },
};

/**
 * The SLO guard. `evaluate`: one module's windows over AGENTS agents with a full 30 s of
 * history — ingest one update, then both windows and the verdict — ns per evaluation.
 * `detect_<fault>`: the fault-injection runs of the tests (seeds 1–SEEDS, virtual time),
 * simulated seconds from the fault to the guard's first action and to the agent's kill
 * acknowledgement; median and the worst of the seeds.
 */
export const guardSuite: BenchSuite = {
  name: 'guard',
  description: `guard evaluation cost (${AGENTS} agents) and detection delays (3 faults × ${SEEDS} seeds)`,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const config = guardConfigSchema.parse({});
    const windows = new ModuleWindows(
      config.slo.hotpathP99Ms,
      config.windowMs + config.staleAfterMs,
    );
    const update = (agent: number, second: number) =>
      create(MetricsUpdateSchema, {
        agentId: `a${agent}`,
        module: Module.ARBITRAGE,
        tsMs: BigInt(second * 1000),
        decided: BigInt(second * 2),
        landed: BigInt(second * 2 - (second % 3 === 0 ? 1 : 0) * Math.floor(second / 3)),
        submissions: BigInt(second * 2),
        hotpathSlowMs: config.slo.hotpathP99Ms,
      });
    let second = 0;
    for (; second < 30; second++) for (let a = 0; a < AGENTS; a++) windows.add(update(a, second));
    const cost = measureThroughput(
      (i) => {
        if (i % AGENTS === 0) second++;
        windows.add(update(i % AGENTS, second));
        const now = second * 1000;
        evaluate(
          windows.totals(now, config.windowMs, config.staleAfterMs),
          windows.totals(now, config.fastWindowMs, config.staleAfterMs),
          config,
        );
        if (i % AGENTS === 0) windows.prune(now);
      },
      { batches: 200, batchSize: 200 },
    );
    const rows: BenchRow[] = [
      { name: 'evaluate', metric: 'p50_ns', value: cost.nsPerOpP50, unit: 'ns' },
      { name: 'evaluate', metric: 'p99_ns', value: cost.nsPerOpP99, unit: 'ns' },
    ];
    const total = Object.keys(FAULTS).length * SEEDS;
    let done = 0;
    for (const [name, fault] of Object.entries(FAULTS)) {
      const first: number[] = [];
      const killed: number[] = [];
      let early = 0;
      for (let seed = 1; seed <= SEEDS; seed++) {
        const home = mkdtempSync(join(tmpdir(), 'lf-bench-guard-'));
        const run = await runLoop({ seed, home, durationMs: FAULT_AT_MS + 40_000, ...fault });
        rmSync(home, { recursive: true, force: true });
        const faultAt = run.startMs + FAULT_AT_MS;
        const byGuard = run.commands.filter((c) => c.source === 'guard');
        early += byGuard.filter((c) => Number(c.tsMs) < faultAt).length;
        const action = byGuard.find((c) => Number(c.tsMs) >= faultAt);
        first.push((Number(action?.tsMs ?? Number.NaN) - faultAt) / 1000);
        const kill = guardAction(run, ControlAction.KILL).ack?.atMs ?? Number.NaN;
        killed.push((kill - faultAt) / 1000);
        ctx.progress(++done, total);
      }
      // A run where the guard never acted, or acted before the fault, is reported, not hidden.
      const seen = (xs: number[]) => xs.filter((x) => Number.isFinite(x));
      const row = (metric: string, value: number, unit: string) =>
        rows.push({ name: `detect_${name}`, metric, value, unit });
      row('first_action_p50_s', percentile(seen(first), 0.5), 'sim s');
      row('first_action_max_s', percentile(seen(first), 1), 'sim s');
      row('kill_ack_p50_s', percentile(seen(killed), 0.5), 'sim s');
      row('kill_ack_max_s', percentile(seen(killed), 1), 'sim s');
      row('runs_without_kill', SEEDS - seen(killed).length, `of ${SEEDS}`);
      row('actions_before_fault', early, 'commands');
    }
    return rows;
  },
};
