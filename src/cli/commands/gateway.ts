import type { Command } from 'commander';
import { createVerifier } from '../../auth/verify.js';
import { createBus } from '../../bus/create.js';
import { TypedBus } from '../../bus/typed.js';
import type { Bus } from '../../bus/types.js';
import { startGateway } from '../../gateway/gateway.js';
import { createLogger } from '../../log.js';
import { configFrom } from '../context.js';
import { parseSeconds } from '../parse.js';
import { boundStop, nextSignal } from '../signals.js';

interface GatewayCliOptions {
  statsEvery: string;
}

/**
 * `landfall gateway`: the realtime gateway and the dashboard on their own server
 * (gateway.host:port) against the configured bus. Tokens are verified with the same keys as the
 * API (auth section); the dashboard's REST calls go to the API, so put both behind one origin
 * (a reverse proxy routing /api to the API and /ws and / here) when they run apart.
 */
export function registerGateway(program: Command): void {
  program
    .command('gateway')
    .description('stream bus telemetry to browsers over WebSocket (JWT) and serve the dashboard')
    .option(
      '--stats-every <seconds>',
      'log connected clients and their queues every N s; 0: never',
      '30',
    )
    .action(async (opts: GatewayCliOptions, command: Command) => {
      const { config } = configFrom(command);
      const statsEvery = parseSeconds('--stats-every', opts.statsEvery, { allowZero: true });
      const log = createLogger(config.log.level, 'gateway');
      const verifier = await createVerifier(config.auth);
      let bus: Bus | undefined;
      try {
        bus = await createBus(config.bus);
        const gateway = await startGateway({ config, bus: new TypedBus(bus), verifier, log });
        process.stdout.write(
          `landfall gateway: bus ${config.bus.kind}, auth ${verifier.describe}\n${gateway
            .lines(gateway.url)
            .join('\n')}\n  dashboard ${gateway.url}/\nstop with Ctrl-C\n`,
        );
        const ticker =
          statsEvery > 0
            ? setInterval(() => {
                const clients = gateway.hub.reports();
                log.info(
                  {
                    clients: clients.length,
                    sampled: clients.filter((c) => c.heldFrames > 0).length,
                    frames: Object.fromEntries(gateway.hub.framesByType),
                  },
                  'gateway stats',
                );
              }, statsEvery * 1000)
            : undefined;
        const signal = await nextSignal();
        clearInterval(ticker);
        log.info({ signal }, 'gateway stopping');
        const stopped = boundStop(log, 'gateway', 10);
        await gateway.stop();
        stopped();
      } finally {
        await bus?.close();
      }
    });
}
