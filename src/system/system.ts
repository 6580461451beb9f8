import type { AgentRun } from '../agent/run.js';
import { withPaperControlKey } from '../auth/control-signature.js';
import type { TypedBus } from '../bus/typed.js';
import type { Config } from '../config/schema.js';
import { LandfallError } from '../errors.js';
import type { Logger } from '../log.js';
import { systemClock } from '../market/system-clock.js';
import type { Clock, Module } from '../market/types.js';
import { installFatalSignalHandler } from '../ops/fatal-signal.js';
import { startMemoryReturn } from '../ops/memory-return.js';
import type { Sink } from '../store/sink.js';
import type { Store } from '../store/types.js';
import type { MarketMode } from './consent.js';
import { openMarket } from './market.js';
import { figuresOf, type MarketFigures, marketSnapshots } from './market-view.js';
import { type Service, stopInReverse } from './service.js';
import {
  agentsService,
  agentThreadService,
  apiService,
  busService,
  guardService,
  sinkService,
  storeService,
  trainingService,
} from './services.js';
import { type WarmStart, warmStartOf } from './warm-start.js';

/** What a command may run beside the bus, which every one has. Listed in start order. */
export type ServiceName = 'sink' | 'training' | 'agents' | 'guard' | 'api';
const START_ORDER: readonly ServiceName[] = ['sink', 'training', 'agents', 'guard', 'api'];
/** Services that read or write the store: with any of them, the store opens first. */
const NEEDS_STORE: ReadonlySet<ServiceName> = new Set(['sink', 'training', 'api']);

export interface SystemOptions {
  readonly config: Config;
  readonly log: Logger;
  readonly services: readonly ServiceName[];
  /** With `agents`: the market they trade on (`consent.ts` decides it) and their modules. */
  readonly market?: MarketMode;
  readonly modules?: readonly Module[];
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Paper mode with `agents`: simulated minutes fast-forwarded before the market follows the
   * wall clock (warm-start.ts); 0 or absent starts at the wall clock.
   */
  readonly warmStartMinutes?: number;
  /** With `api`: the HMAC secret was generated for this process (src/auth/dev-secret.ts). */
  readonly generatedSecret?: boolean;
}

export interface System {
  readonly bus: TypedBus;
  readonly store?: Store;
  readonly sink?: Sink;
  readonly agents?: AgentRun;
  /** The paper market's warm start, when it has one (`warmStartMinutes`). */
  readonly warm?: WarmStart;
  /** Banner lines of every service, in start order. */
  readonly lines: readonly string[];
  /** Settles when the market ends by itself or fails; never, without agents. */
  readonly ended: Promise<void>;
  /** Stops every service, last started first; idempotent. */
  stop(): Promise<void>;
}

/**
 * The composition root: `landfall up`, `landfall agent` and the embedded `landfall train` start
 * the services they run here, always in one order — store, bus, sink, training, market and
 * agents, guard, API with the gateway — and stop them in reverse: no new commands while
 * stopping, agents before the sink so their last outcomes and metrics are stored, the store
 * last. A service that fails to start stops those already started before the error surfaces.
 * Beside any other service, the market and the agents run on a worker thread of their own
 * (`agent.thread`, src/agent/agent-thread.ts); the guard and the market panel then read the
 * market's clock and figures as that thread shares them.
 */
export async function startSystem(options: SystemOptions): Promise<System> {
  const { log } = options;
  // Paper mode or a dry run without a control signing key: one per process, for its API, guard
  // and agents.
  const config = withPaperControlKey(
    options.config,
    options.config.mode === 'paper' || options.market === 'dry-run',
  );
  const wanted = new Set(options.services);
  const started: Service[] = [];
  const add = <T extends { service: Service }>(r: T): T => {
    started.push(r.service);
    return r;
  };
  try {
    const store = [...wanted].some((s) => NEEDS_STORE.has(s))
      ? add(await storeService(config)).store
      : undefined;
    // chDB installs ClickHouse's fatal-signal handlers (they hang the process) as it starts.
    installFatalSignalHandler(log);
    const memory = startMemoryReturn(config.ops.memoryReturnMs, log);
    started.push({ name: 'memory-return', lines: [], stop: async () => memory.stop() });
    const { bus } = add(await busService(config));
    let sink: Sink | undefined;
    let agents: AgentRun | undefined;
    let view: MarketView | undefined;
    for (const name of START_ORDER.filter((s) => wanted.has(s))) {
      switch (name) {
        case 'sink':
          sink = add(await sinkService(config, bus, needStore(store), log)).sink;
          break;
        case 'training':
          started.push(await trainingService(config, bus, needStore(store), log));
          break;
        case 'agents': {
          const modules = options.modules ?? ['arb', 'mev'];
          const mode = options.market ?? 'paper';
          const warmMinutes =
            options.warmStartMinutes === undefined ? {} : { warmMinutes: options.warmStartMinutes };
          const env = options.env ?? process.env;
          if (config.agent.thread && [...wanted].some((s) => s !== 'agents')) {
            const thread = add(
              await agentThreadService({ config, bus, mode, modules, log, env, ...warmMinutes }),
            ).agents;
            agents = thread;
            view = thread;
            break;
          }
          const opened = await openMarket(mode, { config, log, modules, env, bus, ...warmMinutes });
          const inline = add(
            await agentsService(opened, { config, bus, modules, log }).catch(async (err) => {
              await opened.stop();
              throw err;
            }),
          ).agents;
          agents = inline;
          const warm = warmStartOf(opened);
          view = {
            tag: opened.tag,
            clock: opened.clock,
            figures: figuresOf(opened, inline.agents),
            ...(warm === undefined ? {} : { warm }),
          };
          break;
        }
        case 'guard':
          started.push(await guardService(config, bus, view?.clock ?? systemClock, log));
          break;
        case 'api':
          started.push(
            await apiService({
              config,
              generatedSecret: options.generatedSecret ?? false,
              bus,
              store: needStore(store),
              log,
              ...(sink === undefined ? {} : { sink }),
              ...(view === undefined
                ? {}
                : { market: marketSnapshots(view.tag, view.figures, view.warm) }),
            }),
          );
          break;
      }
    }
    let stopping: Promise<void> | undefined;
    const warm = view?.warm;
    return {
      bus,
      ...(warm === undefined ? {} : { warm }),
      ...(store === undefined ? {} : { store }),
      ...(sink === undefined ? {} : { sink }),
      ...(agents === undefined ? {} : { agents }),
      lines: started.flatMap((s) => s.lines),
      ended: agents?.ended ?? new Promise<void>(() => {}),
      stop() {
        stopping ??= stopInReverse(started, log);
        return stopping;
      },
    };
  } catch (err) {
    await stopInReverse(started, log);
    throw err;
  }
}

/** What the guard and the market panel read of the agents' market, wherever it runs. */
interface MarketView {
  readonly tag: string;
  readonly clock: Clock;
  figures(): MarketFigures;
  readonly warm?: WarmStart;
}

function needStore(store: Store | undefined): Store {
  if (store === undefined) {
    throw new LandfallError('LF_INTERNAL', 'a service that needs the store started without it');
  }
  return store;
}
