-- The metrics topic's Kafka table and views again, with MetricsUpdate field 29 (the live
-- path's stage latencies), as 0006_stage_latency.sql stores them. A Kafka-engine table cannot be
-- altered: it is dropped and created with the same consumer group, which resumes from its
-- offsets.

DROP VIEW IF EXISTS {{database}}.kafka_metrics_mv;
DROP VIEW IF EXISTS {{database}}.kafka_metrics_errors_mv;
DROP TABLE IF EXISTS {{database}}.kafka_metrics;

CREATE TABLE IF NOT EXISTS {{database}}.kafka_metrics
(
    agent_id String,
    module Enum8('ARBITRAGE' = 0, 'MEV' = 1),
    ts_ms Int64,
    hotpath_p50_ms Float64,
    hotpath_p99_ms Float64,
    send_p99_ms Float64,
    landed_pct Float64,
    pnl_1h Float64,
    slo_violation Bool,
    slo_reason String,
    neg_ev_rate Float64,
    opportunities UInt64,
    submissions UInt64,
    landed UInt64,
    state String,
    model_version String,
    jito_share Float64,
    tip_arms Nested(label String, pulls UInt64, mean_payoff_sol Float64),
    decided UInt64,
    negative_outcomes UInt64,
    hotpath_slow UInt64,
    hotpath_slow_ms Float64,
    kernel_send Nested(name String, key String, unit String, total UInt64, p50 Float64, p99 Float64, window_ms Int64),
    kernel_pid UInt32,
    landed_pct_window Float64,
    neg_ev_rate_window Float64,
    decided_window UInt64,
    window_ms Int64,
    stages Nested(stage String, count UInt64, p50_us Float64, p99_us Float64, max_us Float64)
)
ENGINE = Kafka
SETTINGS
    kafka_broker_list = '{{kafka_brokers}}',
    kafka_topic_list = '{{topic_prefix}}metrics-proto',
    kafka_group_name = '{{kafka_group}}.metrics',
    kafka_format = 'ProtobufSingle',
    kafka_schema = 'landfall/v1/realtime.proto:MetricsUpdate',
    kafka_handle_error_mode = 'stream';

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.kafka_metrics_mv TO {{database}}.metrics AS
SELECT
    agent_id,
    module,
    if(ts_ms > 0, fromUnixTimestamp64Milli(ts_ms, 'UTC'), toDateTime64(coalesce(_timestamp_ms, now64(3)), 3, 'UTC')) AS dt,
    hotpath_p50_ms,
    hotpath_p99_ms,
    send_p99_ms,
    landed_pct,
    pnl_1h,
    slo_violation,
    slo_reason,
    neg_ev_rate,
    opportunities,
    submissions,
    landed,
    state,
    model_version,
    jito_share,
    `tip_arms.label`,
    `tip_arms.pulls`,
    `tip_arms.mean_payoff_sol`,
    decided,
    negative_outcomes,
    hotpath_slow,
    hotpath_slow_ms,
    kernel_pid,
    `kernel_send.name`,
    `kernel_send.key`,
    `kernel_send.unit`,
    `kernel_send.total`,
    `kernel_send.p50`,
    `kernel_send.p99`,
    `kernel_send.window_ms`,
    landed_pct_window,
    neg_ev_rate_window,
    decided_window,
    window_ms,
    `stages.stage`,
    `stages.count`,
    `stages.p50_us`,
    `stages.p99_us`,
    `stages.max_us`
FROM {{database}}.kafka_metrics
WHERE length(_error) = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.kafka_metrics_errors_mv TO {{database}}.kafka_errors AS
SELECT now64(3, 'UTC') AS dt, _topic AS topic, _partition AS partition, _offset AS offset, _key AS key,
    _raw_message AS raw, _error AS error
FROM {{database}}.kafka_metrics
WHERE length(_error) > 0;
