import { createAgent } from '../../agent/assemble.js';
import { paperExplorationOf, settingsFrom } from '../../agent/config.js';
import { Telemetry, type TelemetryPublisher } from '../../agent/telemetry.js';
import type { Config } from '../../config/schema.js';
import type { MarketEvent, Module } from '../../market/types.js';
import { createSimMarket } from '../../sim/index.js';

export interface TelemetryRun {
  readonly startMs: number;
  readonly endMs: number;
  /** Per module: submissions the agent made (each has an outcome row). */
  readonly submissions: Record<Module, number>;
}

/**
 * Training data the way production makes it: agents trade on the seeded simulator (virtual
 * pace, as fast as it computes) and publish opportunities and outcomes through their telemetry,
 * here onto the bus the sink stores from. Simulated time starts at `startMs`, so rows fall in
 * a range a train request can name (and inside the store's TTL).
 */
export async function runTelemetry(options: {
  config: Config;
  publisher: TelemetryPublisher;
  minutes: number;
  startMs: number;
  modules?: readonly Module[];
}): Promise<TelemetryRun> {
  const { config } = options;
  const modules = options.modules ?? ['arb', 'mev'];
  const market = createSimMarket({
    config: { ...config.sim, startTimeMs: options.startMs },
    pace: 'virtual',
    durationMs: options.minutes * 60_000,
  });
  const agents = modules.map((module) => {
    const agentId = `${module}-train-data-${config.sim.seed}`;
    const telemetry = new Telemetry(options.publisher, agentId, module, market.clock);
    const engine = createAgent({
      agentId,
      module,
      market,
      policy: { kind: config.agent.policy },
      settings: settingsFrom(config.agent),
      paperExploration: paperExplorationOf(config.agent, config.mode),
      observers: [telemetry],
    });
    return { module, engine };
  });
  await market.simulator.run((event: MarketEvent) => {
    for (const a of agents) a.engine.handle(event);
  });
  const submissions = { arb: 0, mev: 0 };
  for (const a of agents) submissions[a.module] = a.engine.counters.submissions;
  return {
    startMs: options.startMs,
    endMs: options.startMs + options.minutes * 60_000,
    submissions,
  };
}
