import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Module } from '../market/types.js';
import type { GoldenVector } from './manifest.js';

/**
 * Validates a candidate library in a child process before any serving process maps it: some
 * faults cannot be caught in-process (a truncated library raises SIGBUS inside the dynamic
 * loader, a constructor may abort, predict may never return), and one would end, or with chDB
 * loaded hang, the agent. The child (probe-child.cjs) loads the file, checks the ABI table,
 * replays the golden vectors, times predict against a budget and feeds it random vectors with
 * NaN and ±Inf whose answers must be finite and in [0, 1]; its verdict, a crash (by signal or
 * exit) or the wall-clock limit decides. Only a candidate the child accepted is mapped by the
 * caller (loader.ts). A start validates in a child of its own (a Node start, about 0.1 s);
 * reloads share one worker process (a few ms each) that is replaced after every rejection, so
 * no rejected library stays mapped anywhere. Only on a new library, never per prediction.
 */
export interface ProbeInput {
  file: string;
  module: Module;
  /** The length of the feature vector the agent computes. */
  nFeatures: number;
  golden: readonly GoldenVector[];
  /** Largest |Δ| between a golden vector's recorded and reproduced prediction. */
  tolerance: number;
}

/** Limits of one validation (config `model.sandbox`). */
export interface SandboxLimits {
  /** Wall-clock limit, child start to verdict. */
  timeoutMs: number;
  /** Random vectors whose answers must be finite and in [0, 1]. */
  randomVectors: number;
  /** Median predict latency allowed, µs. */
  predictBudgetUs: number;
}

/** The defaults of `model.sandbox`; generous on time, as a loaded host starts Node slowly. */
export const DEFAULT_SANDBOX: SandboxLimits = {
  timeoutMs: 15_000,
  randomVectors: 2_000,
  predictBudgetUs: 200,
};

/** Random vectors are drawn from this seed: the same candidate meets the same vectors. */
const SEED = 0x1a4df411;

const require = createRequire(import.meta.url);

/** The child script, beside this file in src/, or in src/ when running from dist/. */
function childScript(): string {
  for (const rel of ['./probe-child.cjs', '../../src/model/probe-child.cjs']) {
    const url = new URL(rel, import.meta.url);
    if (existsSync(url)) return fileURLToPath(url);
  }
  throw new Error('probe-child.cjs not found beside src/model');
}

function specOf(input: ProbeInput, limits: SandboxLimits) {
  return {
    file: input.file,
    module: input.module,
    nFeatures: input.nFeatures,
    golden: input.golden,
    tolerance: input.tolerance,
    randomVectors: limits.randomVectors,
    budgetUs: limits.predictBudgetUs,
    seed: SEED,
  };
}

function argsOf(input: ProbeInput, limits: SandboxLimits): string[] {
  return [childScript(), require.resolve('koffi'), JSON.stringify(specOf(input, limits))];
}

/** The child's verdict line, or the last step it announced before it ended. */
function lastStep(stdout: string): string {
  return stdout.trim().split('\n').at(-1) || 'starting';
}

/** Why the library must be refused, or undefined when the child accepted it. */
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
  if (step.startsWith('reject ')) return step.slice('reject '.length);
  if (step.startsWith('accept')) return undefined;
  return `the probe process ended without a verdict after ${step}`;
}

/** Probes synchronously: for a start, before anything is served. */
export function probeLibrarySync(
  input: ProbeInput,
  limits: SandboxLimits = DEFAULT_SANDBOX,
): string | undefined {
  const timeoutMs = limits.timeoutMs;
  const r = spawnSync(process.execPath, argsOf(input, limits), {
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
  finish: (reason: string | undefined) => void;
}

/**
 * One probe process per agent process, kept while probes come and closed after IDLE_MS:
 * a hot reload then costs a few ms instead of a Node start, and an idle agent runs no extra
 * process. A process that judged a library bad is killed, whatever the reason: the rejected
 * library (its constructor may have left threads or handlers behind) never judges the next.
 */
const IDLE_MS = 10_000;

class ProbeWorker {
  #child: ChildProcessWithoutNullStreams | undefined;
  #job: Job | undefined;
  #stderr = '';
  #chain: Promise<unknown> = Promise.resolve();
  #idle: NodeJS.Timeout | undefined;

  probe(input: ProbeInput, limits: SandboxLimits): Promise<string | undefined> {
    const run = this.#chain.then(() => this.#run(input, limits));
    this.#chain = run.catch(() => {});
    return run;
  }

  #run(input: ProbeInput, limits: SandboxLimits): Promise<string | undefined> {
    clearTimeout(this.#idle);
    return new Promise((resolve) => {
      const child = this.#child ?? this.#spawn();
      const timer = setTimeout(() => {
        job.timedOut = true;
        child.kill('SIGKILL');
      }, limits.timeoutMs);
      timer.unref();
      const job: Job = {
        step: 'starting',
        timedOut: false,
        timeoutMs: limits.timeoutMs,
        finish: (reason) => {
          clearTimeout(timer);
          this.#job = undefined;
          if (reason !== undefined) this.#retire(child);
          this.#idle = setTimeout(() => this.close(), IDLE_MS);
          this.#idle.unref();
          resolve(reason);
        },
      };
      this.#job = job;
      this.#stderr = '';
      child.stdin.write(`${JSON.stringify(specOf(input, limits))}\n`);
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
        if (line.startsWith('accept') || line.startsWith('reject ')) {
          job.finish(verdict(0, null, false, job.timeoutMs, line, ''));
        } else job.step = line;
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

  #retire(child: ChildProcessWithoutNullStreams): void {
    if (this.#child === child) this.#child = undefined;
    child.kill('SIGKILL');
  }

  close(): void {
    clearTimeout(this.#idle);
    const child = this.#child;
    if (child === undefined) return;
    // End of input lets it exit; a library that left a thread running would keep it alive.
    child.stdin.end();
    this.#retire(child);
  }
}

let worker: ProbeWorker | undefined;

/** Probes without blocking the event loop: for a reload while the agent serves. */
export function probeLibrary(
  input: ProbeInput,
  limits: SandboxLimits = DEFAULT_SANDBOX,
): Promise<string | undefined> {
  worker ??= new ProbeWorker();
  return worker.probe(input, limits);
}
