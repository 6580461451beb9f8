import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { create } from '@bufbuild/protobuf';
import { pino } from 'pino';
import { mintToken } from '../../auth/mint.js';
import { createVerifier } from '../../auth/verify.js';
import { MemoryBus } from '../../bus/memory.js';
import { TypedBus } from '../../bus/typed.js';
import { validateConfig } from '../../config/load.js';
import { startGateway } from '../../gateway/gateway.js';
import { Module } from '../../gen/landfall/v1/jobs_pb.js';
import { MetricsUpdateSchema, TipArmStatSchema } from '../../gen/landfall/v1/realtime_pb.js';
import type { BenchRow, BenchSuite } from '../harness.js';

const CLIENTS = 1_000;
const RATE = 10;
const WARMUP_S = 2;
const MEASURE_S = 20;
const CLIENT_SCRIPT = fileURLToPath(new URL('../gateway-clients.js', import.meta.url));

type Line = { ready?: number; result?: Record<string, number> };

/** Reads the child's JSON lines; resolves the first one that has `key`. */
function lineWith(child: ChildProcess, key: keyof Line): Promise<Line> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    rl.on('line', (text) => {
      const line = JSON.parse(text) as Line;
      if (line[key] !== undefined) {
        rl.close();
        resolve(line);
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`client process exited (${code}) before "${key}"`)),
    );
  });
}

/** Now, just after Date.now() ticks: a send stamp good to a few µs, not to a whole ms. */
function stampAtTick(): number {
  const start = Date.now();
  let now = start;
  while (now === start) now = Date.now();
  return now;
}

/** A metrics update the size of a real one (ten tip arms), stamped with its send time. */
function metrics(i: number, tsMs: number) {
  return create(MetricsUpdateSchema, {
    agentId: `bench-${i % RATE}`,
    module: i % 2 === 0 ? Module.ARBITRAGE : Module.MEV,
    tsMs: BigInt(tsMs),
    hotpathP50Ms: 0.4,
    hotpathP99Ms: 1.8,
    landedPct: 71.5,
    pnl1h: 0.42,
    state: 'running',
    modelVersion: 'abcdef12',
    jitoShare: 0.6,
    tipArms: Array.from({ length: 10 }, (_, k) =>
      create(TipArmStatSchema, { label: `x${k}`, pulls: BigInt(k * 10), meanPayoffShare: 0.1 }),
    ),
  });
}

/** A process that keeps one core busy: the fan-out measured on a machine with other work. */
function burnOneCore(): ChildProcess {
  return spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
}

async function fanout(
  name: string,
  loaded: boolean,
  progress: (done: number, total: number) => void,
): Promise<BenchRow[]> {
  const config = validateConfig({
    home: mkdtempSync(join(tmpdir(), 'lf-bench-gw-')),
    auth: { hmacSecret: `bench-${'x'.repeat(40)}` },
    gateway: { port: 0, webtransport: { enabled: false } },
  });
  const bus = new TypedBus(new MemoryBus());
  const gateway = await startGateway({
    config,
    bus,
    verifier: await createVerifier(config.auth),
    log: pino({ level: 'warn' }),
  });
  const token = await mintToken(config.auth, {
    role: 'viewer',
    subject: 'bench',
    ttlSeconds: 3600,
  });
  const burner = loaded ? burnOneCore() : undefined;
  const child = spawn(process.execPath, [CLIENT_SCRIPT], {
    env: {
      ...process.env,
      GW_URL: `${gateway.url.replace(/^http/, 'ws')}${config.gateway.path}`,
      GW_TOKEN: token,
      GW_CLIENTS: String(CLIENTS),
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  try {
    const ready = await lineWith(child, 'ready');
    if (ready.ready !== CLIENTS) throw new Error(`only ${ready.ready} clients connected`);
    const total = RATE * (WARMUP_S + MEASURE_S);
    const start = performance.now();
    let cpuFrom = process.cpuUsage();
    let wallFrom = start;
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / RATE;
      const wait = due - performance.now() - 2;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const ts = stampAtTick();
      if (i === RATE * WARMUP_S) {
        child.stdin?.write(`record-from ${ts}\n`);
        cpuFrom = process.cpuUsage();
        wallFrom = performance.now();
      }
      await bus.publish('metrics-proto', metrics(i, ts));
      if (i % RATE === 0) progress(i / RATE, WARMUP_S + MEASURE_S);
    }
    const cpu = process.cpuUsage(cpuFrom);
    const gatewayCpuPct = (100 * (cpu.user + cpu.system)) / 1000 / (performance.now() - wallFrom);
    await new Promise((r) => setTimeout(r, 1_000));
    const done = lineWith(child, 'result');
    child.stdin?.write('done\n');
    const r = (await done).result as Record<string, number>;
    const expected = RATE * MEASURE_S;
    const unit = `ms, ${CLIENTS} clients × ${RATE} msgs/s (second process, loopback)`;
    const rows: BenchRow[] = [
      { name, metric: 'p50_ms', value: r.p50 ?? Number.NaN, unit },
      { name, metric: 'p99_ms', value: r.p99 ?? Number.NaN, unit },
      { name, metric: 'max_ms', value: r.max ?? Number.NaN, unit },
      { name, metric: 'clients', value: CLIENTS, unit: 'WebSocket clients' },
      {
        name,
        metric: 'delivered_pct',
        value: (100 * (r.recorded ?? 0)) / (expected * CLIENTS),
        unit: `% of ${expected} measured msgs × ${CLIENTS} clients`,
      },
      {
        name,
        metric: 'min_msgs_per_client',
        value: r.minPerClient ?? 0,
        unit: `of ${expected}`,
      },
    ];
    rows.push(
      {
        name,
        metric: 'gateway_cpu_pct',
        value: gatewayCpuPct,
        unit: '% of one core (gateway process)',
      },
      {
        name,
        metric: 'clients_cpu_pct',
        value: r.cpuPct ?? Number.NaN,
        unit: '% of one core (client process)',
      },
      {
        name,
        // One message becomes CLIENTS frames, written one socket at a time: the last client's
        // latency includes this times CLIENTS on the gateway's one thread.
        metric: 'gateway_cpu_us_per_frame',
        value: (gatewayCpuPct * 1e4) / (RATE * CLIENTS),
        unit: 'µs CPU per client frame (gateway process)',
      },
      {
        name,
        metric: 'load_avg_1m',
        value: loadavg()[0] ?? Number.NaN,
        unit: `on ${availableParallelism()} cores (a shared machine inflates latency)`,
      },
    );
    const sampled = gateway.hub.reports().filter((c) => c.stats.sampledEpisodes > 0).length;
    rows.push({ name, metric: 'sampled_clients', value: sampled, unit: 'clients' });
    return rows;
  } finally {
    // The client process exits by itself after its result; give it a moment to do so.
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    }
    child.kill('SIGTERM');
    burner?.kill('SIGKILL');
    await gateway.stop();
    await bus.bus.close();
  }
}

export const gatewaySuite: BenchSuite = {
  name: 'gateway',
  description:
    `WebSocket fan-out: ${CLIENTS} clients in a second process, ${RATE} msgs/s each, bus ` +
    'publish → client receive latency; fanout.loaded: the same while a CPU-bound process ' +
    'keeps one core busy',
  async run(ctx) {
    const total = 2 * (WARMUP_S + MEASURE_S);
    const rows = await fanout('fanout', false, (d) => ctx.progress(d, total));
    rows.push(
      ...(await fanout('fanout.loaded', true, (d) =>
        ctx.progress(WARMUP_S + MEASURE_S + d, total),
      )),
    );
    return rows;
  },
};
