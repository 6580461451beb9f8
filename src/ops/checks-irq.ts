import { type CheckContext, type CheckLine, fail, pass, warn } from './check.js';
import { formatCpuList, type Host, parseCpuList } from './host.js';

/** The NIC to check: the configured one, or the first non-loopback interface with a device. */
function pickNic(host: Host, configured: string): { nic: string } | { reason: string } {
  if (configured !== '') return { nic: configured };
  const nets = host.list('/sys/class/net');
  if (!nets.ok) return { reason: nets.reason };
  const nic = nets.value.find((n) => n !== 'lo' && host.list(`/sys/class/net/${n}/device`).ok);
  return nic === undefined ? { reason: 'no network interface with a device' } : { nic };
}

/**
 * The NIC's interrupt numbers: its MSI vectors (on the PCI function, or its parent for virtio),
 * else the /proc/interrupts lines named after the interface or its device.
 */
function nicIrqs(host: Host, nic: string): number[] {
  for (const dir of [
    `/sys/class/net/${nic}/device/msi_irqs`,
    `/sys/class/net/${nic}/device/../msi_irqs`,
  ]) {
    const r = host.list(dir);
    if (r.ok && r.value.length > 0) return r.value.map(Number).filter(Number.isInteger);
  }
  const table = host.read('/proc/interrupts');
  if (!table.ok) return [];
  const names = [nic, host.linkName(`/sys/class/net/${nic}/device`)].filter(
    (n): n is string => n !== undefined,
  );
  const irqs: number[] = [];
  for (const line of table.value.split('\n')) {
    const m = /^\s*(\d+):.*\s(\S+)\s*$/.exec(line);
    if (m === null) continue;
    const label = m[2] ?? '';
    if (names.some((n) => label === n || label.startsWith(`${n}-`))) irqs.push(Number(m[1]));
  }
  return irqs;
}

/** The NIC's interrupts must land on housekeeping CPUs, never on the agents' hot CPUs. */
export function checkNicIrqs({ host, expect }: CheckContext): CheckLine[] {
  const id = 'irq.nic';
  const picked = pickNic(host, expect.nic);
  if ('reason' in picked) return [warn(id, picked.reason, 'set ops.doctor.nic to the trading NIC')];
  const { nic } = picked;
  const isolated = host.value('/sys/devices/system/cpu/isolated');
  const hot = [
    ...new Set([...expect.agentCpus, ...(isolated.ok ? parseCpuList(isolated.value) : [])]),
  ];
  const online = host.value('/sys/devices/system/cpu/online');
  const housekeeping = online.ok ? parseCpuList(online.value).filter((c) => !hot.includes(c)) : [];
  const irqs = nicIrqs(host, nic);
  if (irqs.length === 0) {
    return [
      warn(
        id,
        `${nic}: no interrupts found (msi_irqs, /proc/interrupts)`,
        'set ops.doctor.nic to the trading NIC',
      ),
    ];
  }
  const affinity: { irq: number; cpus: number[] }[] = [];
  for (const irq of irqs) {
    const r = host.value(`/proc/irq/${irq}/smp_affinity_list`);
    if (!r.ok) return [warn(id, `${nic}: ${r.reason}`, 'run landfall doctor as root')];
    affinity.push({ irq, cpus: parseCpuList(r.value) });
  }
  const seen = affinity.map((a) => `${a.irq}→${formatCpuList(a.cpus)}`).join(' ');
  // Every CPU hot leaves interrupts nowhere to go: say so rather than print an empty mask.
  const target = formatCpuList(housekeeping) || '<a housekeeping CPU: leave one out of agent.cpus>';
  const fixFor = (list: { irq: number }[]) =>
    `${list.map((a) => `echo ${target} > /proc/irq/${a.irq}/smp_affinity_list`).join('; ')}; and IRQBALANCE_BANNED_CPULIST=${formatCpuList(hot)} in /etc/default/irqbalance`;
  if (hot.length === 0) {
    return [
      warn(
        id,
        `${nic} IRQs ${seen}; no hot CPUs to keep them off (no isolated CPUs, agent.cpus empty)`,
        'isolate the hot CPUs (cpu.isolated) and set agent.cpus',
      ),
    ];
  }
  const onHot = affinity.filter((a) => a.cpus.some((c) => hot.includes(c)));
  if (onHot.length > 0) {
    return [fail(id, `${nic} IRQs ${seen} reach hot CPUs ${formatCpuList(hot)}`, fixFor(onHot))];
  }
  return [pass(id, `${nic} IRQs ${seen}, off hot CPUs ${formatCpuList(hot)}`)];
}
