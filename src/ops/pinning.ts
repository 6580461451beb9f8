import { constants } from 'node:os';
import koffi from 'koffi';
import { LandfallError } from '../errors.js';
import { formatCpuList } from './host.js';

/**
 * Pins the calling thread (the agent's hot thread is Node's main thread) through libc, raises
 * its scheduling priority when asked and permitted, and reads back what the kernel granted.
 * A refusal (EPERM in a container without CAP_SYS_NICE, EINVAL for CPUs outside the cgroup's
 * cpuset) is not fatal: the agent runs where it is and says so once.
 */
export type Priority = 'normal' | 'nice' | 'fifo';

export interface PinRequest {
  readonly cpus: readonly number[];
  readonly priority: Priority;
  readonly rtPriority: number;
}

export interface PinResult {
  readonly requested: readonly number[];
  /** The thread's affinity as read back from the kernel after the attempt. */
  readonly obtained: readonly number[];
  /** Scheduling as read back: `normal (nice 0)`, `nice -10`, `SCHED_FIFO 10`. */
  readonly scheduling: string;
  /** Why a request was not (fully) granted; empty when everything was. */
  readonly warnings: readonly string[];
}

const CPU_SET_BYTES = 128; // glibc's cpu_set_t: 1024 CPUs
const PRIO_PROCESS = 0;
const SCHED_OTHER = 0;
const SCHED_FIFO = 1;
const NICE = -10;

interface Libc {
  gettid: () => number;
  setaffinity: (tid: number, size: number, mask: Uint8Array) => number;
  getaffinity: (tid: number, size: number, mask: Uint8Array) => number;
  setpriority: (which: number, who: number, prio: number) => number;
  getpriority: (which: number, who: number) => number;
  setscheduler: (tid: number, policy: number, param: Int32Array) => number;
  getscheduler: (tid: number) => number;
  getparam: (tid: number, param: Int32Array) => number;
}

let libc: Libc | undefined;

function load(): Libc {
  if (libc !== undefined) return libc;
  const lib = koffi.load('libc.so.6');
  libc = {
    gettid: lib.func('int gettid()'),
    setaffinity: lib.func('int sched_setaffinity(int pid, size_t size, const uint8_t *mask)'),
    getaffinity: lib.func('int sched_getaffinity(int pid, size_t size, _Out_ uint8_t *mask)'),
    setpriority: lib.func('int setpriority(int which, uint32_t who, int prio)'),
    getpriority: lib.func('int getpriority(int which, uint32_t who)'),
    setscheduler: lib.func('int sched_setscheduler(int pid, int policy, const int32_t *param)'),
    getscheduler: lib.func('int sched_getscheduler(int pid)'),
    getparam: lib.func('int sched_getparam(int pid, _Out_ int32_t *param)'),
  };
  return libc;
}

function errnoName(): string {
  const n = koffi.errno();
  const name = Object.entries(constants.errno).find(([, v]) => v === n)?.[0];
  return name ?? `errno ${n}`;
}

const AFFINITY_WHY: Record<string, string> = {
  EINVAL: "none of those CPUs is online or in this cgroup's cpuset",
  EPERM: 'not permitted to change this thread',
};
const PRIORITY_WHY: Record<string, string> = {
  EPERM:
    'needs CAP_SYS_NICE, or RLIMIT_NICE / RLIMIT_RTPRIO (deploy/systemd/landfall-agent@.service grants them)',
  EACCES: 'needs CAP_SYS_NICE, or RLIMIT_NICE / RLIMIT_RTPRIO',
};

/** `EINVAL, <why>` for the errno the last libc call left. */
function refusal(why: Record<string, string>): string {
  const name = errnoName();
  const explained = why[name];
  return explained === undefined ? name : `${name}, ${explained}`;
}

function maskOf(cpus: readonly number[]): Uint8Array {
  const mask = new Uint8Array(CPU_SET_BYTES);
  for (const c of cpus) {
    if (!Number.isInteger(c) || c < 0 || c >= CPU_SET_BYTES * 8) {
      throw new LandfallError(
        'LF_PIN_INVALID',
        `agent.cpus: CPU ${c} is outside 0..${CPU_SET_BYTES * 8 - 1}`,
      );
    }
    mask[c >> 3] = (mask[c >> 3] ?? 0) | (1 << (c & 7));
  }
  return mask;
}

function cpusOf(mask: Uint8Array): number[] {
  const cpus: number[] = [];
  for (let c = 0; c < mask.length * 8; c++) if (((mask[c >> 3] ?? 0) >> (c & 7)) & 1) cpus.push(c);
  return cpus;
}

/** The calling thread's affinity, from the kernel. */
export function currentAffinity(): number[] {
  const c = load();
  const mask = new Uint8Array(CPU_SET_BYTES);
  if (c.getaffinity(c.gettid(), CPU_SET_BYTES, mask) !== 0) {
    throw new LandfallError('LF_INTERNAL', `sched_getaffinity failed: ${errnoName()}`);
  }
  return cpusOf(mask);
}

function currentScheduling(c: Libc, tid: number): string {
  const policy = c.getscheduler(tid);
  if (policy === SCHED_FIFO) {
    const param = new Int32Array(1);
    c.getparam(tid, param);
    return `SCHED_FIFO ${param[0]}`;
  }
  koffi.errno(0);
  const nice = c.getpriority(PRIO_PROCESS, tid);
  const name = policy === SCHED_OTHER ? 'normal' : `policy ${policy}`;
  return koffi.errno() === 0 ? `${name} (nice ${nice})` : name;
}

/** Pins and prioritises the calling thread as far as the kernel allows; never throws for EPERM. */
export function pinCurrentThread(request: PinRequest): PinResult {
  const c = load();
  const tid = c.gettid();
  const warnings: string[] = [];
  if (request.cpus.length > 0) {
    const mask = maskOf(request.cpus);
    if (c.setaffinity(tid, CPU_SET_BYTES, mask) !== 0) {
      warnings.push(
        `sched_setaffinity(${formatCpuList(request.cpus)}) refused: ${refusal(AFFINITY_WHY)}`,
      );
    }
  }
  if (request.priority === 'nice' && c.setpriority(PRIO_PROCESS, tid, NICE) !== 0) {
    warnings.push(`setpriority(nice ${NICE}) refused: ${refusal(PRIORITY_WHY)}`);
  }
  if (request.priority === 'fifo') {
    const param = Int32Array.of(request.rtPriority);
    if (c.setscheduler(tid, SCHED_FIFO, param) !== 0) {
      warnings.push(
        `sched_setscheduler(SCHED_FIFO ${request.rtPriority}) refused: ${refusal(PRIORITY_WHY)}`,
      );
    }
  }
  const obtained = currentAffinity();
  const wanted = [...new Set(request.cpus)].sort((a, b) => a - b);
  if (
    warnings.length === 0 &&
    wanted.length > 0 &&
    formatCpuList(obtained) !== formatCpuList(wanted)
  ) {
    warnings.push(
      `asked for CPUs ${formatCpuList(wanted)}, the kernel granted ${formatCpuList(obtained)}`,
    );
  }
  return { requested: wanted, obtained, scheduling: currentScheduling(c, tid), warnings };
}

/** One banner line: what the hot thread runs on, as read back. */
export function describePin(result: PinResult): string {
  const on = formatCpuList(result.obtained);
  const asked = formatCpuList(result.requested);
  const head =
    result.requested.length === 0
      ? `hot thread not pinned (agent.cpus empty): runs on CPUs ${on}`
      : on === asked
        ? `hot thread pinned to CPUs ${on} (asked ${asked})`
        : `hot thread NOT pinned as asked (${asked}): runs on CPUs ${on}`;
  return `${head}, scheduling ${result.scheduling}`;
}

let warned = false;

/**
 * Pins at an agent's start: the result for the banner, and one warning per process (two agents
 * in `landfall up` share the one main thread, so a refusal is worth one line, not two).
 */
export function pinHotThread(
  request: PinRequest,
  log: { warn(obj: object, msg: string): void },
): PinResult {
  const result = pinCurrentThread(request);
  if (result.warnings.length > 0 && !warned) {
    warned = true;
    log.warn(
      { warnings: result.warnings, obtained: formatCpuList(result.obtained) },
      'hot thread not pinned or prioritised as configured; running where the kernel put it',
    );
  }
  return result;
}
