import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { freePort, waitForPort } from '../../../testing/servers.js';

/** Why BullMQ tests cannot run here, or undefined when `redis-server` is on PATH. */
export function redisUnavailable(): string | undefined {
  const probe = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0
    ? undefined
    : 'redis-server is not on PATH (Debian: apt-get install redis-server; CI installs it in .ci/run)';
}

/**
 * A real `redis-server` on a free loopback port, in memory only (no RDB, no AOF), for one test
 * file. BullMQ needs Redis ≥ 5; Debian ships 7.
 */
export class RedisServer {
  #child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    const child = spawn(
      'redis-server',
      ['--port', String(server.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.once('error', () => {});
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${stderr}`))),
    );
    exited.catch(() => {});
    server.#child = child;
    await Promise.race([waitForPort(server.port), exited]);
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}
