import { type CheckContext, type CheckLine, fail, pass, warn } from './check.js';

/** One sysctl of deploy/sysctl/90-landfall.conf and how a host's value is judged against it. */
export interface SysctlExpectation {
  readonly key: string;
  readonly want: number;
  /** `min`: at least `want`; `max`: at most; `eq`: exactly. */
  readonly compare: 'min' | 'max' | 'eq';
  readonly why: string;
}

/** Kept equal to deploy/sysctl/90-landfall.conf (a test compares the two). */
export const SYSCTLS: readonly SysctlExpectation[] = [
  {
    key: 'net.core.busy_poll',
    want: 50,
    compare: 'min',
    why: 'poll the NIC queue in poll/select for 50 µs instead of sleeping',
  },
  { key: 'net.core.busy_read', want: 50, compare: 'min', why: 'busy-poll socket reads for 50 µs' },
  {
    key: 'net.core.rmem_max',
    want: 33_554_432,
    compare: 'min',
    why: 'room for 32 MiB receive buffers (account update bursts)',
  },
  {
    key: 'net.core.wmem_max',
    want: 33_554_432,
    compare: 'min',
    why: 'room for 32 MiB send buffers',
  },
  {
    key: 'net.core.netdev_max_backlog',
    want: 30_000,
    compare: 'min',
    why: 'packets queued per CPU before the kernel drops them',
  },
  {
    key: 'net.core.somaxconn',
    want: 4_096,
    compare: 'min',
    why: 'accept backlog of the API and gateway',
  },
  { key: 'vm.swappiness', want: 1, compare: 'max', why: 'keep hot pages in memory' },
  {
    key: 'kernel.numa_balancing',
    want: 0,
    compare: 'eq',
    why: 'no page migration stalls on the hot thread',
  },
];

const SYSCTL_FIX_FILE = 'deploy/sysctl/90-landfall.conf → /etc/sysctl.d/, then sysctl --system';

export function checkSysctls({ host }: CheckContext): CheckLine[] {
  return SYSCTLS.map((s) => {
    const id = `sysctl.${s.key}`;
    const fix = `sysctl -w ${s.key}=${s.want} (persist: ${SYSCTL_FIX_FILE})`;
    const r = host.value(`/proc/sys/${s.key.replaceAll('.', '/')}`);
    if (!r.ok) return warn(id, r.reason, fix);
    const have = Number(r.value);
    if (!Number.isFinite(have)) return warn(id, `unexpected value "${r.value}"`, fix);
    const ok =
      s.compare === 'min' ? have >= s.want : s.compare === 'max' ? have <= s.want : have === s.want;
    const rule = s.compare === 'min' ? '≥' : s.compare === 'max' ? '≤' : '=';
    return ok ? pass(id, `${have}`) : warn(id, `${have} (want ${rule} ${s.want}: ${s.why})`, fix);
  });
}

/** The `[selected]` word of a sysfs choice file such as `always [madvise] never`. */
function selected(text: string): string | undefined {
  return /\[([^\]]+)\]/.exec(text)?.[1];
}

/**
 * Transparent huge pages: `madvise` lets the agent ask for them (node --use-largepages) without
 * every process paying for compaction; `always` stalls page faults, `never` refuses the agent.
 */
export function checkTransparentHugePages({ host }: CheckContext): CheckLine[] {
  const lines: CheckLine[] = [];
  const base = '/sys/kernel/mm/transparent_hugepage';
  const enabled = host.value(`${base}/enabled`);
  const fixEnabled = `echo madvise > ${base}/enabled (persist: transparent_hugepage=madvise on the kernel command line, deploy/kernel/cmdline.conf)`;
  if (!enabled.ok) lines.push(warn('mem.thp', enabled.reason, fixEnabled));
  else {
    const mode = selected(enabled.value) ?? enabled.value;
    lines.push(
      mode === 'madvise'
        ? pass('mem.thp', 'madvise')
        : warn('mem.thp', `${mode} (want madvise)`, fixEnabled),
    );
  }
  const defrag = host.value(`${base}/defrag`);
  const fixDefrag = `echo defer+madvise > ${base}/defrag (persist: deploy/hugepages/landfall-thp.service)`;
  if (!defrag.ok) lines.push(warn('mem.thp_defrag', defrag.reason, fixDefrag));
  else {
    const mode = selected(defrag.value) ?? defrag.value;
    lines.push(
      mode === 'always'
        ? warn('mem.thp_defrag', 'always: page faults stall on direct compaction', fixDefrag)
        : pass('mem.thp_defrag', mode),
    );
  }
  return lines;
}

/** `HugePages_Total: 512` style fields of /proc/meminfo. */
export function meminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_()0-9]+):\s+(\d+)/.exec(line);
    if (m?.[1] !== undefined) out.set(m[1], Number(m[2]));
  }
  return out;
}

export function checkHugePages({ host, expect }: CheckContext): CheckLine[] {
  const id = 'mem.hugepages';
  const fix = `sysctl -w vm.nr_hugepages=${expect.hugePages} (persist: deploy/hugepages/README.md)`;
  const r = host.read('/proc/meminfo');
  if (!r.ok) return [warn(id, r.reason, fix)];
  const m = meminfo(r.value);
  const total = m.get('HugePages_Total');
  if (total === undefined) return [warn(id, 'no HugePages_Total in /proc/meminfo', fix)];
  const size = m.get('Hugepagesize') ?? 0;
  const seen = `${total} × ${size} kB reserved, ${m.get('HugePages_Free') ?? 0} free`;
  if (total < expect.hugePages) return [warn(id, `${seen} (want ≥ ${expect.hugePages})`, fix)];
  return [pass(id, `${seen} (want ≥ ${expect.hugePages}: ops.doctor.hugePages)`)];
}

/** Swap: a hot page swapped out costs a disk read on the hot path. */
export function checkSwap({ host }: CheckContext): CheckLine[] {
  const id = 'mem.swap';
  const fix = 'swapoff -a, and remove the swap lines from /etc/fstab';
  const r = host.read('/proc/swaps');
  if (!r.ok) return [warn(id, r.reason, fix)];
  const devices = r.value
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((d) => d !== '');
  return devices.length === 0
    ? [pass(id, 'no swap')]
    : [fail(id, `swap on ${devices.join(', ')}`, fix)];
}

/** `key = value` lines of a sysctl.d file (comments and blanks skipped). */
export function parseSysctlFile(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const eq = line.indexOf('=');
    if (eq > 0) out.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return out;
}

/** Runtime values alone are lost at reboot: the profile must be in /etc/sysctl.d. */
export function checkSysctlPersisted({ host }: CheckContext): CheckLine[] {
  const id = 'persist.sysctl';
  const path = '/etc/sysctl.d/90-landfall.conf';
  const fix = `cp deploy/sysctl/90-landfall.conf ${path} && sysctl --system`;
  const r = host.read(path);
  if (!r.ok) return [warn(id, `${r.reason}: runtime sysctls are lost at reboot`, fix)];
  const file = parseSysctlFile(r.value);
  const off = SYSCTLS.filter((s) => file.get(s.key) !== String(s.want)).map((s) => s.key);
  return off.length === 0
    ? [pass(id, `${path} holds the profile`)]
    : [warn(id, `${path} differs on ${off.join(', ')}`, fix)];
}
