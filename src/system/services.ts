import { resolve } from 'node:path';
import { type AgentThread, startAgentThread } from '../agent/agent-thread.js';
import { type AgentRun, runAgents } from '../agent/run.js';
import { startEmbeddedApi } from '../api/embedded.js';
import { type MarketSnapshot, registerMarket } from '../api/routes/market.js';
import { controlSignerFrom, controlVerifierFrom } from '../auth/control-signature.js';
import { createVerifier } from '../auth/verify.js';
import { createBus } from '../bus/create.js';
import { TypedBus } from '../bus/typed.js';
import type { Config } from '../config/schema.js';
import { attachGateway, type Gateway } from '../gateway/gateway.js';
import { guardLines } from '../guard/banner.js';
import { guardConfigFor } from '../guard/config.js';
import { startGuard } from '../guard/guard.js';
import type { Logger } from '../log.js';
import type { Clock, Market, Module } from '../market/types.js';
import { openStore } from '../store/client.js';
import { sinkTables } from '../store/rows.js';
import { migrateStore } from '../store/setup.js';
import { Sink } from '../store/sink.js';
import type { Store } from '../store/types.js';
import { startTraining } from '../train/service.js';
import type { MarketMode } from './consent.js';
import type { Service } from './service.js';

/**
 * Each service of the system, started one way: what it needs in, a `Service` out (and the
 * handle the composition root passes on). The order they start in is `system.ts`'s.
 */

export async function storeService(config: Config): Promise<{ service: Service; store: Store }> {
  const store = await openStore(config.store, { home: config.home });
  try {
    const migrated = await migrateStore(store, config);
    const health = await store.health();
    const ttl = config.store.ttl;
    const tiering = migrated.tiering
      ? `tiering hot→cold after ${ttl.moveToColdDays} d, delete after ${ttl.deleteDays} d`
      : `delete after ${ttl.deleteDays} d (no tiering)`;
    const lines = [
      `  home   ${resolve(config.home)}`,
      `  store  ${health.detail}, database ${store.database}; ${tiering}`,
    ];
    return { service: { name: 'store', lines, stop: () => store.close() }, store };
  } catch (err) {
    await store.close();
    throw err;
  }
}

export async function busService(config: Config): Promise<{ service: Service; bus: TypedBus }> {
  const bus = await createBus(config.bus);
  const where =
    config.bus.kind === 'memory'
      ? 'memory (in-process)'
      : `${config.bus.kind} ${(config.bus.kind === 'nats' ? config.bus.nats.servers : config.bus.kafka.brokers).join(', ')}`;
  return {
    service: { name: 'bus', lines: [`  bus    ${where}`], stop: () => bus.close() },
    bus: new TypedBus(bus),
  };
}

export async function sinkService(
  config: Config,
  bus: TypedBus,
  store: Store,
  log: Logger,
): Promise<{ service: Service; sink: Sink }> {
  const sink = await Sink.start({ bus, store, logger: log, ...config.store.sink });
  const lines = [`  sink   ${sinkTables.map((t) => t.topic).join(', ')} → ClickHouse`];
  return { service: { name: 'sink', lines, stop: () => sink.stop() }, sink };
}

export async function trainingService(
  config: Config,
  bus: TypedBus,
  store: Store,
  log: Logger,
): Promise<Service> {
  const training = await startTraining({ config, bus, store, log });
  return { name: 'training', lines: training.lines, stop: () => training.stop() };
}

export async function agentsService(
  market: Market,
  o: { config: Config; bus: TypedBus; modules: readonly Module[]; log: Logger },
): Promise<{ service: Service; agents: AgentRun }> {
  const agents = await runAgents(market, {
    config: o.config,
    publisher: o.bus,
    controlBus: o.bus,
    modules: o.modules,
    log: o.log,
  });
  return { service: { name: 'agents', lines: agents.lines, stop: () => agents.stop() }, agents };
}

/** The market and the agents on a worker thread of their own (agent-thread.ts). */
export async function agentThreadService(o: {
  config: Config;
  bus: TypedBus;
  mode: MarketMode;
  modules: readonly Module[];
  log: Logger;
  env?: NodeJS.ProcessEnv;
  warmMinutes?: number;
}): Promise<{ service: Service; agents: AgentThread }> {
  const agents = await startAgentThread(o);
  return { service: { name: 'agents', lines: agents.lines, stop: () => agents.stop() }, agents };
}

/**
 * On `clock`: the market's, which stamps the agents' metrics (wall time × sim.speed in paper),
 * followed from the agents' thread when they run on one.
 */
export async function guardService(
  config: Config,
  bus: TypedBus,
  clock: Clock,
  log: Logger,
): Promise<Service> {
  if (!config.guard.enabled) {
    return { name: 'guard', lines: ['  guard  off (guard.enabled: false)'], stop: async () => {} };
  }
  const signer = controlSignerFrom(config);
  const trust = controlVerifierFrom(config);
  const settings = guardConfigFor(config.guard, config.mode);
  const guard = await startGuard({ bus, clock, config: settings, log, signer, trust });
  return { name: 'guard', lines: guardLines(settings), stop: () => guard.stop() };
}

/** The API with the gateway on its server: REST at /api, the WebSocket and dashboard at /. */
export async function apiService(o: {
  config: Config;
  generatedSecret: boolean;
  bus: TypedBus;
  store: Store;
  log: Logger;
  sink?: Sink;
  /** The market panel's figures, when this process runs agents (GET /api/market). */
  market?: () => MarketSnapshot;
}): Promise<Service> {
  let gateway: Gateway | undefined;
  const sink = o.sink;
  const embedded = await startEmbeddedApi({
    config: o.config,
    generatedSecret: o.generatedSecret,
    bus: o.bus,
    store: o.store,
    logger: o.log,
    ...(sink === undefined ? {} : { sinkStats: () => sink.stats() }),
    extend: async (app) => {
      registerMarket(app, o.market);
      const verifier = await createVerifier(o.config.auth);
      gateway = await attachGateway(app, { config: o.config, bus: o.bus, verifier, log: o.log });
    },
  });
  const { api } = embedded;
  return {
    name: 'api',
    lines: [...embedded.lines, ...(gateway?.lines(api.url) ?? [])],
    async stop() {
      // No new commands while stopping: the sockets close first.
      await gateway?.stop();
      await api.stop();
    },
  };
}
