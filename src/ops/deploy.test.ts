import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { parseCpuList } from './host.js';

const DEPLOY = fileURLToPath(new URL('../../deploy/', import.meta.url));
const SYSTEMD = join(DEPLOY, 'systemd');
const SERVICES = ['sink', 'dispatcher', 'worker', 'api', 'gateway', 'guard'];

/** `Key=value` lines of one section of a unit file (a key may repeat). */
function section(text: string, name: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let inside = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) inside = line === `[${name}]`;
    else if (inside && !line.startsWith('#') && line.includes('=')) {
      const eq = line.indexOf('=');
      out.push([line.slice(0, eq), line.slice(eq + 1)]);
    }
  }
  return out;
}

const unit = (name: string) => readFileSync(join(SYSTEMD, name), 'utf8');
const get = (pairs: Array<[string, string]>, key: string) =>
  pairs.filter(([k]) => k === key).map(([, v]) => v);

describe('deploy/ systemd units', () => {
  it('has a unit for every service, each with restart, CPUs, limits, secrets and an undo', () => {
    const names = ['landfall-agent@.service', ...SERVICES.map((s) => `landfall-${s}.service`)];
    for (const name of names) {
      const text = unit(name);
      const svc = section(text, 'Service');
      expect(get(svc, 'Restart')[0], name).toMatch(/^(on-failure|always)$/);
      expect(get(svc, 'CPUAffinity').length, name).toBeGreaterThan(0);
      expect(get(svc, 'MemoryMax').length, name).toBe(1);
      expect(get(svc, 'TasksMax').length, name).toBe(1);
      expect(get(svc, 'EnvironmentFile'), name).toEqual(['/etc/landfall/landfall.env']);
      expect(text, name).toMatch(/^# Undo:/m);
      const service = name === 'landfall-agent@.service' ? 'agent' : name.slice(9, -8);
      expect(get(svc, 'ExecStart')[0], name).toContain(`/opt/landfall/bin/landfall.js ${service}`);
      const target = section(unit('landfall.target'), 'Unit')
        .map(([, v]) => v)
        .join(' ');
      if (service !== 'agent') expect(target).toContain(name);
    }
  });

  it('pins each agent to its own isolated CPU, consistently with the kernel command line', () => {
    const cmdline = readFileSync(join(DEPLOY, 'kernel/cmdline.conf'), 'utf8');
    const isolated = parseCpuList(/isolcpus=managed_irq,domain,([\d,-]+)/.exec(cmdline)?.[1] ?? '');
    const housekeeping = get(section(unit('landfall-sink.service'), 'Service'), 'CPUAffinity')[0];
    const hk = parseCpuList((housekeeping ?? '').replaceAll(' ', ','));
    expect(hk.some((c) => isolated.includes(c))).toBe(false);
    const hot: number[] = [];
    for (const module of ['arb', 'mev']) {
      const svc = section(unit(`landfall-agent@${module}.service.d/cpus.conf`), 'Service');
      const env = get(svc, 'Environment')[0] ?? '';
      const cpus = JSON.parse(
        /LANDFALL_AGENT__CPUS=(\[[^\]]*\])/.exec(env)?.[1] ?? '[]',
      ) as number[];
      // The value must pass the config schema exactly as the agent will parse it.
      expect(configSchema.parse({ agent: { cpus } }).agent.cpus).toEqual(cpus);
      expect(cpus).toHaveLength(1);
      expect(isolated).toContain(cpus[0]);
      const affinity = get(svc, 'CPUAffinity').at(-1) ?? '';
      expect(parseCpuList(affinity.replaceAll(' ', ','))).toContain(cpus[0]);
      hot.push(...cpus);
    }
    expect(new Set(hot).size).toBe(2);
  });

  const verify = spawnSync('systemd-analyze', ['--version']).status === 0;
  it.skipIf(!verify)(
    'passes systemd-analyze verify without unknown keys (systemd-analyze present)',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'lf-units-'));
      cpSync(SYSTEMD, dir, { recursive: true });
      for (const f of [
        'ptp/landfall-ptp4l.service',
        'ptp/landfall-phc2sys.service',
        'hugepages/landfall-thp.service',
      ]) {
        cpSync(join(DEPLOY, f), join(dir, f.split('/')[1] ?? f));
      }
      const files = readdirSync(dir).filter((f) => /\.(service|target)$/.test(f));
      for (const f of files) {
        const r = spawnSync('systemd-analyze', ['verify', '--man=no', join(dir, f)], {
          encoding: 'utf8',
        });
        // Missing binaries (/opt/landfall, /usr/sbin/ptp4l) are expected off a deployed host.
        const problems = r.stderr
          .split('\n')
          .filter(
            (l) =>
              l.trim() !== '' && !/opt\/landfall|\/usr\/sbin\/|\/usr\/bin\/node|executable/.test(l),
          );
        expect(problems, f).toEqual([]);
      }
    },
  );
});
