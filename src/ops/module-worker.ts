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
  if (existsSync(fileURLToPath(compiled))) return new Worker(compiled, options);
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
