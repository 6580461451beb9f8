import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { LandfallError } from '../errors.js';

/** A read that worked, or the reason it did not (shown to the operator as "cannot read …"). */
export type Read<T> = { ok: true; value: T } | { ok: false; reason: string };

/** What a command printed, or why it could not run. */
export type CommandResult = { ok: true; stdout: string } | { ok: false; reason: string };

/**
 * Runs the few commands the doctor needs (`chronyc tracking`, `pmc …`). Injectable, so a
 * fixture host answers from recorded output instead of this machine's daemons.
 */
export interface CommandRunner {
  run(command: string, args: readonly string[]): Promise<CommandResult>;
}

/**
 * The host as the doctor sees it: files under a root (`/`, or a fixture tree with the same
 * layout: `proc/…`, `sys/…`, `etc/…`) and a command runner. Paths are absolute host paths.
 */
export class Host {
  constructor(
    readonly root: string,
    readonly commands: CommandRunner,
  ) {}

  /** Host path → path under the root. Not normalised: `device/../msi_irqs` must follow links. */
  path(hostPath: string): string {
    return this.root === '/' ? hostPath : `${this.root.replace(/\/+$/, '')}${hostPath}`;
  }

  read(hostPath: string): Read<string> {
    try {
      return { ok: true, value: readFileSync(this.path(hostPath), 'utf8') };
    } catch (err) {
      return { ok: false, reason: `cannot read ${hostPath}: ${errno(err)}` };
    }
  }

  /** The first line of a one-value file (sysfs, /proc/sys), trimmed. */
  value(hostPath: string): Read<string> {
    const r = this.read(hostPath);
    return r.ok ? { ok: true, value: r.value.trim() } : r;
  }

  list(hostPath: string): Read<string[]> {
    try {
      return { ok: true, value: readdirSync(this.path(hostPath)).sort() };
    } catch (err) {
      return { ok: false, reason: `cannot list ${hostPath}: ${errno(err)}` };
    }
  }

  /** The last component a symlink points to (e.g. `virtio2` for a virtio NIC's device). */
  linkName(hostPath: string): string | undefined {
    try {
      return basename(readlinkSync(this.path(hostPath)));
    } catch {
      return undefined;
    }
  }
}

function errno(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return code ?? String(err);
}

/** Runs commands on this machine, with a timeout: a hung daemon must not hang the doctor. */
export class ExecRunner implements CommandRunner {
  constructor(private readonly timeoutMs = 5_000) {}

  run(command: string, args: readonly string[]): Promise<CommandResult> {
    return new Promise((resolve) => {
      execFile(command, [...args], { timeout: this.timeoutMs }, (err, stdout, stderr) => {
        if (err === null) return resolve({ ok: true, stdout });
        const code = (err as NodeJS.ErrnoException).code;
        const line = `${command} ${args.join(' ')}`.trim();
        if (code === 'ENOENT')
          return resolve({ ok: false, reason: `cannot run ${line}: not installed` });
        const why = stderr.trim().split('\n')[0] || stdout.trim().split('\n')[0] || err.message;
        resolve({ ok: false, reason: `${line} failed: ${why}` });
      });
    });
  }
}

/**
 * Commands answered from a fixture tree: the output of `chronyc tracking` is the file
 * `<dir>/chronyc_tracking.txt` (command and arguments joined by `_`, unsafe characters
 * dropped). A missing file reads as "not installed", like a host without the tool.
 */
export class RecordedRunner implements CommandRunner {
  constructor(private readonly dir: string) {}

  static fileName(command: string, args: readonly string[]): string {
    const name = [command, ...args].join('_').replace(/\s+/g, '_');
    return `${name.replace(/[^A-Za-z0-9_.-]+/g, '')}.txt`;
  }

  async run(command: string, args: readonly string[]): Promise<CommandResult> {
    const file = join(this.dir, RecordedRunner.fileName(command, args));
    try {
      return { ok: true, stdout: readFileSync(file, 'utf8') };
    } catch {
      return { ok: false, reason: `cannot run ${[command, ...args].join(' ')}: not installed` };
    }
  }
}

/** A CPU list as the kernel writes it (`0-3,8,10-11`); empty and `(null)` are no CPUs. */
export function parseCpuList(text: string): number[] {
  const t = text.trim();
  if (t === '' || t === '(null)') return [];
  const cpus = new Set<number>();
  for (const part of t.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (m === null)
      throw new LandfallError(
        'LF_HOST_UNPARSABLE',
        `"${t}" is not a CPU list (expected e.g. 0-3,8)`,
      );
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    for (let c = lo; c <= hi; c++) cpus.add(c);
  }
  return [...cpus].sort((a, b) => a - b);
}

export function formatCpuList(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
