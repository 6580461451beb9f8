import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { LandfallError } from '../errors.js';

const TS_RESOLVER = new URL('../testing/resolve-ts.mjs', import.meta.url);

/**
 * Starts a worker thread on a module of this package given as its `.js` URL: the built file,
 * or, when running from the TypeScript sources (tests, a source checkout), the `.ts` beside it,
 * loaded with the resolver the tests' child processes use. The worker path is exercised
 * without a build and never from a stale dist/.
 */
export function startModuleWorker(compiled: URL, options: WorkerOptions = {}): Worker {
  if (existsSync(fileURLToPath(compiled))) {
    return new Worker(compiled, { execArgv: workerExecArgv(process.execArgv), ...options });
  }
  const source = new URL(compiled.href.replace(/\.js$/, '.ts'));
  if (!existsSync(fileURLToPath(source)) || !existsSync(fileURLToPath(TS_RESOLVER))) {
    throw new LandfallError('LF_INTERNAL', `no worker module at ${fileURLToPath(compiled)}`);
  }
  // An eval'd worker is a CommonJS script: no top-level await.
  const boot =
    `(async () => { await import(${JSON.stringify(TS_RESOLVER.href)});` +
    `await import(${JSON.stringify(source.href)}); })();`;
  return new Worker(boot, {
    ...options,
    eval: true,
    execArgv: ['--experimental-transform-types', '--disable-warning=ExperimentalWarning'],
  });
}

/**
 * The process's Node options a worker can take: a worker inherits them all by default, and one
 * started from `node --input-type=module -e …` (the benches start `landfall up` so) fails to
 * load its module file under `--input-type`; the eval'd script is not the worker's either.
 */
export function workerExecArgv(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i] as string;
    if (arg === '-e' || arg === '--eval' || arg === '-p' || arg === '--print') i++;
    else if (arg === '--input-type') i++;
    else if (!/^--(input-type|eval|print)=/.test(arg)) kept.push(arg);
  }
  return kept;
}
