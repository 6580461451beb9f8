import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import WebSocket from 'ws';
import { runPolicy } from '../../agent/backtest.js';
import { sleep } from '../../bus/delivery.js';
import { NatsBus } from '../../bus/nats.js';
import { TypedBus } from '../../bus/typed.js';
import { LandfallError } from '../../errors.js';
import { AuditRecordSchema } from '../../gen/landfall/v1/audit_pb.js';
import { GUARD_AGENT_PREFIX } from '../../guard/messages.js';
import { NatsServer } from '../../testing/servers.js';
import type { BenchContext, BenchRow } from '../harness.js';
import { percentile } from '../stats.js';
import { spawnUp, stopUp, upBanner } from '../up-process.js';

/** Rows a second published for the sink of `landfall up` to store, while the hot path is measured. */
const SINK_RATE = 20_000;
const DASHBOARD_CLIENTS = 200;
/** Metrics windows (one per agent per `agent.metricsIntervalMs`) skipped, then measured. */
const SETTLE_S = 5;
const MEASURE_S = 30;
const GIVE_UP_MS = 120_000;
/**
 * The paper market's pace (sim.speed): at wall pace an agent decides a few times a minute, too
 * few decisions for a p99; faster, the agents are busier than live, and the figure stricter.
 */
const SIM_SPEED = 20;

/**
 * `up.hot_path`: the agents' hot path (event → submission built) inside a running `landfall up`
 * (paper, no warm start, NATS bus so the load can come from outside; the agents on their own
 * thread unless LANDFALL_AGENT__THREAD=false is in the bench's environment) while its sink stores
 * SINK_RATE rows/s of audit records (a topic only the sink reads: the gateway forwards none of
 * it and the bench reads none of it back) and
 * DASHBOARD_CLIENTS WebSocket clients are connected; next to it `up.hot_path_standalone`, the
 * same engine in a backtest with nothing else in the process (the `agent` suite's `hot_path`),
 * and `up.hot_path_standalone_paced`, that backtest at `up`'s own pace (see standaloneAtUpPace).
 * p50_us and p99_us are over each decision's own `hot_path_us` (its opportunity message)
 * in the measured seconds; window_p99_max_us is the worst p99 the agents reported for a 1 s
 * metrics window (both agents).
 */
export async function upHotPathRow(ctx: BenchContext): Promise<BenchRow[]> {
  ctx.progress(0, 4);
  const standalone = await standaloneHotPath();
  ctx.progress(1, 4);
  const paced = await standaloneAtUpPace();
  ctx.progress(2, 4);
  const inUp = await hotPathInUp(() => ctx.progress(3, 4));
  ctx.progress(4, 4);
  const ratio = inUp.p99 / standalone.p99Us;
  return [
    { name: 'up.hot_path', metric: 'p50_us', value: inUp.p50, unit: 'us' },
    { name: 'up.hot_path', metric: 'p99_us', value: inUp.p99, unit: 'us' },
    {
      name: 'up.hot_path',
      metric: 'samples',
      value: inUp.samples,
      unit: `decisions, both agents (sim.speed ${SIM_SPEED})`,
    },
    {
      name: 'up.hot_path',
      metric: 'window_p99_max_us',
      value: inUp.windowP99Max,
      unit: 'us (worst 1 s metrics window, both agents)',
    },
    {
      name: 'up.hot_path',
      metric: 'sink_rows_per_s',
      value: inUp.offeredRate,
      unit: `rows/s offered (${SINK_RATE} asked)`,
    },
    { name: 'up.hot_path', metric: 'clients', value: inUp.clients, unit: 'dashboard WebSockets' },
    { name: 'up.hot_path', metric: 'p99_vs_standalone', value: ratio, unit: '× (target ≤ 2)' },
    { name: 'up.hot_path_standalone', metric: 'p50_us', value: standalone.p50Us, unit: 'us' },
    { name: 'up.hot_path_standalone', metric: 'p99_us', value: standalone.p99Us, unit: 'us' },
    {
      name: 'up.hot_path_standalone_paced',
      metric: 'p50_us',
      value: paced.p50Us,
      unit: `us (wall pace, sim.speed ${SIM_SPEED})`,
    },
    {
      name: 'up.hot_path_standalone_paced',
      metric: 'p99_us',
      value: paced.p99Us,
      unit: `us (wall pace, sim.speed ${SIM_SPEED})`,
    },
    {
      name: 'up.hot_path_standalone_paced',
      metric: 'samples',
      value: paced.count,
      unit: 'decisions, both agents',
    },
    { name: 'up.hot_path', metric: 'p50_vs_paced', value: inUp.p50 / paced.p50Us, unit: '×' },
    { name: 'up.hot_path', metric: 'p99_vs_paced', value: inUp.p99 / paced.p99Us, unit: '×' },
  ];
}

/**
 * The same engine at `landfall up`'s pace (wall clock, SIM_SPEED) with nothing else in the
 * process: events then come apart, not back to back, and each finds the caches cold — on this
 * machine that alone makes a decision several times slower than in the virtual-pace figure
 * above. Against this, `up.hot_path` shows what the rest of `up` costs the agents.
 */
async function standaloneAtUpPace(): Promise<{ p50Us: number; p99Us: number; count: number }> {
  const run = await runPolicy(
    'landfall',
    'hot path at up pace',
    { kind: 'landfall' },
    { seed: 7, minutes: (MEASURE_S * SIM_SPEED) / 60, pace: 'wall', sim: { speed: SIM_SPEED } },
  );
  return run.hotPath;
}

/** As the `agent` suite measures `hot_path`: a warm-up run, then one run's submissions. */
async function standaloneHotPath(): Promise<{ p50Us: number; p99Us: number }> {
  await runPolicy('warmup', 'JIT warm-up', { kind: 'landfall' }, { seed: 0, minutes: 20 });
  const run = await runPolicy(
    'landfall',
    'hot path',
    { kind: 'landfall' },
    { seed: 7, minutes: 20 },
  );
  return run.hotPath;
}

interface InUp {
  p50: number;
  p99: number;
  samples: number;
  windowP99Max: number;
  offeredRate: number;
  clients: number;
}

async function hotPathInUp(started: () => void): Promise<InUp> {
  const server = await NatsServer.start();
  const cwd = mkdtempSync(join(tmpdir(), 'lf-bench-up-hot-'));
  const child = spawnUp(cwd, ['--no-warm-start'], {
    LANDFALL_BUS__KIND: 'nats',
    LANDFALL_SIM__SPEED: String(SIM_SPEED),
    NATS_URL: server.url,
  });
  const sockets: WebSocket[] = [];
  let bus: NatsBus | undefined;
  let stopLoad = () => {};
  try {
    const { base, token } = await upBanner(child, GIVE_UP_MS);
    started();
    bus = await NatsBus.connect({ servers: [server.url] });
    const typed = new TypedBus(bus);
    for (let i = 0; i < DASHBOARD_CLIENTS; i += 50) {
      const batch = Array.from({ length: Math.min(50, DASHBOARD_CLIENTS - i) }, () =>
        dashboardClient(`${base.replace(/^http/, 'ws')}/ws`, token),
      );
      sockets.push(...(await Promise.all(batch)));
    }
    const load = publishLoad(typed);
    stopLoad = load.stop;
    const windows: number[] = [];
    const samples: number[] = [];
    let measuring = false;
    const subs = [
      await typed.subscribe(
        'metrics-proto',
        async (m) => {
          // The agents' own windows: not the guard's SLO reports, nor a window with no
          // submission (it reports 0: nothing was measured in it).
          if (measuring && !m.agentId.startsWith(GUARD_AGENT_PREFIX) && m.hotpathP99Ms > 0)
            windows.push(m.hotpathP99Ms * 1000);
        },
        { group: `bench-up-hot-m-${process.pid}`, start: 'latest', transient: true },
      ),
      // Each decision's own hot path, from both agents' opportunities.
      ...(await Promise.all(
        (['arb-opportunities-proto', 'mev-opportunities-proto'] as const).map((topic) =>
          typed.subscribe(
            topic,
            async (o) => {
              if (measuring && o.hotPathUs > 0) samples.push(o.hotPathUs);
            },
            { group: `bench-up-hot-${topic}-${process.pid}`, start: 'latest', transient: true },
          ),
        ),
      )),
    ];
    await sleep(SETTLE_S * 1000);
    measuring = true;
    const from = performance.now();
    const sentFrom = load.sent();
    await sleep(MEASURE_S * 1000);
    measuring = false;
    const offeredRate = ((load.sent() - sentFrom) * 1000) / (performance.now() - from);
    for (const sub of subs) await sub.close();
    stopLoad();
    await load.done;
    if (samples.length === 0)
      throw new LandfallError('LF_INTERNAL', 'landfall up published no decisions to time');
    return {
      p50: percentile(samples, 0.5),
      p99: percentile(samples, 0.99),
      samples: samples.length,
      windowP99Max: windows.length === 0 ? Number.NaN : Math.max(...windows),
      offeredRate,
      clients: sockets.filter((s) => s.readyState === WebSocket.OPEN).length,
    };
  } finally {
    stopLoad();
    for (const s of sockets) s.terminate();
    await bus?.close();
    await stopUp(child);
    await server.dispose();
    rmSync(cwd, { recursive: true, force: true });
  }
}

function dashboardClient(url: string, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['landfall.v1', `bearer.${token}`], { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    // Read and drop: a browser that keeps up.
    ws.on('message', () => {});
  });
}

/**
 * Publishes SINK_RATE audit records a second in 10 ms slices until stopped, without waiting for
 * each slice's acknowledgements (the publisher's window bounds them); behind by more than four
 * slices, it waits for the oldest.
 */
function publishLoad(bus: TypedBus): { sent: () => number; stop: () => void; done: Promise<void> } {
  let sent = 0;
  let stopped = false;
  const perSlice = SINK_RATE / 100;
  const unacked: Promise<unknown>[] = [];
  const done = (async () => {
    const start = performance.now();
    for (let slice = 0; !stopped; slice++) {
      const due = start + slice * 10 - performance.now();
      if (due > 0) await sleep(due);
      while (unacked.length > 4) await unacked.shift();
      const batch: Promise<void>[] = [];
      for (let k = 0; k < perSlice; k++) {
        const i = sent++;
        batch.push(
          bus.publish(
            'audit-proto',
            create(AuditRecordSchema, {
              auditId: `bench-load-${process.pid}-${i}`,
              tsMs: BigInt(Date.now()),
              subject: 'bench-load',
              role: 'operator',
              action: 'bench.load',
              paramsJson: '{"rate":20000}',
              result: 'ok',
              requestId: `r-${i}`,
            }),
          ),
        );
      }
      unacked.push(Promise.allSettled(batch));
    }
    await Promise.all(unacked);
  })();
  return {
    sent: () => sent,
    stop: () => {
      stopped = true;
    },
    done,
  };
}
