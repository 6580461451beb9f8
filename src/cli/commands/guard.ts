import type { Command } from 'commander';
import { controlSignerFrom, controlVerifierFrom } from '../../auth/control-signature.js';
import { createBus } from '../../bus/create.js';
import { TypedBus } from '../../bus/typed.js';
import { guardLines } from '../../guard/banner.js';
import { guardConfigFor } from '../../guard/config.js';
import { startGuard } from '../../guard/guard.js';
import { createLogger } from '../../log.js';
import { systemClock } from '../../market/system-clock.js';
import { configFrom } from '../context.js';
import { parseSeconds } from '../parse.js';
import { nextSignalOrTimer } from '../signals.js';

interface GuardCliOptions {
  for?: string;
}

/**
 * `landfall guard`: the SLO guard as its own service on the configured bus. It judges the
 * agents' metrics on the wall clock, so the agents it watches must stamp wall time (live, or
 * paper at `sim.speed` 1); inside `landfall up` it runs on the market's own clock instead.
 */
export function registerGuard(program: Command): void {
  program
    .command('guard')
    .description(
      'watch the agents’ metrics-proto stream against the SLOs (config guard.*) and throttle or ' +
        'kill modules on control-proto when they burn, until SIGINT/SIGTERM',
    )
    .option('--for <seconds>', 'stop by itself after this many seconds')
    .action(async (opts: GuardCliOptions, command: Command) => {
      const { config } = configFrom(command);
      const runFor = opts.for === undefined ? undefined : parseSeconds('--for', opts.for);
      const log = createLogger(config.log.level, 'guard');
      const settings = guardConfigFor(config.guard, config.mode);
      const bus = await createBus(config.bus);
      try {
        const signer = controlSignerFrom(config);
        const guard = await startGuard({
          bus: new TypedBus(bus),
          clock: systemClock,
          config: settings,
          log,
          signer,
          trust: controlVerifierFrom(config),
        });
        // The public half only: the agents list it in bus.control.trustedKeys.
        const generated =
          config.bus.control.signingKey === undefined ? ' (generated for this process)' : '';
        process.stdout.write(
          [
            `landfall guard: bus ${config.bus.kind}`,
            ...guardLines(settings),
            `  signs control commands with key "${signer.keyId}"${generated}, public key ${signer.publicKey}`,
            'stop with Ctrl-C',
            '',
          ].join('\n'),
        );
        const reason = await nextSignalOrTimer(runFor);
        await guard.stop();
        process.stdout.write(`stopped (${reason}): ${guard.sent.length} control commands sent\n`);
      } finally {
        await bus.close();
      }
    });
}
