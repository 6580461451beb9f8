import {
  type CheckContext,
  type CheckLine,
  CMDLINE_FIX,
  fail,
  kernelArgs,
  pass,
  warn,
} from './check.js';
import { formatCpuList, parseCpuList } from './host.js';

const CPU_DIR = '/sys/devices/system/cpu';

/** Isolated CPUs: the scheduler puts nothing on them unless pinned there (the agents are). */
export function checkIsolated({ host }: CheckContext): CheckLine[] {
  const id = 'cpu.isolated';
  const r = host.value(`${CPU_DIR}/isolated`);
  if (!r.ok) return [warn(id, r.reason, `isolcpus=<hot cpus>: ${CMDLINE_FIX}`)];
  const cpus = parseCpuList(r.value);
  if (cpus.length === 0) {
    return [
      fail(
        id,
        'no isolated CPUs: the hot thread shares its CPU with everything else',
        `isolcpus=managed_irq,domain,2-5 (your hot CPUs): ${CMDLINE_FIX}`,
      ),
    ];
  }
  return [pass(id, `isolated ${formatCpuList(cpus)}`)];
}

/** nohz_full stops the scheduler tick on a CPU running one task: no 1-4 ms tick jitter. */
export function checkNohzFull({ host }: CheckContext): CheckLine[] {
  const id = 'cpu.nohz_full';
  const fix = `nohz_full=<isolated cpus>: ${CMDLINE_FIX}`;
  const r = host.value(`${CPU_DIR}/nohz_full`);
  if (!r.ok) return [warn(id, `${r.reason} (kernel without CONFIG_NO_HZ_FULL?)`, fix)];
  const cpus = parseCpuList(r.value);
  if (cpus.length === 0) return [warn(id, 'tick runs on every CPU', fix)];
  const isolated = host.value(`${CPU_DIR}/isolated`);
  const iso = isolated.ok ? parseCpuList(isolated.value) : [];
  const missing = iso.filter((c) => !cpus.includes(c));
  if (missing.length > 0) {
    return [
      warn(id, `nohz_full ${formatCpuList(cpus)} misses isolated ${formatCpuList(missing)}`, fix),
    ];
  }
  return [pass(id, `nohz_full ${formatCpuList(cpus)}`)];
}

/** Kernel command-line parameters that have no sysfs echo: read them from /proc/cmdline. */
export function checkCmdline(ctx: CheckContext): CheckLine[] {
  const args = kernelArgs(ctx.host);
  if ('reason' in args) {
    return [
      warn('kernel.rcu_nocbs', args.reason, `rcu_nocbs=<isolated cpus>: ${CMDLINE_FIX}`),
      warn(
        'kernel.cstates',
        args.reason,
        `processor.max_cstate=1 intel_idle.max_cstate=0: ${CMDLINE_FIX}`,
      ),
    ];
  }
  const lines: CheckLine[] = [];
  const rcu = args.get('rcu_nocbs');
  lines.push(
    rcu === undefined
      ? warn(
          'kernel.rcu_nocbs',
          'RCU callbacks run on every CPU, the hot ones included',
          `rcu_nocbs=<isolated cpus>: ${CMDLINE_FIX}`,
        )
      : pass('kernel.rcu_nocbs', `rcu_nocbs=${rcu}`),
  );
  const limits = ['processor.max_cstate', 'intel_idle.max_cstate', 'idle']
    .filter((k) => args.has(k))
    .map((k) => `${k}=${args.get(k)}`);
  const shallow =
    Number(args.get('processor.max_cstate') ?? Number.NaN) <= 1 ||
    args.get('intel_idle.max_cstate') === '0' ||
    args.get('idle') === 'poll';
  lines.push(
    shallow
      ? pass('kernel.cstates', limits.join(' '))
      : warn(
          'kernel.cstates',
          limits.length === 0
            ? 'deep C-states allowed: waking a CPU costs up to ~100 µs'
            : `${limits.join(' ')} still allows deep C-states`,
          `processor.max_cstate=1 intel_idle.max_cstate=0: ${CMDLINE_FIX}`,
        ),
  );
  return lines;
}

/** Every CPU's frequency governor: anything but `performance` ramps up after the burst. */
export function checkGovernor({ host }: CheckContext): CheckLine[] {
  const id = 'cpu.governor';
  const fix =
    'cpupower frequency-set -g performance (persist: deploy/systemd/landfall-cpu-performance.service)';
  const dir = host.list(CPU_DIR);
  if (!dir.ok) return [warn(id, dir.reason, fix)];
  const cpus = dir.value.filter((n) => /^cpu\d+$/.test(n));
  const byGovernor = new Map<string, number[]>();
  let unreadable = '';
  for (const cpu of cpus) {
    const r = host.value(`${CPU_DIR}/${cpu}/cpufreq/scaling_governor`);
    if (!r.ok) {
      unreadable = r.reason;
      continue;
    }
    const list = byGovernor.get(r.value) ?? [];
    list.push(Number(cpu.slice(3)));
    byGovernor.set(r.value, list);
  }
  if (byGovernor.size === 0) {
    return [warn(id, `${unreadable || 'no CPUs listed'} (no cpufreq: a VM, or no driver)`, fix)];
  }
  const seen = [...byGovernor].map(([g, list]) => `${g} on ${formatCpuList(list)}`).join(', ');
  const slow = [...byGovernor.keys()].filter((g) => g !== 'performance');
  return slow.length === 0 ? [pass(id, seen)] : [fail(id, seen, fix)];
}

/** The clock source: `tsc` reads in ~20 ns; others (hpet, kvm-clock) cost more per now(). */
export function checkClocksource({ host }: CheckContext): CheckLine[] {
  const id = 'clock.source';
  const r = host.value('/sys/devices/system/clocksource/clocksource0/current_clocksource');
  const fix = `clocksource=tsc tsc=reliable (only if dmesg shows no "TSC unstable"): ${CMDLINE_FIX}`;
  if (!r.ok) return [warn(id, r.reason, fix)];
  return r.value === 'tsc' ? [pass(id, 'tsc')] : [warn(id, `${r.value} (not tsc)`, fix)];
}
