import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type PaperRun, startPaper, summaryLines } from '../../agent/paper.js';
import { startEmbeddedApi } from '../../api/embedded.js';
import type { RunningApi } from '../../api/server.js';
import { withPaperSecret } from '../../auth/dev-secret.js';
import { createVerifier } from '../../auth/verify.js';
import { createBus } from '../../bus/create.js';
import { TypedBus } from '../../bus/typed.js';
import type { Bus } from '../../bus/types.js';
import type { Config } from '../../config/schema.js';
import { LandfallError } from '../../errors.js';
import { attachGateway, type Gateway } from '../../gateway/gateway.js';
import { type Guard, startGuard } from '../../guard/guard.js';
import { createLogger } from '../../log.js';
import { systemClock } from '../../market/system-clock.js';
import { startLive } from '../../solana/live.js';
import { openStore } from '../../store/client.js';
import { sinkTables } from '../../store/rows.js';
import { migrateStore } from '../../store/setup.js';
import { Sink } from '../../store/sink.js';
import type { Store } from '../../store/types.js';
import { startTraining, type TrainingServices } from '../../train/service.js';
import { configFrom } from '../context.js';
import { parseSeconds } from '../parse.js';
import { boundStop, nextSignalOrTimer } from '../signals.js';
import { guardLines } from './guard.js';

interface UpOptions {
  for?: string;
  live?: boolean;
  dryRun?: boolean;
}

/**
 * `landfall up`: the whole system in one process. On the defaults every engine is embedded
 * (in-process bus, chDB); a config that names servers runs the same services against them.
 * In paper mode the simulator (wall pace) feeds an arbitrage and a backrun agent, whose
 * telemetry goes over the bus into the sink like any other producer's.
 */
export function registerUp(program: Command): void {
  program
    .command('up')
    .description('run the system in one process on the configured engines (embedded by default)')
    .option(
      '--for <seconds>',
      'stop by itself after this many seconds (default: until SIGINT/SIGTERM)',
    )
    .option(
      '--live',
      'mode live: run the agents on Solana (the config names every live.* endpoint)',
    )
    .option('--dry-run', 'with --live: simulate bundles and transactions instead of sending them')
    .action(async (opts: UpOptions, command: Command) => {
      const loaded = configFrom(command);
      const source = loaded.source;
      // Paper mode without a key gets a per-process secret: the API is never open (dev-secret.ts).
      const { config, generated: generatedSecret } = withPaperSecret(loaded.config);
      const runFor = opts.for === undefined ? undefined : parseSeconds('--for', opts.for);
      if ((opts.dryRun && !opts.live) || (opts.live && config.mode !== 'live')) {
        throw new LandfallError(
          'LF_CLI_USAGE',
          `--live needs mode: live in the config (it says ${config.mode}), and --dry-run needs --live`,
        );
      }
      const log = createLogger(config.log.level, 'up');
      const store = await openStore(config.store, { home: config.home });
      let bus: Bus | undefined;
      let paper: PaperRun | undefined;
      let api: RunningApi | undefined;
      let guard: Guard | undefined;
      let gateway: Gateway | undefined;
      let training: TrainingServices | undefined;
      try {
        const migrated = await migrateStore(store, config);
        bus = await createBus(config.bus);
        const typed = new TypedBus(bus);
        const sink = await Sink.start({
          bus: typed,
          store,
          logger: log,
          ...config.store.sink,
        });
        training = await startTraining({ config, bus: typed, store, log });
        if (config.mode === 'paper') {
          paper = await startPaper({
            config,
            publisher: typed,
            controlBus: typed,
            modules: ['arb', 'mev'],
            log,
          });
        } else if (opts.live) {
          paper = await startLive({
            config,
            bus: typed,
            modules: ['arb', 'mev'],
            log,
            dryRun: opts.dryRun === true,
            env: process.env,
          });
        }
        // On the market's clock, which stamps the agents' metrics (wall time × sim.speed).
        if (config.guard.enabled) {
          guard = await startGuard({
            bus: typed,
            clock: paper?.clock ?? systemClock,
            config: config.guard,
            log,
          });
        }
        const embedded = await startEmbeddedApi({
          config,
          generatedSecret,
          bus: typed,
          store,
          logger: log,
          sinkStats: () => sink.stats(),
          // The gateway shares the API's server: /ws and the dashboard at /.
          extend: async (app) => {
            const verifier = await createVerifier(config.auth);
            gateway = await attachGateway(app, { config, bus: typed, verifier, log });
          },
        });
        api = embedded.api;
        const health = await store.health();
        process.stdout.write(
          banner(config, source, store, health.detail, migrated.tiering, [
            ...(paper?.lines ?? []),
            ...(config.mode === 'live' && paper === undefined
              ? ['  agents off: mode live trades only with --live (or --live --dry-run)']
              : []),
            ...training.lines,
            ...(guard === undefined
              ? ['  guard  off (guard.enabled: false)']
              : guardLines(config.guard)),
            ...embedded.lines,
            ...(gateway?.lines(api.url) ?? []),
          ]),
        );
        const reason = await nextSignalOrTimer(runFor);
        process.stdout.write(`stopping (${reason}): storing what is pending\n`);
        const stopped = boundStop(log, 'up', 30);
        // No new commands while stopping; then agents, so their last outcomes and metrics
        // reach the sink before it drains.
        await gateway?.stop();
        await api.stop();
        await guard?.stop();
        await training.stop();
        await paper?.stop();
        await sink.stop();
        stopped();
        if (paper !== undefined) process.stdout.write(`${summaryLines(paper).join('\n')}\n`);
        const stats = sink.stats();
        process.stdout.write(
          `stopped: ${stats.rowsInserted} rows stored in ${stats.batches} batches\n`,
        );
      } finally {
        await gateway?.stop();
        await api?.stop();
        await guard?.stop();
        await training?.stop();
        await paper?.stop();
        await bus?.close();
        await store.close();
      }
    });
}

function banner(
  config: Config,
  source: string | undefined,
  store: Store,
  detail: string,
  tiering: boolean,
  agentLines: readonly string[],
) {
  const ttl = config.store.ttl;
  const busLine =
    config.bus.kind === 'memory'
      ? 'memory (in-process)'
      : `${config.bus.kind} ${(config.bus.kind === 'nats' ? config.bus.nats.servers : config.bus.kafka.brokers).join(', ')}`;
  const lines = [
    `landfall up: ${config.mode} mode, config ${source ?? 'embedded defaults'}`,
    `  home   ${resolve(config.home)}`,
    `  bus    ${busLine}`,
    `  store  ${detail}, database ${store.database}; ${
      tiering
        ? `tiering hot→cold after ${ttl.moveToColdDays} d, delete after ${ttl.deleteDays} d`
        : `delete after ${ttl.deleteDays} d (no tiering)`
    }`,
    ...agentLines,
    `  sink   ${sinkTables.map((t) => t.topic).join(', ')} → ClickHouse`,
    'stop with Ctrl-C; pending rows are stored first',
  ];
  return `${lines.join('\n')}\n`;
}
