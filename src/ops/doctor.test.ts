import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LandfallProcess } from '../testing/landfall-process.js';
import type { CheckLine, Status } from './check.js';
import { parseChronyTracking, parsePtp } from './checks-clock.js';
import { parseSysctlFile, SYSCTLS } from './checks-kernel.js';
import type { DoctorReport } from './doctor.js';
import { formatCpuList, parseCpuList } from './host.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** `landfall doctor --json` as a child process; the hot CPUs are 2-3 and 1024 pages wanted. */
async function doctor(root: string, json = true) {
  const cwd = mkdtempSync(join(tmpdir(), 'lf-doctor-'));
  const env = { LANDFALL_AGENT__CPUS: '[2,3]', LANDFALL_OPS__DOCTOR__HUGE_PAGES: '1024' };
  const p = new LandfallProcess(['doctor', '--root', root, ...(json ? ['--json'] : [])], env, cwd);
  const { code } = await p.exited;
  const stderr = p.logs.map((l) => String(l.msg ?? '')).join('\n');
  return { code, stdout: p.stdout, stderr };
}

function statuses(lines: readonly CheckLine[]): Record<string, Status> {
  return Object.fromEntries(lines.map((l) => [l.id, l.status]));
}

const SYSCTL_IDS = SYSCTLS.map((s) => `sysctl.${s.key}`);

describe('landfall doctor', () => {
  it('passes every line on the tuned fixture host and exits 0', async () => {
    const { code, stdout } = await doctor(join(FIXTURES, 'tuned'));
    const report = JSON.parse(stdout) as DoctorReport;
    expect(code).toBe(0);
    expect(report.lines.filter((l) => l.status !== 'pass')).toEqual([]);
    expect(report.counts).toEqual({ pass: report.lines.length, warn: 0, fail: 0 });
    const byId = Object.fromEntries(report.lines.map((l) => [l.id, l.observed]));
    expect(byId['irq.nic']).toBe('eth0 IRQs 120→0 121→1 122→6 123→7, off hot CPUs 2-5');
    expect(byId['clock.sync']).toBe('ptp4l SLAVE to ec4670.fffe.0a1b2c, phc2sys running');
    expect(byId['clock.offset']).toMatch(/^ptp -0\.012 µs/);
    expect(byId['cpu.governor']).toBe('performance on 0-7');
  });

  it('fails the untuned fixture host with the expected pass/warn/fail lines and fixes', async () => {
    const { code, stdout, stderr } = await doctor(join(FIXTURES, 'untuned'));
    const report = JSON.parse(stdout) as DoctorReport;
    expect(code).toBe(1);
    expect(stderr).toContain(
      'LF_DOCTOR_FAILED: 6 check(s) failed: cpu.isolated, cpu.governor, mem.swap, irq.nic, clock.sync, clock.offset',
    );
    const warnSysctls = SYSCTL_IDS.filter((id) => id !== 'sysctl.net.core.somaxconn');
    expect(statuses(report.lines)).toEqual({
      'cpu.isolated': 'fail',
      'cpu.nohz_full': 'warn',
      'kernel.rcu_nocbs': 'warn',
      'kernel.cstates': 'warn',
      'cpu.governor': 'fail',
      ...Object.fromEntries(warnSysctls.map((id) => [id, 'warn'])),
      'sysctl.net.core.somaxconn': 'pass',
      'persist.sysctl': 'warn',
      'mem.thp': 'warn',
      'mem.thp_defrag': 'warn',
      'mem.hugepages': 'warn',
      'mem.swap': 'fail',
      'irq.nic': 'fail',
      'clock.source': 'warn',
      'clock.sync': 'fail',
      'clock.offset': 'fail',
    });
    const line = (id: string) => report.lines.find((l) => l.id === id);
    expect(line('cpu.governor')?.observed).toBe('powersave on 0-3');
    expect(line('cpu.governor')?.fix).toMatch(/^cpupower frequency-set -g performance/);
    expect(line('mem.swap')?.observed).toBe('swap on /dev/dm-1');
    expect(line('sysctl.net.core.rmem_max')?.fix).toMatch(
      /^sysctl -w net\.core\.rmem_max=33554432/,
    );
    // No msi_irqs here: the NIC's vectors come from /proc/interrupts by name.
    expect(line('irq.nic')?.fix).toContain('echo 0-1 > /proc/irq/130/smp_affinity_list');
    expect(line('clock.offset')?.observed).toMatch(/^chrony -4210\.733 µs/);
    for (const l of report.lines) expect(l.status === 'pass' || l.fix !== '').toBe(true);
  });

  it('prints a table with one status per line and the fix under it', async () => {
    const { stdout } = await doctor(join(FIXTURES, 'untuned'), false);
    expect(stdout).toMatch(/^FAIL {4}mem\.swap +swap on \/dev\/dm-1$/m);
    expect(stdout).toMatch(/^ +fix: swapoff -a, and remove the swap lines from \/etc\/fstab$/m);
    expect(stdout).toMatch(/1 pass, 15 warn, 6 fail\n$/);
  });

  it('refuses a root that is no host, naming it', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'lf-noroot-'));
    const { code, stderr } = await doctor(empty);
    expect(code).toBe(1);
    expect(stderr).toContain(`LF_CLI_USAGE: --root ${empty}: no proc/ or sys/ under it`);
  });

  it('tells the truth about this machine: unreadable files are warnings, never passes', async () => {
    const { code, stdout } = await doctor('/');
    const report = JSON.parse(stdout) as DoctorReport;
    expect(code).toBe(report.counts.fail > 0 ? 1 : 0);
    const tuned = JSON.parse((await doctor(join(FIXTURES, 'tuned'))).stdout) as DoctorReport;
    expect(report.lines.map((l) => l.id)).toEqual(tuned.lines.map((l) => l.id));
    const nohz = report.lines.find((l) => l.id === 'cpu.nohz_full');
    if (!existsSync('/sys/devices/system/cpu/nohz_full')) {
      expect(nohz).toMatchObject({
        status: 'warn',
        observed: expect.stringMatching(/^cannot read/),
      });
    }
    const swaps = readFileSync('/proc/swaps', 'utf8').trim().split('\n').length;
    expect(report.lines.find((l) => l.id === 'mem.swap')?.status).toBe(swaps > 1 ? 'fail' : 'pass');
    for (const l of report.lines.filter((x) => /^cannot (read|list|run)/.test(x.observed))) {
      expect(l.status).toBe('warn');
    }
  });
});

describe('doctor parts', () => {
  it('expects exactly the values deploy/sysctl/90-landfall.conf sets', () => {
    const file = parseSysctlFile(
      readFileSync(join(REPO, 'deploy/sysctl/90-landfall.conf'), 'utf8'),
    );
    expect(Object.fromEntries(file)).toEqual(
      Object.fromEntries(SYSCTLS.map((s) => [s.key, String(s.want)])),
    );
  });

  it('reads and writes kernel CPU lists', () => {
    expect(parseCpuList('0-3,8,10-11\n')).toEqual([0, 1, 2, 3, 8, 10, 11]);
    expect(parseCpuList('(null)')).toEqual([]);
    expect(formatCpuList([11, 0, 1, 2, 8, 10])).toBe('0-2,8,10-11');
    expect(() => parseCpuList('0-3,x')).toThrow(/not a CPU list/);
  });

  it('does not call PTP synchronised without phc2sys steering the system clock', () => {
    const status = '\t\tmaster_offset              250\n\t\tgmPresent                  true\n';
    const port = '\t\tportState               SLAVE\n';
    expect(parsePtp(status, port, false)).toMatchObject({
      synced: false,
      offsetUs: 0.25,
      detail: 'ptp4l: phc2sys not running (system clock not steered from the NIC clock)',
    });
    expect(parsePtp(status, '\t\tportState LISTENING\n', true).detail).toBe(
      'ptp4l: port LISTENING',
    );
  });

  it('reads a synchronised chrony with its signed offset', () => {
    const s = parseChronyTracking(
      'Reference ID    : C0A80001 (ntp1)\nStratum         : 2\nSystem time     : 0.000031250 seconds fast of NTP time\nLeap status     : Normal\n',
    );
    expect(s).toMatchObject({ synced: true, offsetUs: 31.25, source: 'chrony' });
  });
});
