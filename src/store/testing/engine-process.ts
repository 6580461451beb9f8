import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TS_CHILD_ARGS } from '../../testing/ts-child.js';
import type { EngineChildJob } from './engine-child.js';

export type { EngineChildJob };

const CHILD = fileURLToPath(new URL('./engine-child.ts', import.meta.url));

/** Runs `job` in a fresh engine in its own process (see engine-child.ts); its query results. */
export function inChild(
  job: EngineChildJob,
  env: Record<string, string> = {},
): Promise<unknown[][]> {
  const child = spawn(process.execPath, [...TS_CHILD_ARGS, CHILD, JSON.stringify(job)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000);
  });
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(stdout) as unknown[][])
        : reject(new Error(`engine child exited ${code}: ${stderr}`)),
    ),
  );
}
