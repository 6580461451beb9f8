import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { LandfallError } from '../../errors.js';
import { expectationsFrom, formatReport, hostAt, runDoctor } from '../../ops/doctor.js';
import { configFrom } from '../context.js';

interface DoctorCliOptions {
  root: string;
  json?: boolean;
}

/**
 * `landfall doctor [--root DIR] [--json]`: checks a host against the tuning profiles in
 * deploy/ and prints pass / warn / fail with the exact fix for each line. Exits non-zero when
 * anything fails; a warn (including "cannot read …" on a container) does not.
 */
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(
      'check this host (isolated CPUs, governor, sysctls, huge pages, swap, NIC IRQs, clock sync) against deploy/; exit 1 on any fail',
    )
    .option('--root <dir>', 'read /proc, /sys and /etc under this directory (a host snapshot)', '/')
    .option('--json', 'print the report as JSON')
    .action(async (opts: DoctorCliOptions, command: Command) => {
      const { config } = configFrom(command);
      if (!existsSync(`${opts.root}/proc`) && !existsSync(`${opts.root}/sys`)) {
        throw new LandfallError(
          'LF_CLI_USAGE',
          `--root ${opts.root}: no proc/ or sys/ under it (expected a host root such as /)`,
        );
      }
      const report = await runDoctor(hostAt(opts.root), expectationsFrom(config));
      process.stdout.write(
        opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report),
      );
      const failed = report.lines.filter((l) => l.status === 'fail');
      if (failed.length > 0) {
        throw new LandfallError(
          'LF_DOCTOR_FAILED',
          `${failed.length} check(s) failed: ${failed.map((l) => l.id).join(', ')}`,
        );
      }
    });
}
