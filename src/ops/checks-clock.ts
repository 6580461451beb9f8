import { type CheckContext, type CheckLine, fail, pass, warn } from './check.js';
import type { Host } from './host.js';

/** What one time daemon says about the system clock. */
export interface ClockState {
  readonly source: 'ptp' | 'chrony';
  readonly synced: boolean;
  /** Offset of the clock from its reference, µs (signed); undefined when not reported. */
  readonly offsetUs: number | undefined;
  readonly detail: string;
}

/** `chronyc tracking` output → state. */
export function parseChronyTracking(text: string): ClockState {
  const field = (name: string) =>
    new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  const leap = field('Leap status');
  const ref = field('Reference ID');
  const stratum = field('Stratum');
  const system = /^(-?[\d.]+) seconds (fast|slow)/.exec(field('System time'));
  const offsetUs =
    system === null ? undefined : Number(system[1]) * 1e6 * (system[2] === 'slow' ? -1 : 1);
  const synced = leap !== '' && leap !== 'Not synchronised';
  return {
    source: 'chrony',
    synced,
    offsetUs,
    detail: synced
      ? `chrony to ${ref} stratum ${stratum}, leap ${leap}`
      : `chrony: leap status "${leap || 'missing'}"`,
  };
}

/** `pmc -u -b 0 'GET TIME_STATUS_NP'` and `'GET PORT_DATA_SET'` outputs → state (ptp4l's view). */
export function parsePtp(
  timeStatus: string,
  portData: string,
  phc2sysRunning: boolean,
): ClockState {
  const field = (text: string, name: string) =>
    new RegExp(`^\\s*${name}\\s+(\\S+)`, 'm').exec(text)?.[1] ?? '';
  const offsetNs = Number(field(timeStatus, 'master_offset'));
  const gmPresent = field(timeStatus, 'gmPresent') === 'true';
  const state = field(portData, 'portState');
  const gm = field(timeStatus, 'gmIdentity');
  const synced = gmPresent && state === 'SLAVE' && phc2sysRunning;
  const why = [
    gmPresent ? '' : 'no grandmaster',
    state === 'SLAVE' ? '' : `port ${state || 'state unknown'}`,
    phc2sysRunning ? '' : 'phc2sys not running (system clock not steered from the NIC clock)',
  ].filter((s) => s !== '');
  return {
    source: 'ptp',
    synced,
    offsetUs:
      Number.isFinite(offsetNs) && field(timeStatus, 'master_offset') !== ''
        ? offsetNs / 1000
        : undefined,
    detail: synced ? `ptp4l SLAVE to ${gm}, phc2sys running` : `ptp4l: ${why.join(', ')}`,
  };
}

/** Whether a process named `name` runs on the host (scans /proc/<pid>/comm). */
export function processRunning(host: Host, name: string): boolean {
  const procs = host.list('/proc');
  if (!procs.ok) return false;
  return procs.value
    .filter((p) => /^\d+$/.test(p))
    .some((p) => {
      const comm = host.value(`/proc/${p}/comm`);
      return comm.ok && comm.value === name;
    });
}

/** PTP when ptp4l answers, else chrony; the reasons both failed otherwise. */
export async function clockState(host: Host): Promise<ClockState | { reasons: string[] }> {
  const status = await host.commands.run('pmc', ['-u', '-b', '0', 'GET TIME_STATUS_NP']);
  if (status.ok && /master_offset/.test(status.stdout)) {
    const port = await host.commands.run('pmc', ['-u', '-b', '0', 'GET PORT_DATA_SET']);
    return parsePtp(status.stdout, port.ok ? port.stdout : '', processRunning(host, 'phc2sys'));
  }
  const ptpReason = status.ok ? 'pmc: ptp4l did not answer' : status.reason;
  const chrony = await host.commands.run('chronyc', ['tracking']);
  if (chrony.ok) return parseChronyTracking(chrony.stdout);
  return { reasons: [ptpReason, chrony.reason] };
}

export async function checkClock({ host, expect }: CheckContext): Promise<CheckLine[]> {
  const syncFix =
    'PTP: deploy/ptp/ptp4l.conf + phc2sys (deploy/ptp/README.md); without PTP hardware: chrony with deploy/chrony/chrony.conf';
  const state = await clockState(host);
  if ('reasons' in state) {
    const why = state.reasons.join('; ');
    return [
      warn('clock.sync', why, syncFix),
      warn('clock.offset', 'no time daemon reports an offset', syncFix),
    ];
  }
  const lines: CheckLine[] = [
    state.synced ? pass('clock.sync', state.detail) : fail('clock.sync', state.detail, syncFix),
  ];
  const off = state.offsetUs;
  const offFix =
    state.source === 'ptp'
      ? 'check the PTP path (pmc GET PARENT_DATA_SET, switch boundary clock); ptp4l -m for servo state'
      : 'chronyc makestep; add closer servers (deploy/chrony/chrony.conf); chronyc sources -v';
  if (off === undefined)
    lines.push(warn('clock.offset', `${state.source}: no offset reported`, offFix));
  else {
    const seen = `${state.source} ${off >= 0 ? '+' : ''}${off.toFixed(3)} µs (warn > ${expect.offsetWarnUs}, fail > ${expect.offsetFailUs})`;
    const abs = Math.abs(off);
    lines.push(
      abs > expect.offsetFailUs
        ? fail('clock.offset', seen, offFix)
        : abs > expect.offsetWarnUs
          ? warn('clock.offset', seen, offFix)
          : pass('clock.offset', seen),
    );
  }
  return lines;
}
