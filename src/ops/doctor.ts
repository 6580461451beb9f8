import type { Config } from '../config/schema.js';
import type { Check, CheckLine, Expectations, Status } from './check.js';
import { checkClock } from './checks-clock.js';
import {
  checkClocksource,
  checkCmdline,
  checkGovernor,
  checkIsolated,
  checkNohzFull,
} from './checks-cpu.js';
import { checkNicIrqs } from './checks-irq.js';
import {
  checkHugePages,
  checkSwap,
  checkSysctlPersisted,
  checkSysctls,
  checkTransparentHugePages,
} from './checks-kernel.js';
import { ExecRunner, Host, RecordedRunner } from './host.js';

/** Every check, in the order the table prints them: CPUs, kernel, memory, network, clock. */
export const CHECKS: readonly Check[] = [
  checkIsolated,
  checkNohzFull,
  checkCmdline,
  checkGovernor,
  checkSysctls,
  checkSysctlPersisted,
  checkTransparentHugePages,
  checkHugePages,
  checkSwap,
  checkNicIrqs,
  checkClocksource,
  checkClock,
];

export interface DoctorReport {
  readonly root: string;
  readonly lines: readonly CheckLine[];
  readonly counts: Record<Status, number>;
}

export function expectationsFrom(config: Config): Expectations {
  return {
    nic: config.ops.doctor.nic,
    agentCpus: config.agent.cpus,
    offsetWarnUs: config.ops.doctor.offsetWarnUs,
    offsetFailUs: config.ops.doctor.offsetFailUs,
    hugePages: config.ops.doctor.hugePages,
  };
}

/**
 * The host at `root`. `/` is this machine and its commands run for real; any other root is a
 * snapshot of a host (a fixture tree) whose `commands/` folder holds the recorded output of
 * `chronyc tracking` and `pmc …` (see RecordedRunner for the file names).
 */
export function hostAt(root: string): Host {
  return new Host(root, root === '/' ? new ExecRunner() : new RecordedRunner(`${root}/commands`));
}

export async function runDoctor(host: Host, expect: Expectations): Promise<DoctorReport> {
  const lines: CheckLine[] = [];
  for (const check of CHECKS) {
    try {
      lines.push(...(await check({ host, expect })));
    } catch (err) {
      // A file with content the check cannot parse is a finding, not a crash of the doctor.
      lines.push({
        id: check.name.replace(/^check/, 'check.').toLowerCase(),
        status: 'warn',
        observed: `unexpected content: ${(err as Error).message}`,
        fix: 'report this host layout to the Landfall maintainers',
      });
    }
  }
  const counts: Record<Status, number> = { pass: 0, warn: 0, fail: 0 };
  for (const l of lines) counts[l.status]++;
  return { root: host.root, lines, counts };
}

/** The pass/warn/fail table: one line per check, its fix on the line below when there is one. */
export function formatReport(report: DoctorReport): string {
  const idWidth = Math.max(...report.lines.map((l) => l.id.length), 5);
  const out = [`landfall doctor: host at ${report.root}`, ''];
  out.push(`${'STATUS'.padEnd(6)}  ${'CHECK'.padEnd(idWidth)}  OBSERVED / FIX`);
  for (const l of report.lines) {
    out.push(`${l.status.toUpperCase().padEnd(6)}  ${l.id.padEnd(idWidth)}  ${l.observed}`);
    if (l.fix !== '') out.push(`${' '.repeat(8 + idWidth)}  fix: ${l.fix}`);
  }
  const { pass, warn, fail } = report.counts;
  out.push('', `${pass} pass, ${warn} warn, ${fail} fail`);
  return `${out.join('\n')}\n`;
}
