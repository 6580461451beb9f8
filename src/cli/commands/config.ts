import type { Command } from 'commander';
import { stringify } from 'yaml';
import type { Config } from '../../config/schema.js';
import { configFrom } from '../context.js';

export function registerConfig(program: Command): void {
  program
    .command('config')
    .description('validate the configuration and print it as resolved (secrets redacted)')
    .option('--json', 'print JSON instead of YAML')
    .action((opts: { json?: boolean }, command: Command) => {
      const { config, source } = configFrom(command);
      const shown = redact(config);
      process.stderr.write(`config: ${source ?? 'embedded defaults'} (+ environment)\n`);
      process.stdout.write(opts.json ? `${JSON.stringify(shown, null, 2)}\n` : stringify(shown));
    });
}

function redact(config: Config): Config {
  const copy = structuredClone(config);
  if (copy.store.password) copy.store.password = '***';
  if (copy.auth.hmacSecret) copy.auth.hmacSecret = '***';
  return copy;
}
