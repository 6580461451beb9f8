import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sleep } from '../bus/delivery.js';
import { LandfallError } from '../errors.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

/** The agents' placement a bench run may set from its environment; nothing else comes through. */
const PASSED_THROUGH = [
  'LANDFALL_AGENT__THREAD',
  'LANDFALL_AGENT__CPUS',
  'LANDFALL_AGENT__PRIORITY',
  'LANDFALL_AGENT__RT_PRIORITY',
] as const;

/**
 * `landfall up` from the build as the `up` benches run it: in its own process in `cwd`, with
 * only PATH, `env` and the agents' placement (PASSED_THROUGH) from the environment (API on a
 * free port, errors-only logs): `LANDFALL_AGENT__THREAD=false npm run bench -- up` measures the
 * agents on the main thread, `LANDFALL_AGENT__PRIORITY=nice` with their thread prioritised.
 */
export function spawnUp(
  cwd: string,
  args: readonly string[],
  env: Record<string, string> = {},
): ChildProcess {
  const entry = `const { main } = await import(${JSON.stringify(CLI)}); process.exitCode = await main(['node', 'landfall', ...process.argv.slice(1)]);`;
  return spawn(process.execPath, ['--input-type=module', '-e', entry, '--', 'up', ...args], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      ...Object.fromEntries(
        PASSED_THROUGH.flatMap((k) => (process.env[k] === undefined ? [] : [[k, process.env[k]]])),
      ),
      LANDFALL_API__PORT: '0',
      LANDFALL_LOG__LEVEL: 'error',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * The API's URL and the admin token from the banner `landfall up` prints, as soon as both are
 * there (and what it writes to stderr from then on); fails when the process exits first or
 * after `giveUpMs`.
 */
export async function upBanner(
  child: ChildProcess,
  giveUpMs: number,
): Promise<{ base: string; token: string; stderr: () => string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const began = performance.now();
  for (;;) {
    if (child.exitCode !== null)
      throw new LandfallError('LF_INTERNAL', `landfall up exited early: ${stderr.slice(-500)}`);
    if (performance.now() - began > giveUpMs)
      throw new LandfallError('LF_INTERNAL', `no banner from landfall up after ${giveUpMs} ms`);
    const base = /api {4}(http:\/\/\S+)\/api/.exec(stdout)?.[1];
    const token = /token {2}admin[^:]*: (\S+)/.exec(stdout)?.[1];
    if (base !== undefined && token !== undefined) return { base, token, stderr: () => stderr };
    await sleep(50);
  }
}

/** SIGTERM (it stores what is pending), SIGKILL after 30 s; resolves once it has exited. */
export async function stopUp(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const forced = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(forced);
}
