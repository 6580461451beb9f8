import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildHandModel } from '../model/hand-built.js';
import { TS_CHILD_ARGS } from '../testing/ts-child.js';

const at = (rel: string) => JSON.stringify(fileURLToPath(new URL(rel, import.meta.url)));

/** Long enough for a loaded machine to start chDB; a hung child is killed after it. */
const BOUND_MS = 45_000;

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  hung: boolean;
  lines: string[];
}

/**
 * A child with chDB open (and queried) and the handler installed, which then dies by `crash`.
 * The old code hung here: chDB's handler parked the thread and the process stayed alive.
 */
function crashWithChdbOpen(home: string, crash: string, installFirst = false): Promise<Ended> {
  const entry = `
    const { openStore } = await import(${at('../store/client.ts')});
    const { validateConfig } = await import(${at('../config/load.ts')});
    const { createLogger } = await import(${at('../log.ts')});
    const { installFatalSignalHandler, fatalSignalHandlerActive } = await import(${at('./fatal-signal.ts')});
    const log = createLogger('info', 'crash-test');
    if (${installFirst}) installFatalSignalHandler(log);
    const store = await openStore(validateConfig({ home: ${JSON.stringify(home)} }).store, { home: ${JSON.stringify(home)} });
    await store.query('SELECT 1');
    if (!${installFirst}) installFatalSignalHandler(log);
    await store.query('SELECT 2');
    // Installed before chDB: its handlers replaced ours, which are put back within a second.
    for (let i = 0; i < 200 && !fatalSignalHandlerActive(); i++) await new Promise((r) => setTimeout(r, 50));
    (await import('node:fs')).writeSync(2, JSON.stringify({ msg: 'ready', active: fatalSignalHandlerActive() }) + '\\n');
    ${crash}
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, [...TS_CHILD_ARGS, '--input-type=module', '-e', entry], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolve) => {
    let hung = false;
    const bound = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, BOUND_MS);
    // 'close': the process has exited and its stderr is fully read.
    child.once('close', (code, signal) => {
      clearTimeout(bound);
      resolve({ code, signal, hung, lines: stderr.trim().split('\n') });
    });
  });
}

function lastLog(ended: Ended): Record<string, unknown> {
  return JSON.parse(ended.lines.at(-1) ?? '{}') as Record<string, unknown>;
}

describe('a fatal signal with chDB open ends the process and says why', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'lf-fatal-'));
  });

  it('SIGSEGV: dies by the signal, last log line names it', async () => {
    const ended = await crashWithChdbOpen(
      join(work, 'segv'),
      "process.kill(process.pid, 'SIGSEGV');",
    );
    expect(ended.hung, ended.lines.join('\n')).toBe(false);
    expect(ended.signal, ended.lines.join('\n')).toBe('SIGSEGV');
    expect(ended.lines.some((l) => l.includes('"active":true'))).toBe(true);
    expect(lastLog(ended)).toMatchObject({
      level: 60,
      name: 'crash-test',
      signal: 'SIGSEGV',
      msg: expect.stringMatching(/^fatal signal SIGSEGV: .*; exiting$/),
    });
    expect(lastLog(ended).time).toEqual(expect.any(Number));
  });

  it('installed before chDB started: put back over chDB, then SIGSEGV is fatal', async () => {
    const ended = await crashWithChdbOpen(
      join(work, 'first'),
      "process.kill(process.pid, 'SIGSEGV');",
      true,
    );
    expect(ended.hung, ended.lines.join('\n')).toBe(false);
    expect(ended.signal, ended.lines.join('\n')).toBe('SIGSEGV');
    expect(lastLog(ended)).toMatchObject({ level: 60, signal: 'SIGSEGV' });
  });

  it('SIGBUS from mapping a truncated model library: dies by SIGBUS, not a hang', async () => {
    const good = join(work, 'good.so');
    await buildHandModel({ module: 'arb', p: 0.5, nFeatures: 3 }, good);
    const truncated = join(work, 'truncated.so');
    writeFileSync(truncated, readFileSync(good).subarray(0, 3000));
    const ended = await crashWithChdbOpen(
      join(work, 'bus'),
      `(await import('koffi')).default.load(${JSON.stringify(truncated)});`,
    );
    expect(ended.hung, ended.lines.join('\n')).toBe(false);
    expect(ended.signal, ended.lines.join('\n')).toBe('SIGBUS');
    expect(lastLog(ended)).toMatchObject({
      level: 60,
      signal: 'SIGBUS',
      msg: expect.stringMatching(/^fatal signal SIGBUS: bus error .* at 0x[0-9a-f]+; exiting$/),
    });
  });
});
