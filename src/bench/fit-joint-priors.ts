import { createAgent } from '../agent/assemble.js';
import { CompetitionSignal } from '../agent/competition-signal.js';
import { DEFAULT_AGENT_SETTINGS } from '../agent/config.js';
import type { Engine } from '../agent/engine.js';
import type { JointPolicy } from '../agent/joint-policy.js';
import type { JointPriors, WeightPrior } from '../agent/joint-priors.js';
import type { Module } from '../market/types.js';
import { createSimMarket } from '../sim/index.js';

/**
 * Refits `JOINT_PRIORS` (src/agent/joint-priors.ts) on the tuning seeds only: Landfall's
 * agents trade each seed from a wide, uninformed prior; each model's posterior mean at the end
 * of the run is one sample; the prior is their mean across seeds, with their spread (floored at
 * 0.25) as its sd. Prints the table to paste. Run:
 *   node --experimental-transform-types --import ./src/testing/resolve-ts.mjs \
 *     src/bench/fit-joint-priors.ts 1-14 60
 */
const WIDE: JointPriors = {
  win: { mean: [-0.5, 0.5, 1.5, 0, 0, 0, -1, -0.5, -1], sd: [2, 2, 3, 1, 1, 1, 2, 1, 2] },
  still: { mean: [1.5, -0.5, 0, 0, -1, 0.5, -1], sd: [2, 1, 1, 1, 2, 1, 2] },
  include: { mean: [0, 1, -1], sd: [2, 1, 1] },
};
const SD_FLOOR = 0.25;
const MODELS = ['win', 'still', 'include'] as const;

const [first, last] = (process.argv[2] ?? '1-14').split('-').map(Number) as [number, number];
const minutes = Number(process.argv[3] ?? 60);
const samples = new Map<string, number[][]>();
for (let seed = first; seed <= last; seed++) {
  const market = createSimMarket({
    config: { seed },
    pace: 'virtual',
    durationMs: minutes * 60_000,
  });
  const common = {
    market,
    runId: `fit${seed}`,
    policy: { kind: 'landfall', priors: { arb: WIDE, mev: WIDE } } as const,
    settings: DEFAULT_AGENT_SETTINGS,
    competition: new CompetitionSignal(),
  };
  const agents: [Module, Engine][] = [
    ['arb', createAgent({ ...common, agentId: 'fit-arb', module: 'arb' })],
    ['mev', createAgent({ ...common, agentId: 'fit-mev', module: 'mev' })],
  ];
  await market.simulator.run((e) => {
    for (const [, a] of agents) a.handle(e);
  });
  for (const [module, engine] of agents) {
    const models = (engine.options.joint as JointPolicy).models;
    for (const m of MODELS) {
      const key = `${module}.${m}`;
      samples.set(key, [...(samples.get(key) ?? []), Array.from(models[m].mean)]);
    }
  }
}
const fitted: Record<string, Record<string, WeightPrior>> = {};
for (const [key, rows] of samples) {
  const [module, model] = key.split('.') as [string, string];
  const d = (rows[0] as number[]).length;
  const at = (i: number) => rows.map((r) => r[i] as number);
  const mean = Array.from({ length: d }, (_, i) => at(i).reduce((s, v) => s + v, 0) / rows.length);
  const sd = mean.map((m, i) =>
    Math.max(SD_FLOOR, Math.sqrt(at(i).reduce((s, v) => s + (v - m) ** 2, 0) / rows.length)),
  );
  const round = (v: number) => Math.round(v * 100) / 100;
  const table = fitted[module] ?? {};
  table[model] = { mean: mean.map(round), sd: sd.map(round) };
  fitted[module] = table;
}
process.stdout.write(`${JSON.stringify(fitted, null, 2)}\n`);
