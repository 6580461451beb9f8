import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '../../bus/delivery.js';
import { MemoryBus } from '../../bus/memory.js';
import { encodeTopic, TypedBus } from '../../bus/typed.js';
import type { Bus } from '../../bus/types.js';
import { validateConfig } from '../../config/load.js';
import type { StoreConfig } from '../../config/schema.js';
import { sampleBundleOutcome } from '../../proto/samples.js';
import { openStore } from '../../store/client.js';
import { migrateStore } from '../../store/setup.js';
import { type InsertedBatch, Sink } from '../../store/sink.js';
import type { Store } from '../../store/types.js';
import { cpuBoundRate, ownCpuSeconds, threadCpuSeconds } from '../cpu.js';
import type { BenchContext, BenchRow, BenchSuite } from '../harness.js';
import { percentile } from '../stats.js';
import { formatRows } from './store-formats.js';

const TOPIC = 'bundle-outcomes-proto';
const BACKLOG_ROWS = 300_000;
const LIVE_RATE = 100_000;
const LIVE_SECONDS = 5;

type SinkConfig = StoreConfig['sink'];

interface Payload {
  key: string;
  value: Uint8Array;
}

interface Scenario {
  name: string;
  bus: () => Bus;
  /** What the bus lets through unacknowledged per subscription. */
  maxInFlight: number;
  rows: number;
  /** Messages a second, or undefined to publish the whole backlog before the sink starts. */
  rate?: number;
  /** Row worker threads (the sink's `rowWorkers`). */
  rowWorkers: number;
}

interface Run {
  rows: number;
  /** Sink start → every row stored, ms. */
  totalMs: number;
  /** Sink start → 90 % of the rows stored, ms: the steady state, before queues run dry. */
  steadyMs: number;
  /** Per row: insert completion minus publish time, ms. */
  lags: number[];
  /** CPU seconds from sink start to the last row stored: the event loop's, and every thread's. */
  loopCpu: number;
  processCpu: number;
}

let offset = 0;
function payloads(n: number): Payload[] {
  return Array.from({ length: n }, () => {
    const m = sampleBundleOutcome(offset++);
    return { key: m.bundleId, value: encodeTopic(TOPIC, m) };
  });
}

async function publish(bus: Bus, items: Payload[], rate: number | undefined): Promise<void> {
  // Paced: `rate` a second in 10 ms slices, as agents publish.
  const perSlice = rate === undefined ? items.length : rate / 100;
  const start = performance.now();
  for (let slice = 0; slice * perSlice < items.length; slice++) {
    const due = start + slice * 10 - performance.now();
    if (due > 0) await sleep(due);
    for (const { key, value } of items.slice(slice * perSlice, (slice + 1) * perSlice)) {
      await bus.publish(TOPIC, value, { key });
    }
  }
}

async function run(store: Store, s: Scenario, sinkConfig: SinkConfig): Promise<Run> {
  const bus = s.bus();
  const rows = s.rows;
  const items = payloads(rows);
  const lags: number[] = [];
  let stored = 0;
  let steadyAt = 0;
  const onInserted = (b: InsertedBatch) => {
    const now = Date.now();
    for (const t of b.timestamps) lags.push(now - t);
    stored += b.rows;
    if (steadyAt === 0 && stored >= rows * 0.9) steadyAt = performance.now();
  };
  if (s.rate === undefined) await publish(bus, items, undefined);
  const loopFrom = threadCpuSeconds();
  const processFrom = ownCpuSeconds();
  const start = performance.now();
  // The configured defaults, as `landfall sink` and `landfall up` run them.
  const sink = await Sink.start({
    ...sinkConfig,
    bus: new TypedBus(bus),
    store,
    group: 'bench',
    maxInFlight: s.maxInFlight,
    rowWorkers: s.rowWorkers,
    onInserted,
  });
  // The clock runs from before the start: rows stored while the workers load (tens of ms from
  // the build) are encoded inline, and count.
  await sink.rowWorkersReady();
  if (s.rate !== undefined) await publish(bus, items, s.rate);
  while (stored < rows) await sleep(5);
  const totalMs = performance.now() - start;
  const loopCpu = threadCpuSeconds() - loopFrom;
  const processCpu = ownCpuSeconds() - processFrom;
  await sink.stop();
  await bus.close();
  return { rows, totalMs, steadyMs: steadyAt - start, lags, loopCpu, processCpu };
}

function rowsFor(name: string, r: Run): BenchRow[] {
  return [
    { name, metric: 'rows', value: r.rows, unit: 'rows' },
    { name, metric: 'rows_per_s', value: (r.rows * 0.9 * 1000) / r.steadyMs, unit: 'rows/s' },
    { name, metric: 'rows_per_s_all', value: (r.rows * 1000) / r.totalMs, unit: 'rows/s' },
    { name, metric: 'p50_ms', value: percentile(r.lags, 0.5), unit: 'ms' },
    { name, metric: 'p99_ms', value: percentile(r.lags, 0.99), unit: 'ms' },
    // Where the time goes: the event loop (bus, decode, encode; a live run's publisher too) and
    // the whole process (the engine's insert threads and the row workers too).
    {
      name,
      metric: 'loop_cpu_us',
      value: (r.loopCpu * 1e6) / r.rows,
      unit: 'µs CPU/row (event loop)',
    },
    {
      name,
      metric: 'process_cpu_us',
      value: (r.processCpu * 1e6) / r.rows,
      unit: 'µs CPU/row (all threads)',
    },
    {
      name,
      metric: 'cpu_bound_rows_per_s',
      // The event loop is one thread: it bounds the rate on any number of cores.
      value: Math.min(cpuBoundRate(r.processCpu / r.rows), r.rows / r.loopCpu),
      unit: `rows/s if all ${availableParallelism()} cores did only this`,
    },
  ];
}

function scenarios(rowWorkers: number): Scenario[] {
  const backlog = (name: string, workers: number): Scenario => ({
    name,
    // Retention must hold the whole backlog: no group exists until the sink starts.
    bus: () => new MemoryBus({ retentionBytes: BACKLOG_ROWS * 2048 }),
    maxInFlight: 10_000,
    rows: BACKLOG_ROWS,
    rowWorkers: workers,
  });
  return [
    // A backlog published before the sink starts: how fast the sink drains it, with the
    // configured row workers and with decoding on the sink's own thread.
    backlog('sink.backlog', rowWorkers),
    backlog('sink.backlog.inline', 0),
    backlog('sink.backlog.workers4', 4),
    // Agents publishing at a steady rate: lag from publish to stored.
    {
      name: 'sink.live',
      // Room for all of it: a sink behind the offered rate must show as lag, not as the
      // memory bus trimming on every publish past its bound.
      bus: () => new MemoryBus({ retentionBytes: LIVE_RATE * LIVE_SECONDS * 2048 }),
      maxInFlight: 10_000,
      rows: LIVE_RATE * LIVE_SECONDS,
      rate: LIVE_RATE,
      rowWorkers,
    },
  ];
}

export const storeSuite: BenchSuite = {
  name: 'store',
  description:
    'bus→ClickHouse sink into embedded chDB (BundleOutcome rows, store.sink defaults): ' +
    'rows_per_s up to 90 % of the rows, rows_per_s_all to the last; lag = stored − published; ' +
    `sink.live offers ${LIVE_RATE / 1000}k rows/s; store.format.* inserts one batch set per format`,
  async run(ctx: BenchContext) {
    const home = mkdtempSync(join(tmpdir(), 'lf-bench-store-'));
    const config = validateConfig({ home });
    const store = await openStore(config.store, { home });
    try {
      await migrateStore(store, config);
      const rows: BenchRow[] = [];
      const all = scenarios(config.store.sink.rowWorkers);
      for (const [i, s] of all.entries()) {
        ctx.progress(i, all.length + 1);
        rows.push(...rowsFor(s.name, await run(store, s, config.store.sink)));
      }
      rows.push(...(await formatRows(store)));
      ctx.progress(all.length + 1, all.length + 1);
      return rows;
    } finally {
      await store.close();
      rmSync(home, { recursive: true, force: true });
    }
  },
};
