import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { MetricsUpdate } from '../gen/landfall/v1/realtime_pb.js';
import { fromProtoModule } from '../proto/module.js';
import type { SinkStats } from '../store/sink-stats.js';
import type { Store } from '../store/types.js';

/**
 * The Prometheus view of this process: the API's own request rate and latency by route and
 * status, the agents' key gauges (from metrics-proto, so agents anywhere on the bus appear),
 * and the sink's counters when the sink runs in this process. One registry per app, so two
 * apps in one process (tests, `landfall up`) never register a metric twice.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter<'method' | 'route' | 'status'>;
  readonly #latency: Histogram<'method' | 'route' | 'status'>;
  readonly #agent: Record<
    'hotpath' | 'send' | 'landed' | 'landedLifetime' | 'negEv' | 'decidedWindow' | 'pnl' | 'slo',
    Gauge<'agent' | 'module'>
  >;

  constructor(sinkStats?: () => SinkStats, store?: Store) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.#requests = new Counter({
      name: 'landfall_api_requests_total',
      help: 'API requests by route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.#latency = new Histogram({
      name: 'landfall_api_request_duration_seconds',
      help: 'API request latency by route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    const agentGauge = (name: string, help: string) =>
      new Gauge({ name, help, labelNames: ['agent', 'module'], registers });
    this.#agent = {
      hotpath: agentGauge('landfall_agent_hotpath_p99_ms', 'agent hot path p99, ms (last update)'),
      send: agentGauge(
        'landfall_agent_send_p99_ms',
        'agent network send p99 as its executor timed it, ms (last update)',
      ),
      landed: agentGauge(
        'landfall_agent_landed_pct',
        'agent landed share of the outcomes in the SLO window (guard.windowMs), %',
      ),
      landedLifetime: agentGauge(
        'landfall_agent_landed_lifetime_pct',
        'agent landed share of every outcome since it started, %',
      ),
      negEv: agentGauge(
        'landfall_agent_neg_ev_rate',
        'agent share of the outcomes in the SLO window that lost money, 0..1',
      ),
      decidedWindow: agentGauge(
        'landfall_agent_decided_window',
        'outcomes in the SLO window the windowed rates are over',
      ),
      pnl: agentGauge('landfall_agent_pnl_1h_sol', 'agent PnL over the last hour, SOL'),
      slo: agentGauge('landfall_agent_slo_violation', '1 while the agent reports an SLO violation'),
    };
    if (sinkStats) this.#sinkGauges(sinkStats);
    // Embedded, the engine's allocations are this process's: its own account of them tells a
    // growing RSS from chDB apart from the rest (a server's memory is its own business).
    if (store?.kind === 'chdb') this.#engineMemoryGauge(store);
  }

  #engineMemoryGauge(store: Store): void {
    new Gauge({
      name: 'landfall_store_engine_memory_bytes',
      help: "embedded ClickHouse's tracked memory (system.metrics MemoryTracking), bytes",
      registers: [this.registry],
      async collect() {
        const [row] = await store
          .query<{ v: string }>(
            "SELECT value AS v FROM system.metrics WHERE metric = 'MemoryTracking'",
          )
          .catch(() => []);
        if (row !== undefined) this.set(Number(row.v));
      },
    });
  }

  /** Records one finished request; `route` is the pattern (`/api/training/:jobId`), never the raw URL. */
  observe(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.#requests.inc(labels);
    this.#latency.observe(labels, seconds);
  }

  agentUpdate(m: MetricsUpdate): void {
    const labels = { agent: m.agentId, module: fromProtoModule(m.module) ?? 'arb' };
    // An agent from before the windowed fields (window_ms 0) has only its lifetime rates.
    const windowed = m.windowMs > 0n;
    this.#agent.hotpath.set(labels, m.hotpathP99Ms);
    this.#agent.send.set(labels, m.sendP99Ms);
    this.#agent.landed.set(labels, windowed ? m.landedPctWindow : m.landedPct);
    this.#agent.landedLifetime.set(labels, m.landedPct);
    this.#agent.negEv.set(labels, windowed ? m.negEvRateWindow : m.negEvRate);
    this.#agent.decidedWindow.set(labels, Number(m.decidedWindow));
    this.#agent.pnl.set(labels, m.pnl1h);
    this.#agent.slo.set(labels, m.sloViolation ? 1 : 0);
  }

  #sinkGauges(stats: () => SinkStats): void {
    const fields: Array<[keyof SinkStats, string, string]> = [
      ['rowsInserted', 'landfall_sink_rows_inserted', 'rows stored since start'],
      ['batches', 'landfall_sink_batches', 'insert statements that succeeded since start'],
      ['rowsDeadLettered', 'landfall_sink_rows_dead_lettered', 'rows sent to a DLQ since start'],
      ['insertRetries', 'landfall_sink_insert_retries', 'inserts retried since start'],
      ['pendingRows', 'landfall_sink_pending_rows', 'rows accepted and not yet stored'],
      ['lagMs', 'landfall_sink_lag_ms', 'age of the oldest row not yet stored, ms'],
      ['rowsPerSecond', 'landfall_sink_rows_per_second', 'rows stored per second (10 s window)'],
    ];
    for (const [field, name, help] of fields) {
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.set(stats()[field]);
        },
      });
    }
  }
}
