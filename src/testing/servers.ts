import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free TCP port on loopback, found by binding port 0. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(),
      );
    });
  });
}

export async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface NatsServerOptions {
  /**
   * A nats-server configuration (its own format: `authorization { users = [...] }`, …), e.g.
   * deploy/nats/landfall.conf's users and permissions. Port and address stay the test's; a
   * `jetstream` block must take its `store_dir` from `$LANDFALL_NATS_STORE_DIR` (set to the
   * test's store), as nats-server refuses a store given twice.
   */
  readonly config?: string;
  /** Added to the server's environment (the config's `$NAME` references, e.g. passwords). */
  readonly env?: Record<string, string>;
}

/**
 * A real `nats-server -js` on a free loopback port with its own store directory. `restart()`
 * keeps the port and the store, as an operator restarting the server would.
 */
export class NatsServer {
  #child: ChildProcess | undefined;
  readonly storeDir = mkdtempSync(join(tmpdir(), 'lf-nats-'));

  private constructor(
    readonly port: number,
    private readonly configFile: string | undefined,
    private readonly env: Record<string, string>,
  ) {}

  static async start(options: NatsServerOptions = {}): Promise<NatsServer> {
    let configFile: string | undefined;
    if (options.config !== undefined) {
      configFile = join(mkdtempSync(join(tmpdir(), 'lf-nats-conf-')), 'nats.conf');
      writeFileSync(configFile, options.config);
    }
    const server = new NatsServer(await freePort(), configFile, options.env ?? {});
    await server.#spawn();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** The server process's id while it runs (benchmarks read its CPU time). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  async #spawn(): Promise<void> {
    const child = spawn(
      'nats-server',
      [
        ...(this.configFile === undefined ? ['-sd', this.storeDir] : ['-c', this.configFile]),
        // After -c: the command line wins over the file.
        ...['-js', '-a', '127.0.0.1', '-p', String(this.port)],
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, ...this.env, LANDFALL_NATS_STORE_DIR: this.storeDir },
      },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`nats-server exited (${code}): ${stderr}`))),
    );
    child.once('error', () => {});
    this.#child = child;
    await Promise.race([waitForPort(this.port), exited]);
    // JetStream may still be recovering its store; give it a moment to accept API calls.
    exited.catch(() => {});
  }

  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.#spawn();
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}

/**
 * A real S3 API (s3rver) on a free loopback port, with one bucket, in a process of its own:
 * chDB's queries block this process's event loop, and the engine's S3 requests would then wait
 * on a server that cannot answer. Keys are s3rver's fixed `S3RVER`/`S3RVER`.
 */
export class S3Server {
  static readonly accessKeyId = 'S3RVER';
  static readonly secretAccessKey = 'S3RVER';
  readonly directory = mkdtempSync(join(tmpdir(), 'lf-s3-'));
  #child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    readonly bucket: string,
  ) {}

  static async start(bucket = 'landfall-cold'): Promise<S3Server> {
    const server = new S3Server(await freePort(), bucket);
    const bin = createRequire(import.meta.url).resolve('s3rver/bin/s3rver.js');
    const child = spawn(
      process.execPath,
      [bin, '-a', '127.0.0.1', '-p', String(server.port), '-d', server.directory],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    // The bucket is made through the API once the server listens, as an operator would.
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`s3rver exited (${code}): ${stderr}`))),
    );
    exited.catch(() => {});
    child.once('error', () => {});
    server.#child = child;
    await Promise.race([waitForPort(server.port), exited]);
    const made = await fetch(`${server.url}/${bucket}`, { method: 'PUT' });
    if (!made.ok) throw new Error(`s3rver: creating bucket ${bucket} failed: ${made.status}`);
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The bucket URL with `prefix`, as a ClickHouse S3 disk's `endpoint` takes it. */
  endpoint(prefix: string): string {
    return `${this.url}/${this.bucket}/${prefix}`;
  }

  /** Keys in the bucket under `prefix`, as S3's ListObjectsV2 reports them. */
  async keys(prefix = ''): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const query = new URLSearchParams({ 'list-type': '2', prefix });
      if (token !== undefined) query.set('continuation-token', token);
      const res = await this.#list(query);
      const xml = await res.text();
      for (const m of xml.matchAll(/<Key>([^<]*)<\/Key>/g)) keys.push(m[1] as string);
      token = /<NextContinuationToken>([^<]*)</.exec(xml)?.[1];
    } while (token !== undefined);
    return keys.sort();
  }

  /**
   * One ListObjectsV2 page. A 5xx is retried, as S3 clients do: s3rver lists its directory
   * while the engine deletes objects in it, and a file gone mid-listing answers 500.
   */
  async #list(query: URLSearchParams): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      const res = await fetch(`${this.url}/${this.bucket}?${query}`);
      if (res.ok) return res;
      await res.body?.cancel();
      if (res.status < 500 || attempt === 5) {
        throw new Error(`s3rver: listing ${this.bucket} failed: ${res.status}`);
      }
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }

  async dispose(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child && child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    }
    rmSync(this.directory, { recursive: true, force: true });
  }
}
