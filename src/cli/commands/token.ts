import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { mintToken } from '../../auth/mint.js';
import { type Role, roles } from '../../auth/verify.js';
import { LandfallError } from '../../errors.js';
import { configFrom } from '../context.js';

interface TokenOptions {
  role: string;
  ttl: string;
  subject?: string;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** "90", "90s", "15m", "1h", "7d" → seconds. */
export function parseTtl(value: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(value.trim());
  const seconds = match ? Number(match[1]) * (UNIT_SECONDS[match[2] || 's'] ?? 1) : Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds <= 0)
    throw new LandfallError(
      'LF_CLI_USAGE',
      `--ttl expects a duration like 90s, 15m, 1h or 7d, got "${value}"`,
    );
  return seconds;
}

export function registerToken(program: Command): void {
  program
    .command('token')
    .description('mint a development API token (HS256) from LANDFALL_JWT_SECRET and print it')
    .requiredOption('--role <role>', 'admin (may act) or viewer (may read)')
    .option('--ttl <duration>', 'lifetime: 90s, 15m, 1h, 7d', '1h')
    .option('--subject <name>', 'who the token speaks for (audit records name it)')
    .action(async (opts: TokenOptions, command: Command) => {
      const { config } = configFrom(command);
      if (!roles.includes(opts.role as Role))
        throw new LandfallError(
          'LF_CLI_USAGE',
          `--role must be admin or viewer, got "${opts.role}"`,
        );
      const token = await mintToken(config.auth, {
        role: opts.role as Role,
        subject: opts.subject ?? `${opts.role}@${userInfo().username}`,
        ttlSeconds: parseTtl(opts.ttl),
      });
      process.stdout.write(`${token}\n`);
    });
}
