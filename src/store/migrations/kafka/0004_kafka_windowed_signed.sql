-- The metrics and control topics' Kafka tables and views again, with MetricsUpdate fields
-- 25-28 (the windowed rates) and ControlCommand fields 10-11 (key id, signature), as
-- 0004_windowed_metrics_signed_control.sql stores them. A Kafka-engine table cannot be altered:
-- each is dropped and created with the same consumer group, which resumes from its offsets.

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
    window_ms Int64
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
    window_ms
FROM {{database}}.kafka_metrics
WHERE length(_error) = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.kafka_metrics_errors_mv TO {{database}}.kafka_errors AS
SELECT now64(3, 'UTC') AS dt, _topic AS topic, _partition AS partition, _offset AS offset, _key AS key,
    _raw_message AS raw, _error AS error
FROM {{database}}.kafka_metrics
WHERE length(_error) > 0;

DROP VIEW IF EXISTS {{database}}.kafka_control_commands_mv;
DROP VIEW IF EXISTS {{database}}.kafka_control_commands_errors_mv;
DROP TABLE IF EXISTS {{database}}.kafka_control_commands;

CREATE TABLE IF NOT EXISTS {{database}}.kafka_control_commands
(
    command_id String,
    action Enum8('CONTROL_ACTION_UNSPECIFIED' = 0, 'CONTROL_ACTION_KILL' = 1, 'CONTROL_ACTION_THROTTLE' = 2, 'CONTROL_ACTION_RESUME' = 3, 'CONTROL_ACTION_SET_POLICY' = 4),
    module Enum8('ARBITRAGE' = 0, 'MEV' = 1),
    issuer String,
    reason String,
    ts_ms Int64,
    throttle_rate_fraction Float64,
    throttle_threshold_raise Float64,
    policy_tip_policy String,
    policy_route_policy String,
    source String,
    key_id String,
    signature String
)
ENGINE = Kafka
SETTINGS
    kafka_broker_list = '{{kafka_brokers}}',
    kafka_topic_list = '{{topic_prefix}}control-proto',
    kafka_group_name = '{{kafka_group}}.control_commands',
    kafka_format = 'ProtobufSingle',
    kafka_schema = 'landfall/v1/control.proto:ControlCommand',
    kafka_handle_error_mode = 'stream';

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.kafka_control_commands_mv TO {{database}}.control_commands AS
SELECT
    command_id,
    action,
    module,
    issuer,
    reason,
    if(ts_ms > 0, fromUnixTimestamp64Milli(ts_ms, 'UTC'), toDateTime64(coalesce(_timestamp_ms, now64(3)), 3, 'UTC')) AS dt,
    throttle_rate_fraction,
    throttle_threshold_raise,
    policy_tip_policy,
    policy_route_policy,
    source,
    key_id,
    length(signature) > 0 AS signed
FROM {{database}}.kafka_control_commands
WHERE length(_error) = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.kafka_control_commands_errors_mv TO {{database}}.kafka_errors AS
SELECT now64(3, 'UTC') AS dt, _topic AS topic, _partition AS partition, _offset AS offset, _key AS key,
    _raw_message AS raw, _error AS error
FROM {{database}}.kafka_control_commands
WHERE length(_error) > 0;
