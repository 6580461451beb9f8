import type { Host } from './host.js';

export type Status = 'pass' | 'warn' | 'fail';

/** One line of the doctor's table: what was checked, what the host has, and the exact fix. */
export interface CheckLine {
  /** Stable id, e.g. `cpu.governor` (tests and scripts key on it). */
  readonly id: string;
  readonly status: Status;
  /** What the host has, in words an operator can compare with the fix. */
  readonly observed: string;
  /** The command or file edit that makes the line pass; '' when it passes. */
  readonly fix: string;
}

/** What the doctor expects, from the `ops` and `agent` config sections. */
export interface Expectations {
  /** The NIC to check; '' = the first non-loopback interface with a device. */
  readonly nic: string;
  /** CPUs the agents pin their hot threads to (agent.cpus); IRQs must stay off them. */
  readonly agentCpus: readonly number[];
  readonly offsetWarnUs: number;
  readonly offsetFailUs: number;
  readonly hugePages: number;
}

export interface CheckContext {
  readonly host: Host;
  readonly expect: Expectations;
}

export type Check = (ctx: CheckContext) => Promise<CheckLine[]> | CheckLine[];

export function pass(id: string, observed: string): CheckLine {
  return { id, status: 'pass', observed, fix: '' };
}

export function warn(id: string, observed: string, fix: string): CheckLine {
  return { id, status: 'warn', observed, fix };
}

export function fail(id: string, observed: string, fix: string): CheckLine {
  return { id, status: 'fail', observed, fix };
}

/** `key=value` pairs of /proc/cmdline (a bare flag maps to ''); undefined when unreadable. */
export function kernelArgs(host: Host): Map<string, string> | { reason: string } {
  const r = host.read('/proc/cmdline');
  if (!r.ok) return { reason: r.reason };
  const args = new Map<string, string>();
  // Arguments after `--` go to init, not the kernel.
  for (const word of r.value.trim().split(/\s+/)) {
    if (word === '--') break;
    const eq = word.indexOf('=');
    if (eq < 0) args.set(word, '');
    else args.set(word.slice(0, eq), word.slice(eq + 1));
  }
  return args;
}

/** Where the kernel command line is set, for every fix that edits it. */
export const CMDLINE_FIX =
  'add it to GRUB_CMDLINE_LINUX in /etc/default/grub (see deploy/kernel/cmdline.conf), then update-grub and reboot';
