import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isLandfallError } from '../errors.js';
import { TS_CHILD_ARGS } from '../testing/ts-child.js';
import { until } from '../testing/until.js';
import { lockDataDirectory } from './embedded-lock.js';

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'lf-lock-'));
}

describe('embedded data directory lock', () => {
  it('refuses a directory held by another live process, naming it', () => {
    const root = dir();
    writeFileSync(join(root, 'landfall.lock'), String(process.ppid));
    let err: unknown;
    try {
      lockDataDirectory(root);
    } catch (e) {
      err = e;
    }
    expect(isLandfallError(err, 'LF_STORE_CONNECT')).toBe(true);
    expect((err as Error).message).toContain(`in use by process ${process.ppid}`);
  });

  it('takes over a lock left by a process that died', () => {
    const root = dir();
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(root, 'landfall.lock'), String(dead));
    const release = lockDataDirectory(root);
    expect(readFileSync(join(root, 'landfall.lock'), 'utf8')).toBe(String(process.pid));
    release();
    expect(existsSync(join(root, 'landfall.lock'))).toBe(false);
  });

  it('lets this process open a directory twice and keeps it locked until the last release', () => {
    const root = dir();
    const first = lockDataDirectory(root);
    const second = lockDataDirectory(root);
    first();
    first();
    expect(existsSync(join(root, 'landfall.lock'))).toBe(true);
    second();
    expect(existsSync(join(root, 'landfall.lock'))).toBe(false);
  });

  it('lets exactly one of 8 processes take over a stale lock at the same moment, 20 times', async () => {
    const lockTs = fileURLToPath(new URL('./embedded-lock.ts', import.meta.url));
    // Each contender waits for "<dir> <start time>", spins to that instant, tries, reports, and
    // keeps what it won (a winner that exited would leave a stale lock the others may take).
    const entry =
      `const { lockDataDirectory } = await import(${JSON.stringify(lockTs)});` +
      "const { createInterface } = await import('node:readline');" +
      'for await (const line of createInterface({ input: process.stdin })) {' +
      "  const [dir, at] = line.split(' ');" +
      '  while (Date.now() < Number(at)) {}' +
      "  let result = 'won';" +
      '  try { lockDataDirectory(dir); } catch (e) { result = e.code ?? String(e); }' +
      '  process.stdout.write(dir + " " + result + "\\n");' +
      '}';
    const children: ChildProcess[] = Array.from({ length: 8 }, () =>
      spawn(process.execPath, [...TS_CHILD_ARGS, '--input-type=module', '-e', entry], {
        stdio: ['pipe', 'pipe', 'inherit'],
      }),
    );
    const results = new Map<string, string[]>();
    for (const child of children) {
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        const [d, result] = line.split(' ');
        results.set(d as string, [...(results.get(d as string) ?? []), result as string]);
      });
    }
    try {
      const dead = spawnSync(process.execPath, ['-e', '']).pid;
      for (let trial = 0; trial < 20; trial++) {
        const root = dir();
        writeFileSync(join(root, 'landfall.lock'), String(dead));
        const at = Date.now() + (trial === 0 ? 3_000 : 100);
        for (const child of children) child.stdin?.write(`${root} ${at}\n`);
        await until(() => (results.get(root)?.length ?? 0) === 8, `8 results for ${root}`, 30_000);
        const got = results.get(root) ?? [];
        expect(`trial ${trial}: ${got.filter((r) => r === 'won').length} won`).toBe(
          `trial ${trial}: 1 won`,
        );
        expect(got.filter((r) => r !== 'won').every((r) => r === 'LF_STORE_CONNECT')).toBe(true);
      }
    } finally {
      for (const child of children) child.kill('SIGKILL');
    }
  }, 120_000);
});
