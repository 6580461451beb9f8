import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import WebSocket from 'ws';
import { mintToken } from '../auth/mint.js';
import { configSchema } from '../config/schema.js';
import { DEFAULT_RESULTS_DIR } from './run.js';

/**
 * A bounded soak of `landfall up` on loopback: the whole system in its own process (paper
 * market at ×SOAK_SPEED, so the bus carries that much more telemetry), API load on a read and
 * a write route from this process (200 and 5 requests/s: writes stay under the per-token rate
 * limit, so each takes the whole path: validation, audit, bus, agents), and SOAK_CLIENTS
 * gateway WebSockets, for SOAK_MINUTES (≤ 10). The child's RSS is sampled every 5 s from /proc; at the end it is stopped with
 * SIGTERM. Prints a table and writes bench/results/soak.json: RSS after warm-up, at the end and
 * its peak, requests by status, WebSocket frames, and every log line at error level or above.
 * Usage: `npm run soak` (env SOAK_MINUTES, SOAK_CLIENTS, SOAK_SPEED).
 */
const minutes = Math.min(10, Number(process.env.SOAK_MINUTES ?? 5));
const clients = Number(process.env.SOAK_CLIENTS ?? 50);
const speed = Number(process.env.SOAK_SPEED ?? 20);
const WARMUP_S = 20;
/**
 * How far RSS may rise from warm-up to the end (MB). Uncapped, most of the rise was V8 sizing
 * its heap for the allocation rate (garbage, not live objects: heap snapshots 140 s apart
 * differed by 12 MB while the committed heap grew 190 MB) and ~130 idle engine threads' stacks.
 */
const boundMb = Number(process.env.SOAK_BOUND_MB ?? 250);
/**
 * V8's old-space cap for the child, MB, as a long-running deployment sets it (deploy/systemd):
 * uncapped, V8 grows the heap with the allocation rate towards ~4 GB. 0: V8's default.
 */
const heapMb = Number(process.env.SOAK_HEAP_MB ?? 512);
const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

interface Sample {
  readonly s: number;
  readonly rssMb: number;
  /** RSS split as the kernel counts it: anonymous (heap, arenas) and file-backed (code). */
  readonly anonMb: number;
  readonly fileMb: number;
  readonly threads: number;
  /** Embedded ClickHouse's own account of its allocations (MemoryTracking), MB. */
  readonly engineMb?: number;
  /** V8's committed heap: garbage not yet collected counts here, and in RSS. */
  readonly heapTotalMb?: number;
  /** The process's own view (/metrics): JS heap used and memory outside it, MB. */
  readonly heapMb?: number;
  readonly externalMb?: number;
}

/** A gauge's value from Prometheus text, in MB. */
function gaugeMb(text: string, name: string): number | undefined {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(text);
  return m === null ? undefined : Number(m[1]) / 1024 / 1024;
}

/** RSS and its parts, MB, and the thread count, from /proc/<pid>/status. */
function procMemory(pid: number): Pick<Sample, 'rssMb' | 'anonMb' | 'fileMb' | 'threads'> {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  return {
    rssMb: field('VmRSS') / 1024,
    anonMb: field('RssAnon') / 1024,
    fileMb: field('RssFile') / 1024,
    threads: field('Threads'),
  };
}

async function startUp(
  home: string,
  secret: string,
): Promise<{ child: ChildProcess; url: string; errors: string[] }> {
  const entry = `const { main } = await import(${JSON.stringify(CLI)}); process.exitCode = await main(['node', 'landfall', ...process.argv.slice(1)]);`;
  const heap = heapMb > 0 ? [`--max-old-space-size=${heapMb}`] : [];
  const child = spawn(process.execPath, [...heap, '--input-type=module', '-e', entry, '--', 'up'], {
    cwd: home,
    env: {
      PATH: process.env.PATH ?? '',
      LANDFALL_JWT_SECRET: secret,
      LANDFALL_API__PORT: '0',
      LANDFALL_SIM__SPEED: String(speed),
      LANDFALL_LOG__LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const errors: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
    const lines = stderr.split('\n');
    stderr = lines.pop() ?? '';
    for (const l of lines) if (/"level":(5|6)\d/.test(l)) errors.push(l);
  });
  let stdout = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => {
      stdout += c.toString();
      const m = /api {4}(http:\/\/127\.0\.0\.1:\d+)\/api/.exec(stdout);
      if (m) resolve(m[1] as string);
    });
    child.once('exit', (code) =>
      reject(new Error(`landfall up exited (${code}) before its banner:\n${stdout}`)),
    );
  });
  return { child, url, errors };
}

async function main(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'lf-soak-'));
  const secret = randomBytes(32).toString('hex');
  const { child, url, errors } = await startUp(home, secret);
  const pid = child.pid as number;
  const auth = configSchema.parse({ auth: { hmacSecret: secret } }).auth;
  const token = await mintToken(auth, { role: 'admin', subject: 'soak', ttlSeconds: 3_600 });
  const samples: Sample[] = [];
  const began = Date.now();
  const sample = async () => {
    const s = (Date.now() - began) / 1000;
    const proc = procMemory(pid);
    const text = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } })
      .then((r) => r.text())
      .catch(() => '');
    const heapMb = gaugeMb(text, 'nodejs_heap_size_used_bytes');
    const externalMb = gaugeMb(text, 'nodejs_external_memory_bytes');
    const engineMb = gaugeMb(text, 'landfall_store_engine_memory_bytes');
    const heapTotalMb = gaugeMb(text, 'nodejs_heap_size_total_bytes');
    samples.push({
      s,
      ...proc,
      ...(engineMb === undefined ? {} : { engineMb }),
      ...(heapTotalMb === undefined ? {} : { heapTotalMb }),
      ...(heapMb === undefined ? {} : { heapMb }),
      ...(externalMb === undefined ? {} : { externalMb }),
    });
  };
  const sampler = setInterval(() => void sample(), 5_000);
  let frames = 0;
  const sockets = Array.from({ length: clients }, () => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`, {
      headers: { authorization: `Bearer ${token}` },
    });
    ws.on('message', () => void frames++);
    ws.on('error', (err) => errors.push(`websocket: ${err.message}`));
    return ws;
  });
  const durationS = minutes * 60;
  const load = (path: string, method: 'GET' | 'POST', rate: number, body?: string) =>
    autocannon({
      url: `${url}${path}`,
      method,
      duration: durationS,
      connections: 4,
      overallRate: rate,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body } : {}),
    });
  const [read, write] = await Promise.all([
    load('/api/status', 'GET', 200),
    load(
      '/api/control',
      'POST',
      5,
      JSON.stringify({
        action: 'throttle',
        module: 'arb',
        reason: 'soak',
        throttle: { rateFraction: 0.9, thresholdRaise: 0 },
      }),
    ),
  ]);
  clearInterval(sampler);
  for (const ws of sockets) ws.close();
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  const afterWarmup = samples.find((x) => x.s >= WARMUP_S) ?? samples[0];
  const last = samples.at(-1);
  const peak = Math.max(...samples.map((x) => x.rssMb));
  const half = samples.find((x) => x.s >= durationS / 2) ?? afterWarmup;
  const growthMb = afterWarmup && last ? last.rssMb - afterWarmup.rssMb : Number.NaN;
  const clean =
    code === 0 &&
    errors.length === 0 &&
    read.non2xx + read.errors + write.non2xx + write.errors === 0;
  const result = {
    minutes,
    clients,
    speed,
    heapMb,
    exitCode: code,
    rssMb: { afterWarmup: afterWarmup?.rssMb, end: last?.rssMb, peak },
    growthPct:
      afterWarmup && last ? ((last.rssMb - afterWarmup.rssMb) / afterWarmup.rssMb) * 100 : null,
    growthMb,
    /** Growth over the second half alone: near 0 once memory has found its level. */
    secondHalfGrowthMb: half && last ? last.rssMb - half.rssMb : null,
    boundMb,
    passed: clean && growthMb <= boundMb,
    read: {
      total: read.requests.total,
      non2xx: read.non2xx,
      errors: read.errors,
      p99Ms: read.latency.p99,
    },
    write: {
      total: write.requests.total,
      non2xx: write.non2xx,
      errors: write.errors,
      p99Ms: write.latency.p99,
    },
    websocketFrames: frames,
    errorLogs: errors,
    samples,
  };
  mkdirSync(DEFAULT_RESULTS_DIR, { recursive: true });
  writeFileSync(join(DEFAULT_RESULTS_DIR, 'soak.json'), `${JSON.stringify(result, null, 2)}\n`);
  const row = (k: string, v: unknown) => process.stdout.write(`${k.padEnd(28)} ${String(v)}\n`);
  row('minutes / clients / speed', `${minutes} / ${clients} / ×${speed}`);
  row('V8 old space cap MB', heapMb > 0 ? heapMb : 'default');
  row('RSS after warm-up MB', result.rssMb.afterWarmup?.toFixed(0));
  row('RSS end / peak MB', `${result.rssMb.end?.toFixed(0)} / ${peak.toFixed(0)}`);
  row('RSS growth %', result.growthPct?.toFixed(1));
  row(
    'RSS growth MB (bound)',
    `${growthMb.toFixed(0)} (≤ ${boundMb}); second half ${result.secondHalfGrowthMb?.toFixed(0)}`,
  );
  const heap = (x: Sample | undefined) => `${x?.heapMb?.toFixed(0)} / ${x?.externalMb?.toFixed(0)}`;
  row('JS heap / external MB', `${heap(afterWarmup)} → ${heap(last)}`);
  const parts = (x: Sample | undefined) =>
    `${x?.anonMb.toFixed(0)} / ${x?.fileMb.toFixed(0)} / ${x?.engineMb?.toFixed(0)} / ${x?.threads}`;
  row('anon / file / chDB MB / threads', `${parts(afterWarmup)} → ${parts(last)}`);
  row(
    'GET /api/status',
    `${read.requests.total} (non-2xx ${read.non2xx}, errors ${read.errors}, p99 ${read.latency.p99} ms)`,
  );
  row(
    'POST /api/control',
    `${write.requests.total} (non-2xx ${write.non2xx}, errors ${write.errors}, p99 ${write.latency.p99} ms)`,
  );
  row('websocket frames', frames);
  row('error log lines', errors.length);
  row('exit code', code);
  row('verdict', result.passed ? 'PASS' : 'FAIL');
  if (!result.passed) process.exitCode = 1;
}

await main();
