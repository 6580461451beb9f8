import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LandfallProcess } from '../testing/landfall-process.js';
import { parseCpuList } from './host.js';
import { currentAffinity, describePin, pinCurrentThread, pinHotThread } from './pinning.js';

/** What the kernel says a thread may run on (not what our own read-back says). */
function allowedCpus(pid: number, tid = pid): number[] {
  const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
  const line = /^Cpus_allowed_list:\s*(.*)$/m.exec(status)?.[1] ?? '';
  return parseCpuList(line);
}

describe('hot-thread pinning', () => {
  // The test's own main thread is pinned below; give it back its CPUs afterwards.
  const original = currentAffinity();
  afterAll(() => {
    pinCurrentThread({ cpus: original, priority: 'normal', rtPriority: 1 });
  });

  it('pins the calling thread and reports what the kernel granted', () => {
    const target = original.at(-1) ?? 0;
    const r = pinCurrentThread({ cpus: [target], priority: 'normal', rtPriority: 1 });
    expect(r.warnings).toEqual([]);
    expect(r.obtained).toEqual([target]);
    // Node's main thread has tid == pid: the kernel's own view must match the report.
    expect(allowedCpus(process.pid)).toEqual([target]);
    expect(describePin(r)).toBe(
      `hot thread pinned to CPUs ${target} (asked ${target}), scheduling ${r.scheduling}`,
    );
  });

  it('warns once per process however many agents ask', () => {
    const warned: string[] = [];
    const log = { warn: (_: object, msg: string) => warned.push(msg) };
    const first = pinHotThread({ cpus: [1001], priority: 'normal', rtPriority: 1 }, log);
    const second = pinHotThread({ cpus: [1002], priority: 'normal', rtPriority: 1 }, log);
    expect([first.warnings.length, second.warnings.length]).toEqual([1, 1]);
    expect(warned).toEqual([
      'hot thread not pinned or prioritised as configured; running where the kernel put it',
    ]);
  });

  it('warns and keeps running where it was when the CPUs cannot be had', () => {
    const before = currentAffinity();
    const r = pinCurrentThread({ cpus: [1000], priority: 'normal', rtPriority: 1 });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/^sched_setaffinity\(1000\) refused: EINVAL/);
    expect(r.obtained).toEqual(before);
    expect(describePin(r)).toMatch(/^hot thread NOT pinned as asked \(1000\): runs on CPUs /);
  });
});

describe('landfall agent pinning', () => {
  async function runAgent(cpus: string) {
    const cwd = mkdtempSync(join(tmpdir(), 'lf-pin-'));
    const p = new LandfallProcess(
      ['agent', '--module', 'arb', '--for', '3'],
      { LANDFALL_AGENT__CPUS: cpus, LANDFALL_SIM__SPEED: '50' },
      cwd,
    );
    // Poll for the banner, then read the kernel's view of the agent's main thread while it runs.
    for (let i = 0; i < 1200 && !p.stdout.includes('stop with Ctrl-C'); i++) {
      if (p.child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const pid = p.child.pid ?? 0;
    const allowed = p.child.exitCode === null ? allowedCpus(pid) : [];
    const { code } = await p.exited;
    return { code, stdout: p.stdout, logs: p.logs, allowed };
  }

  it('reports the affinity the agent obtained, as the kernel sees it', async () => {
    const cpu = currentAffinity().at(-1) ?? 0;
    const run = await runAgent(`[${cpu}]`);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(`pinning hot thread pinned to CPUs ${cpu} \\(asked ${cpu}\\), scheduling `),
    );
    expect(run.allowed).toEqual([cpu]);
    expect(run.stdout).toContain('stopped (timer)');
  });

  it('warns once and runs when the CPUs are refused', async () => {
    const run = await runAgent('[1000]');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/pinning hot thread NOT pinned as asked \(1000\): runs on CPUs /);
    expect(run.stdout).toMatch(/sched_setaffinity\(1000\) refused: EINVAL/);
    const warnings = run.logs.filter((l) => String(l.msg).startsWith('hot thread not pinned'));
    expect(warnings).toHaveLength(1);
    expect(run.stdout).toContain('stopped (timer)');
  });
});
