import type { TopicMessage, TopicName } from '../bus/topics.js';
import { LandfallError } from '../errors.js';
import { Module } from '../gen/landfall/v1/jobs_pb.js';
import { ackState } from '../proto/train-state.js';

/** One row for JSONEachRow: column name → value (enums as their numbers). */
export type Row = Record<string, unknown>;

/** A telemetry topic and the table its messages land in. */
export interface SinkTable<T extends TopicName = TopicName> {
  topic: T;
  table: string;
  /** The event id, for messages about a row. */
  id(message: TopicMessage<T>): string;
  /**
   * Maps a decoded, valid message to its row. Throws LF_STORE_ROW_INVALID when the message
   * decodes but cannot be stored faithfully (a time out of range, a non-finite number).
   * `publishedAt` stands in for a missing `ts_ms`.
   */
  toRow(message: TopicMessage<T>, publishedAt: number): Row;
}

/**
 * A 64-bit integer for JSON: a number when it is exact as one (the common case, and no string
 * to allocate), else its decimal string, which ClickHouse parses into (U)Int64 just the same.
 * Rounding is monotonic and 2^53 is a double, so the conversion is a safe integer exactly when
 * |value| < 2^53: one conversion instead of two BigInt comparisons first.
 */
export function int64(value: bigint): number | string {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : String(value);
}

/** Event times Landfall accepts: 2000-01-01 to 2100-01-01 (DateTime64(3) holds them exactly). */
const MIN_TS_MS = 946_684_800_000;
const MAX_TS_MS = 4_102_444_800_000;

class RowCheck {
  constructor(
    readonly table: string,
    readonly id: string,
  ) {}

  fail(problem: string): never {
    throw new LandfallError('LF_STORE_ROW_INVALID', `${this.table} row ${this.id}: ${problem}`);
  }

  /** Event time in ms: `ts_ms`, or the publish time when the producer left it unset. */
  dt(tsMs: bigint, publishedAt: number): number {
    const ms = tsMs === 0n ? publishedAt : Number(tsMs);
    if (!(ms >= MIN_TS_MS && ms < MAX_TS_MS))
      this.fail(`ts_ms ${tsMs} is outside 2000-01-01..2100-01-01`);
    return ms;
  }

  /** ClickHouse's JSON input would turn NaN/Infinity (null in JSON) into a silent 0. */
  finite(value: number, field: string): number {
    if (!Number.isFinite(value)) this.fail(`${field} is ${value}; only finite numbers are stored`);
    return value;
  }
}

function opportunityTable(
  topic: 'arb-opportunities-proto' | 'mev-opportunities-proto',
  table: string,
  module: Module,
): SinkTable<typeof topic> {
  return {
    topic,
    table,
    id: (m) => m.opportunityId,
    toRow(m, publishedAt) {
      const c = new RowCheck(table, m.opportunityId);
      if (m.module !== module) c.fail(`module ${Module[m.module]} does not belong on ${topic}`);
      if (m.features.length > 0 && m.featureSet === '') {
        c.fail('features without feature_set: training could not rebuild the vector');
      }
      for (const [i, f] of m.features.entries()) c.finite(f, `features[${i}]`);
      return {
        opportunity_id: m.opportunityId,
        dt: c.dt(m.tsMs, publishedAt),
        module: m.module,
        slot: int64(m.slot),
        agent_id: m.agentId,
        strategy: m.strategy,
        pools: m.pools,
        input_mint: m.inputMint,
        input_amount: int64(m.inputAmount),
        gross_profit_lamports: int64(m.grossProfitLamports),
        feature_set: m.featureSet,
        features: m.features,
        score: c.finite(m.score, 'score'),
        model_version: m.modelVersion,
        shadow_score: c.finite(m.shadowScore, 'shadow_score'),
        shadow_model_version: m.shadowModelVersion,
        tip_lamports: int64(m.tipLamports),
        fee_lamports: int64(m.feeLamports),
        route: m.route,
        expected_net_lamports: int64(m.expectedNetLamports),
        decision: m.decision,
        trigger_signature: m.triggerSignature,
        hot_path_us: c.finite(m.hotPathUs, 'hot_path_us'),
        explore: m.explore,
      };
    },
  };
}

const bundleOutcomes: SinkTable<'bundle-outcomes-proto'> = {
  topic: 'bundle-outcomes-proto',
  table: 'bundle_outcomes',
  id: (m) => m.bundleId,
  toRow(m, publishedAt) {
    const c = new RowCheck('bundle_outcomes', m.bundleId);
    return {
      bundle_id: m.bundleId,
      dt: c.dt(m.tsMs, publishedAt),
      opportunity_id: m.opportunityId,
      module: m.module,
      landed: m.landed,
      tip_lamports: int64(m.tipLamports),
      path: m.path,
      leader: m.leader,
      slot: int64(m.slot),
      profit_lamports: int64(m.profitLamports),
      fee_lamports: int64(m.feeLamports),
      agent_id: m.agentId,
      expected_net_lamports: int64(m.expectedNetLamports),
      failure: m.failure,
      latency_ms: c.finite(m.latencyMs, 'latency_ms'),
    };
  },
};

const metrics: SinkTable<'metrics-proto'> = {
  topic: 'metrics-proto',
  table: 'metrics',
  id: (m) => `${m.agentId}/${Module[m.module]}/${m.tsMs}`,
  toRow(m, publishedAt) {
    const c = new RowCheck('metrics', `${m.agentId}@${m.tsMs}`);
    return {
      agent_id: m.agentId,
      module: m.module,
      dt: c.dt(m.tsMs, publishedAt),
      hotpath_p50_ms: c.finite(m.hotpathP50Ms, 'hotpath_p50_ms'),
      hotpath_p99_ms: c.finite(m.hotpathP99Ms, 'hotpath_p99_ms'),
      send_p99_ms: c.finite(m.sendP99Ms, 'send_p99_ms'),
      landed_pct: c.finite(m.landedPct, 'landed_pct'),
      landed_pct_window: c.finite(m.landedPctWindow, 'landed_pct_window'),
      pnl_1h: c.finite(m.pnl1h, 'pnl_1h'),
      slo_violation: m.sloViolation,
      slo_reason: m.sloReason,
      neg_ev_rate: c.finite(m.negEvRate, 'neg_ev_rate'),
      neg_ev_rate_window: c.finite(m.negEvRateWindow, 'neg_ev_rate_window'),
      decided_window: int64(m.decidedWindow),
      window_ms: int64(m.windowMs),
      opportunities: int64(m.opportunities),
      submissions: int64(m.submissions),
      landed: int64(m.landed),
      state: m.state,
      model_version: m.modelVersion,
      jito_share: c.finite(m.jitoShare, 'jito_share'),
      'tip_arms.label': m.tipArms.map((a) => a.label),
      'tip_arms.pulls': m.tipArms.map((a) => int64(a.pulls)),
      'tip_arms.mean_payoff_sol': m.tipArms.map((a, i) =>
        c.finite(a.meanPayoffSol, `tip_arms[${i}].mean_payoff_sol`),
      ),
      decided: int64(m.decided),
      negative_outcomes: int64(m.negativeOutcomes),
      hotpath_slow: int64(m.hotpathSlow),
      hotpath_slow_ms: c.finite(m.hotpathSlowMs, 'hotpath_slow_ms'),
      kernel_pid: m.kernelPid,
      'kernel_send.name': m.kernelSend.map((h) => h.name),
      'kernel_send.key': m.kernelSend.map((h) => h.key),
      'kernel_send.unit': m.kernelSend.map((h) => h.unit),
      'kernel_send.total': m.kernelSend.map((h) => int64(h.total)),
      'kernel_send.p50': m.kernelSend.map((h, i) => c.finite(h.p50, `kernel_send[${i}].p50`)),
      'kernel_send.p99': m.kernelSend.map((h, i) => c.finite(h.p99, `kernel_send[${i}].p99`)),
      'kernel_send.window_ms': m.kernelSend.map((h) => int64(h.windowMs)),
      'stages.stage': m.stages.map((g) => g.stage),
      'stages.count': m.stages.map((g) => int64(g.count)),
      'stages.p50_us': m.stages.map((g, i) => c.finite(g.p50Us, `stages[${i}].p50_us`)),
      'stages.p99_us': m.stages.map((g, i) => c.finite(g.p99Us, `stages[${i}].p99_us`)),
      'stages.max_us': m.stages.map((g, i) => c.finite(g.maxUs, `stages[${i}].max_us`)),
    };
  },
};

const trainAcks: SinkTable<'train-acks-proto'> = {
  topic: 'train-acks-proto',
  table: 'train_acks',
  id: (m) => m.jobId,
  toRow(m, publishedAt) {
    const c = new RowCheck('train_acks', m.jobId);
    const x = m.metrics;
    return {
      job_id: m.jobId,
      // The typed state, or the seed's string when a producer sent only that.
      state: ackState(m),
      dt: c.dt(m.tsMs, publishedAt),
      module: m.module,
      message: m.message,
      progress: c.finite(m.progress, 'progress'),
      metrics_auc: c.finite(x?.auc ?? 0, 'metrics.auc'),
      metrics_log_loss: c.finite(x?.logLoss ?? 0, 'metrics.log_loss'),
      metrics_expected_profit_sol: c.finite(
        x?.expectedProfitSol ?? 0,
        'metrics.expected_profit_sol',
      ),
      metrics_threshold: c.finite(x?.threshold ?? 0, 'metrics.threshold'),
      metrics_train_rows: int64(x?.trainRows ?? 0n),
      metrics_validation_rows: int64(x?.validationRows ?? 0n),
      model_version: m.modelVersion,
      field: m.field,
    };
  },
};

const auditLog: SinkTable<'audit-proto'> = {
  topic: 'audit-proto',
  table: 'audit_log',
  id: (m) => m.auditId,
  toRow(m, publishedAt) {
    const c = new RowCheck('audit_log', m.auditId);
    return {
      audit_id: m.auditId,
      dt: c.dt(m.tsMs, publishedAt),
      subject: m.subject,
      role: m.role,
      action: m.action,
      params_json: m.paramsJson,
      result: m.result,
      request_id: m.requestId,
      detail: m.detail,
    };
  },
};

const controlCommands: SinkTable<'control-proto'> = {
  topic: 'control-proto',
  table: 'control_commands',
  id: (m) => m.commandId,
  toRow(m, publishedAt) {
    const c = new RowCheck('control_commands', m.commandId);
    return {
      command_id: m.commandId,
      dt: c.dt(m.tsMs, publishedAt),
      action: m.action,
      module: m.module,
      issuer: m.issuer,
      reason: m.reason,
      source: m.source,
      key_id: m.keyId,
      signed: m.signature.length > 0,
      throttle_rate_fraction: c.finite(m.throttle?.rateFraction ?? 0, 'throttle.rate_fraction'),
      throttle_threshold_raise: c.finite(
        m.throttle?.thresholdRaise ?? 0,
        'throttle.threshold_raise',
      ),
      policy_tip_policy: m.policy?.tipPolicy ?? '',
      policy_route_policy: m.policy?.routePolicy ?? '',
    };
  },
};

/** Every topic the sink stores, with its table. */
export const sinkTables: readonly SinkTable[] = [
  opportunityTable('arb-opportunities-proto', 'arb_opportunities', Module.ARBITRAGE),
  opportunityTable('mev-opportunities-proto', 'mev_opportunities', Module.MEV),
  bundleOutcomes,
  metrics,
  trainAcks,
  auditLog,
  controlCommands,
] as readonly SinkTable[];
