import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { describeError } from '../errors.js';
import { createLogger } from '../log.js';
import { installFatalSignalHandler } from '../ops/fatal-signal.js';
import { registerAgent } from './commands/agent.js';
import { registerApi } from './commands/api.js';
import { registerBacktest } from './commands/backtest.js';
import { registerBench } from './commands/bench.js';
import { registerConfig } from './commands/config.js';
import { registerDoctor } from './commands/doctor.js';
import { registerGateway } from './commands/gateway.js';
import { registerGuard } from './commands/guard.js';
import { registerModel } from './commands/model.js';
import { registerProbe } from './commands/probe.js';
import { registerSim } from './commands/sim.js';
import { registerSink } from './commands/sink.js';
import { registerStore } from './commands/store.js';
import { registerToken } from './commands/token.js';
import { registerTrain } from './commands/train.js';
import { registerTrainServices } from './commands/train-services.js';
import { registerUp } from './commands/up.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** The long-running commands. */
const SERVICES = new Set([
  'up',
  'agent',
  'sink',
  'api',
  'gateway',
  'guard',
  'dispatcher',
  'worker',
]);

export function buildProgram(): Command {
  const program = new Command('landfall')
    .description('Solana arbitrage and backrun searcher platform')
    .version(pkg.version)
    .option(
      '-c, --config <file>',
      'config file (default: ./landfall.yaml if present, or $LANDFALL_CONFIG)',
    )
    .showHelpAfterError()
    .exitOverride()
    // A service that crashes in native code must exit and say so, not hang (ops/fatal-signal.ts).
    .hook('preAction', (_program, action) => {
      if (SERVICES.has(action.name()))
        installFatalSignalHandler(createLogger('warn', action.name()));
    });
  registerUp(program);
  registerConfig(program);
  registerBench(program);
  registerSim(program);
  registerStore(program);
  registerSink(program);
  registerAgent(program);
  registerBacktest(program);
  registerModel(program);
  registerTrain(program);
  registerTrainServices(program);
  registerGuard(program);
  registerDoctor(program);
  registerProbe(program);
  registerApi(program);
  registerToken(program);
  registerGateway(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed help, the version, or the usage error.
      return err.exitCode;
    }
    process.stderr.write(`landfall: ${describeError(err)}\n`);
    return 1;
  }
}
