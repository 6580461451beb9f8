import type { Command } from 'commander';
import { startApi } from '../../api/server.js';
import { createVerifier } from '../../auth/verify.js';
import { createBus } from '../../bus/create.js';
import { TypedBus } from '../../bus/typed.js';
import type { Bus } from '../../bus/types.js';
import { createLogger } from '../../log.js';
import { openStore } from '../../store/client.js';
import { migrateStore } from '../../store/setup.js';
import { configFrom } from '../context.js';
import { boundStop, nextSignal } from '../signals.js';

interface ApiCliOptions {
  migrate: boolean;
}

/**
 * `landfall api`: the control plane on its own, against the configured bus and store. Audit
 * records and training acks reach ClickHouse through the sink (`landfall sink`); the models
 * listed and rolled back are those under this host's `home` (shared with the agents).
 */
export function registerApi(program: Command): void {
  program
    .command('api')
    .description('serve the control-plane REST API (JWT, audit, /metrics) until SIGINT/SIGTERM')
    .option('--no-migrate', 'do not apply pending migrations at start')
    .action(async (opts: ApiCliOptions, command: Command) => {
      const { config } = configFrom(command);
      const log = createLogger(config.log.level, 'api');
      // Fail on a missing or bad key before opening anything.
      const verifier = await createVerifier(config.auth);
      const store = await openStore(config.store, { home: config.home });
      let bus: Bus | undefined;
      try {
        if (opts.migrate) await migrateStore(store, config);
        bus = await createBus(config.bus);
        const api = await startApi({
          config,
          bus: new TypedBus(bus),
          verifier,
          store,
          logger: log,
        });
        log.info({ url: api.url, auth: verifier.describe, bus: config.bus.kind }, 'api listening');
        process.stdout.write(`landfall api: ${api.url} (auth: ${verifier.describe})\n`);
        const signal = await nextSignal();
        log.info({ signal }, 'api stopping');
        const stopped = boundStop(log, 'api', 10);
        await api.stop();
        stopped();
      } finally {
        await bus?.close();
        await store.close();
      }
    });
}
