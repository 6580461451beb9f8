import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LandfallError } from '../errors.js';
import { type Histogram, parseHistograms } from './histogram.js';

/** The shipped send-path script; the same path from src/ops and from dist/ops (tsc copies no .bt). */
export const SEND_PATH_SCRIPT = fileURLToPath(
  new URL('../../src/ops/bpf/send-path.bt', import.meta.url),
);

/** One closed interval of the probe: every histogram printed for it (empty maps are absent). */
export interface ProbeInterval {
  readonly index: number;
  readonly seconds: number;
  readonly histograms: readonly Histogram[];
}

/** The line the script prints after each interval's maps: `landfall-interval <n> <seconds>`. */
const MARKER = /^landfall-interval (\d+) (\d+)\s*$/;

/**
 * Splits bpftrace's stdout into closed intervals. Text after the last marker is an interval
 * still being printed (or the dump at exit) and is returned as `rest`, for the next chunk.
 */
export function splitIntervals(text: string): { intervals: ProbeInterval[]; rest: string } {
  const intervals: ProbeInterval[] = [];
  let block: string[] = [];
  const lines = text.split('\n');
  const rest = lines.pop() ?? '';
  for (const line of lines) {
    const m = MARKER.exec(line);
    if (m === null) {
      block.push(line);
      continue;
    }
    intervals.push({
      index: Number(m[1]),
      seconds: Number(m[2]),
      histograms: parseHistograms(block.join('\n')),
    });
    block = [];
  }
  return { intervals, rest: [...block, rest].join('\n') };
}

export interface ProbeOptions {
  readonly pid: number;
  readonly intervalS: number;
  readonly bpftrace: string;
  readonly script?: string;
  /** Called for every closed interval, in order. */
  readonly onInterval: (interval: ProbeInterval) => void;
  /** Ends the probe (SIGINT to bpftrace, which then exits cleanly). */
  readonly stop: Promise<unknown>;
}

export interface ProbeSummary {
  readonly intervals: number;
  /** Everything bpftrace wrote on stderr (warnings included), verbatim. */
  readonly stderr: string;
}

/** Why bpftrace cannot attach on this host, beyond what it says itself. */
function hint(stderr: string): string {
  if (/tracepoint not found/.test(stderr) && !existsSync('/sys/kernel/tracing/events')) {
    return 'tracefs is not mounted at /sys/kernel/tracing (mount -t tracefs nodev /sys/kernel/tracing, as root)';
  }
  if (/only supports running as the root user|Operation not permitted|EPERM/.test(stderr)) {
    return 'run as root, or grant CAP_BPF, CAP_PERFMON and CAP_SYS_RESOURCE (deploy/systemd/landfall-probe@.service runs as root)';
  }
  if (/kernel headers|BTF/.test(stderr))
    return 'the kernel exposes no BTF (/sys/kernel/btf/vmlinux)';
  return '';
}

/** The fatal lines of bpftrace's stderr; the RLIMIT_MEMLOCK notice is printed even on success. */
export function fatalLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => /ERROR/.test(l) && !/RLIMIT_MEMLOCK/.test(l))
    .map((l) => l.trim());
}

/**
 * Runs the send-path script against `pid` until `stop` settles or bpftrace exits, handing each
 * interval to `onInterval`. Throws LF_PROBE_UNAVAILABLE with bpftrace's own reason when it is
 * missing or cannot attach, LF_PROBE_FAILED when it dies later.
 */
export async function runProbe(options: ProbeOptions): Promise<ProbeSummary> {
  if (!existsSync(`/proc/${options.pid}`)) {
    throw new LandfallError('LF_CLI_USAGE', `--pid ${options.pid}: no such process`);
  }
  const script = options.script ?? SEND_PATH_SCRIPT;
  const child = spawn(options.bpftrace, [script, String(options.pid), String(options.intervalS)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let intervals = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    const { intervals: closed, rest } = splitIntervals(stdout + chunk.toString());
    stdout = rest;
    for (const i of closed) {
      intervals++;
      options.onInterval(i);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; spawnError?: NodeJS.ErrnoException }>(
    (resolve) => {
      child.once('error', (err: NodeJS.ErrnoException) => resolve({ code: null, spawnError: err }));
      child.once('close', (code) => resolve({ code }));
    },
  );
  void options.stop.then(() => child.kill('SIGINT'));
  const { code, spawnError } = await exited;
  if (spawnError !== undefined) {
    const why =
      spawnError.code === 'ENOENT'
        ? `bpftrace is not installed ("${options.bpftrace}" not found on PATH): apt-get install bpftrace`
        : `cannot start ${options.bpftrace}: ${spawnError.message}`;
    throw new LandfallError('LF_PROBE_UNAVAILABLE', why, { cause: spawnError });
  }
  if (code !== 0) {
    const fatal = fatalLines(stderr);
    const extra = hint(stderr);
    const said = fatal.length > 0 ? fatal.join(' | ') : stderr.trim() || `exit code ${code}`;
    throw new LandfallError(
      intervals === 0 ? 'LF_PROBE_UNAVAILABLE' : 'LF_PROBE_FAILED',
      `bpftrace exited ${code}${intervals === 0 ? ' before attaching' : ` after ${intervals} intervals`}: ${said}${extra === '' ? '' : `; ${extra}`}`,
    );
  }
  return { intervals, stderr };
}
