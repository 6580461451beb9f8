import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Module } from '../market/types.js';
import type { GoldenVector } from './manifest.js';

/**
 * Maps and exercises a candidate library in a child process before the serving process maps
 * it: some faults cannot be caught in-process (a truncated library raises SIGBUS
 * inside the dynamic loader), and one would end, or with chDB loaded hang, the agent. The
 * child loads the file, calls the ABI export and predicts the golden vectors (probe-child.cjs);
 * only a crash or a timeout is its verdict, everything else is the in-process loader's to judge.
 * A start probes in a child of its own (a Node start, about 0.1 s); reloads share one worker
 * process (a few ms each). Only on a new library, never per prediction.
 */
export interface ProbeInput {
  file: string;
  module: Module;
  golden: readonly GoldenVector[];
}

/** Wall-clock limit of a probe; generous, as a loaded host starts Node slowly. */
export const PROBE_TIMEOUT_MS = 15_000;

const require = createRequire(import.meta.url);

/** The child script, beside this file in src/, or in src/ when running from dist/. */
function childScript(): string {
  for (const rel of ['./probe-child.cjs', '../../src/model/probe-child.cjs']) {
    const url = new URL(rel, import.meta.url);
    if (existsSync(url)) return fileURLToPath(url);
  }
  throw new Error('probe-child.cjs not found beside src/model');
}

function specOf(input: ProbeInput) {
  return { file: input.file, module: input.module, golden: input.golden.map((g) => g.features) };
}

function argsOf(input: ProbeInput): string[] {
  return [childScript(), require.resolve('koffi'), JSON.stringify(specOf(input))];
}

/** The last step the child announced on stdout. */
function lastStep(stdout: string): string {
  return stdout.trim().split('\n').at(-1) || 'starting';
}

/** Why the library must be refused, or undefined when the child survived it. */
function verdict(
  code: number | null,
  signal: NodeJS.Signals | null,
  timedOut: boolean,
  timeoutMs: number,
  step: string,
  stderr: string,
): string | undefined {
  if (timedOut) return `the probe process timed out after ${timeoutMs} ms while ${step}`;
  if (signal !== null) return `the probe process was killed by ${signal} while ${step}`;
  if (code !== 0) {
    return `the probe process failed (exit ${code}) while ${step}: ${stderr.trim().slice(0, 500)}`;
  }
  return undefined;
}

/** Probes synchronously: for a start, before anything is served. */
export function probeLibrarySync(
  input: ProbeInput,
  timeoutMs = PROBE_TIMEOUT_MS,
): string | undefined {
  const r = spawnSync(process.execPath, argsOf(input), {
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  if (r.error !== undefined && !timedOut)
    return `the probe process did not start: ${r.error.message}`;
  return verdict(r.status, r.signal, timedOut, timeoutMs, lastStep(r.stdout), r.stderr);
}

/** A probe on the serving worker: the last step it announced, and how it ends. */
interface Job {
  step: string;
  timedOut: boolean;
  timeoutMs: number;
  finish: (crash: string | undefined) => void;
}

/**
 * One probe process per agent process, kept while probes come and closed after IDLE_MS:
 * a hot reload then costs a few ms instead of a Node start, and an idle agent runs no extra
 * process. A probe that crashes or hangs the child is refused and the child replaced.
 */
const IDLE_MS = 10_000;

class ProbeWorker {
  #child: ChildProcessWithoutNullStreams | undefined;
  #job: Job | undefined;
  #stderr = '';
  #chain: Promise<unknown> = Promise.resolve();
  #idle: NodeJS.Timeout | undefined;

  probe(input: ProbeInput, timeoutMs: number): Promise<string | undefined> {
    const run = this.#chain.then(() => this.#run(input, timeoutMs));
    this.#chain = run.catch(() => {});
    return run;
  }

  #run(input: ProbeInput, timeoutMs: number): Promise<string | undefined> {
    clearTimeout(this.#idle);
    return new Promise((resolve) => {
      const child = this.#child ?? this.#spawn();
      const timer = setTimeout(() => {
        job.timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      timer.unref();
      const job: Job = {
        step: 'starting',
        timedOut: false,
        timeoutMs,
        finish: (crash) => {
          clearTimeout(timer);
          this.#job = undefined;
          this.#idle = setTimeout(() => this.close(), IDLE_MS);
          this.#idle.unref();
          resolve(crash);
        },
      };
      this.#job = job;
      this.#stderr = '';
      child.stdin.write(`${JSON.stringify(specOf(input))}\n`);
    });
  }

  #spawn(): ChildProcessWithoutNullStreams {
    const child = spawn(process.execPath, [childScript(), require.resolve('koffi')]);
    this.#child = child;
    let buffered = '';
    child.stdout.on('data', (c: Buffer) => {
      buffered += c.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const job = this.#job;
        if (job === undefined) continue;
        if (line === 'done' || line.startsWith('error ')) job.finish(undefined);
        else job.step = line;
      }
    });
    child.stderr.on('data', (c: Buffer) => {
      this.#stderr = (this.#stderr + c.toString()).slice(0, 2000);
    });
    child.stdin.on('error', () => {}); // A dead child: its 'close' reports the job.
    child.once('error', (err) =>
      this.#job?.finish(`the probe process did not start: ${err.message}`),
    );
    child.once('close', (code, signal) => {
      if (this.#child === child) this.#child = undefined;
      const job = this.#job;
      if (job === undefined) return;
      job.finish(
        verdict(code, signal, job.timedOut, job.timeoutMs, job.step, this.#stderr) ??
          `the probe process exited (${code}) while ${job.step}`,
      );
    });
    // An idle probe process never keeps a stopping agent alive.
    child.unref();
    for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as Socket).unref();
    return child;
  }

  close(): void {
    clearTimeout(this.#idle);
    this.#child?.stdin.end();
    this.#child = undefined;
  }
}

let worker: ProbeWorker | undefined;

/** Probes without blocking the event loop: for a reload while the agent serves. */
export function probeLibrary(
  input: ProbeInput,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<string | undefined> {
  worker ??= new ProbeWorker();
  return worker.probe(input, timeoutMs);
}
