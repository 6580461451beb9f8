-- Production ingestion without the Node sink: ClickHouse's own Kafka consumers read the
-- protobuf topics (one message per Kafka record: ProtobufSingle) and materialised views write
-- the same rows the sink would into the same tables. Applied only by
-- `landfall store migrate --kafka-engine`, on a server that can reach the brokers and has the
-- .proto files under its format_schema_path (see deploy/clickhouse/README.md).
-- Records that do not decode are not skipped silently: kafka_handle_error_mode = 'stream'
-- hands them to the errors view, which keeps the raw bytes and the reason in kafka_errors.
-- A record without ts_ms takes its Kafka timestamp, as the sink takes the publish time.

CREATE TABLE IF NOT EXISTS {{database}}.kafka_errors
(
    dt DateTime64(3, 'UTC'),
    topic LowCardinality(String),
    partition UInt64,
    offset UInt64,
    key String,
    raw String,
    error String
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(dt)
ORDER BY (topic, dt)
TTL dt + INTERVAL 30 DAY DELETE;

CREATE TABLE IF NOT EXISTS {{database}}.kafka_arb_opportunities
(
    opportunity_id String,
    module Enum8('ARBITRAGE' = 0, 'MEV' = 1),
    ts_ms Int64,
    slot UInt64,
    agent_id String,
    strategy String,
    pools Array(String),
    input_mint String,
    input_amount UInt64,
    gross_profit_lamports Int64,
    feature_set String,
    features Array(Float32),
    score Float64,
    model_version String,
    tip_lamports UInt64,
    fee_lamports UInt64,
    route Enum8('ROUTE_UNSPECIFIED' = 0, 'ROUTE_JITO' = 1, 'ROUTE_DIRECT' = 2),
    expected_net_lamports Int64,
    decision Enum8('DECISION_UNSPECIFIED' = 0, 'DECISION_SUBMITTED' = 1, 'DECISION_SKIPPED_SCORE' = 2, 'DECISION_SKIPPED_NEGATIVE_EV' = 3, 'DECISION_SKIPPED_KILLED' = 4, 'DECISION_SKIPPED_THROTTLED' = 5),
    trigger_signature String,
    hot_path_us Float64
)
ENGINE = Kafka
SETTINGS
    kafka_broker_list = '{{kafka_brokers}}',
    kafka_topic_list = '{{topic_prefix}}arb-opportunities-proto',
    kafka_group_name = '{{kafka_group}}.arb_opportunities',
    kafka_format = 'ProtobufSingle',
    kafka_schema = 'landfall/v1/realtime.proto:Opportunity',
    kafka_handle_error_mode = 'stream';

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.kafka_arb_opportunities_mv TO {{database}}.arb_opportunities AS
SELECT
    opportunity_id,
    module,
    if(ts_ms > 0, fromUnixTimestamp64Milli(ts_ms, 'UTC'), toDateTime64(coalesce(_timestamp_ms, now64(3)), 3, 'UTC')) AS dt,
    slot,
    agent_id,
    strategy,
    pools,
    input_mint,
    input_amount,
    gross_profit_lamports,
    feature_set,
    features,
    score,
    model_version,
    tip_lamports,
    fee_lamports,
    route,
    expected_net_lamports,
    decision,
    trigger_signature,
    hot_path_us
FROM {{database}}.kafka_arb_opportunities
WHERE length(_error) = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.kafka_arb_opportunities_errors_mv TO {{database}}.kafka_errors AS
SELECT now64(3, 'UTC') AS dt, _topic AS topic, _partition AS partition, _offset AS offset, _key AS key,
    _raw_message AS raw, _error AS error
FROM {{database}}.kafka_arb_opportunities
WHERE length(_error) > 0;

CREATE TABLE IF NOT EXISTS {{database}}.kafka_mev_opportunities
(
    opportunity_id String,
    module Enum8('ARBITRAGE' = 0, 'MEV' = 1),
    ts_ms Int64,
    slot UInt64,
    agent_id String,
    strategy String,
    pools Array(String),
    input_mint String,
    input_amount UInt64,
    gross_profit_lamports Int64,
    feature_set String,
    features Array(Float32),
    score Float64,
    model_version String,
    tip_lamports UInt64,
    fee_lamports UInt64,
    route Enum8('ROUTE_UNSPECIFIED' = 0, 'ROUTE_JITO' = 1, 'ROUTE_DIRECT' = 2),
    expected_net_lamports Int64,
    decision Enum8('DECISION_UNSPECIFIED' = 0, 'DECISION_SUBMITTED' = 1, 'DECISION_SKIPPED_SCORE' = 2, 'DECISION_SKIPPED_NEGATIVE_EV' = 3, 'DECISION_SKIPPED_KILLED' = 4, 'DECISION_SKIPPED_THROTTLED' = 5),
    trigger_signature String,
    hot_path_us Float64
)
ENGINE = Kafka
SETTINGS
    kafka_broker_list = '{{kafka_brokers}}',
    kafka_topic_list = '{{topic_prefix}}mev-opportunities-proto',
    kafka_group_name = '{{kafka_group}}.mev_opportunities',
    kafka_format = 'ProtobufSingle',
    kafka_schema = 'landfall/v1/realtime.proto:Opportunity',
    kafka_handle_error_mode = 'stream';

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.kafka_mev_opportunities_mv TO {{database}}.mev_opportunities AS
SELECT
    opportunity_id,
    module,
    if(ts_ms > 0, fromUnixTimestamp64Milli(ts_ms, 'UTC'), toDateTime64(coalesce(_timestamp_ms, now64(3)), 3, 'UTC')) AS dt,
    slot,
    agent_id,
    strategy,
    pools,
    input_mint,
    input_amount,
    gross_profit_lamports,
    feature_set,
    features,
    score,
    model_version,
    tip_lamports,
    fee_lamports,
    route,
    expected_net_lamports,
    decision,
    trigger_signature,
    hot_path_us
FROM {{database}}.kafka_mev_opportunities
WHERE length(_error) = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.kafka_mev_opportunities_errors_mv TO {{database}}.kafka_errors AS
SELECT now64(3, 'UTC') AS dt, _topic AS topic, _partition AS partition, _offset AS offset, _key AS key,
    _raw_message AS raw, _error AS error
FROM {{database}}.kafka_mev_opportunities
WHERE length(_error) > 0;

CREATE TABLE IF NOT EXISTS {{database}}.kafka_bundle_outcomes
(
    bundle_id String,
    opportunity_id String,
    module Enum8('ARBITRAGE' = 0, 'MEV' = 1),
    ts_ms Int64,
    landed Bool,
    tip_lamports UInt64,
    path Enum8('ROUTE_UNSPECIFIED' = 0, 'ROUTE_JITO' = 1, 'ROUTE_DIRECT' = 2),
    leader String,
    slot UInt64,
    profit_lamports Int64,
    fee_lamports UInt64,
    agent_id String,
    expected_net_lamports Int64,
    failure String,
    latency_ms Float64
)
ENGINE = Kafka
SETTINGS
    kafka_broker_list = '{{kafka_brokers}}',
    kafka_topic_list = '{{topic_prefix}}bundle-outcomes-proto',
    kafka_group_name = '{{kafka_group}}.bundle_outcomes',
    kafka_format = 'ProtobufSingle',
    kafka_schema = 'landfall/v1/realtime.proto:BundleOutcome',
    kafka_handle_error_mode = 'stream';

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.kafka_bundle_outcomes_mv TO {{database}}.bundle_outcomes AS
SELECT
    bundle_id,
    opportunity_id,
    module,
    if(ts_ms > 0, fromUnixTimestamp64Milli(ts_ms, 'UTC'), toDateTime64(coalesce(_timestamp_ms, now64(3)), 3, 'UTC')) AS dt,
    landed,
    tip_lamports,
    path,
    leader,
    slot,
    profit_lamports,
    fee_lamports,
    agent_id,
    expected_net_lamports,
    failure,
    latency_ms
FROM {{database}}.kafka_bundle_outcomes
WHERE length(_error) = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.kafka_bundle_outcomes_errors_mv TO {{database}}.kafka_errors AS
SELECT now64(3, 'UTC') AS dt, _topic AS topic, _partition AS partition, _offset AS offset, _key AS key,
    _raw_message AS raw, _error AS error
FROM {{database}}.kafka_bundle_outcomes
WHERE length(_error) > 0;

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
    tip_arms Nested(label String, pulls UInt64, mean_payoff_sol Float64)
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
    `tip_arms.mean_payoff_sol`
FROM {{database}}.kafka_metrics
WHERE length(_error) = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.kafka_metrics_errors_mv TO {{database}}.kafka_errors AS
SELECT now64(3, 'UTC') AS dt, _topic AS topic, _partition AS partition, _offset AS offset, _key AS key,
    _raw_message AS raw, _error AS error
FROM {{database}}.kafka_metrics
WHERE length(_error) > 0;

CREATE TABLE IF NOT EXISTS {{database}}.kafka_train_acks
(
    job_id String,
    state Enum8('TRAIN_STATE_UNSPECIFIED' = 0, 'TRAIN_STATE_QUEUED' = 1, 'TRAIN_STATE_RUNNING' = 2, 'TRAIN_STATE_SUCCEEDED' = 3, 'TRAIN_STATE_FAILED' = 4, 'TRAIN_STATE_REJECTED' = 5),
    message String,
    progress Float64,
    metrics_auc Float64,
    metrics_log_loss Float64,
    metrics_expected_profit_sol Float64,
    metrics_threshold Float64,
    metrics_train_rows UInt64,
    metrics_validation_rows UInt64,
    model_version String,
    field String,
    ts_ms Int64,
    module Enum8('ARBITRAGE' = 0, 'MEV' = 1)
)
ENGINE = Kafka
SETTINGS
    kafka_broker_list = '{{kafka_brokers}}',
    kafka_topic_list = '{{topic_prefix}}train-acks-proto',
    kafka_group_name = '{{kafka_group}}.train_acks',
    kafka_format = 'ProtobufSingle',
    kafka_schema = 'landfall/v1/jobs.proto:TrainAck',
    kafka_handle_error_mode = 'stream';

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.kafka_train_acks_mv TO {{database}}.train_acks AS
SELECT
    job_id,
    state,
    message,
    progress,
    metrics_auc,
    metrics_log_loss,
    metrics_expected_profit_sol,
    metrics_threshold,
    metrics_train_rows,
    metrics_validation_rows,
    model_version,
    field,
    if(ts_ms > 0, fromUnixTimestamp64Milli(ts_ms, 'UTC'), toDateTime64(coalesce(_timestamp_ms, now64(3)), 3, 'UTC')) AS dt,
    module
FROM {{database}}.kafka_train_acks
WHERE length(_error) = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.kafka_train_acks_errors_mv TO {{database}}.kafka_errors AS
SELECT now64(3, 'UTC') AS dt, _topic AS topic, _partition AS partition, _offset AS offset, _key AS key,
    _raw_message AS raw, _error AS error
FROM {{database}}.kafka_train_acks
WHERE length(_error) > 0;

CREATE TABLE IF NOT EXISTS {{database}}.kafka_audit_log
(
    audit_id String,
    ts_ms Int64,
    subject String,
    role String,
    action String,
    params_json String,
    result String,
    request_id String,
    detail String
)
ENGINE = Kafka
SETTINGS
    kafka_broker_list = '{{kafka_brokers}}',
    kafka_topic_list = '{{topic_prefix}}audit-proto',
    kafka_group_name = '{{kafka_group}}.audit_log',
    kafka_format = 'ProtobufSingle',
    kafka_schema = 'landfall/v1/audit.proto:AuditRecord',
    kafka_handle_error_mode = 'stream';

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.kafka_audit_log_mv TO {{database}}.audit_log AS
SELECT
    audit_id,
    if(ts_ms > 0, fromUnixTimestamp64Milli(ts_ms, 'UTC'), toDateTime64(coalesce(_timestamp_ms, now64(3)), 3, 'UTC')) AS dt,
    subject,
    role,
    action,
    params_json,
    result,
    request_id,
    detail
FROM {{database}}.kafka_audit_log
WHERE length(_error) = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.kafka_audit_log_errors_mv TO {{database}}.kafka_errors AS
SELECT now64(3, 'UTC') AS dt, _topic AS topic, _partition AS partition, _offset AS offset, _key AS key,
    _raw_message AS raw, _error AS error
FROM {{database}}.kafka_audit_log
WHERE length(_error) > 0;

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
    source String
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
    source
FROM {{database}}.kafka_control_commands
WHERE length(_error) = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.kafka_control_commands_errors_mv TO {{database}}.kafka_errors AS
SELECT now64(3, 'UTC') AS dt, _topic AS topic, _partition AS partition, _offset AS offset, _key AS key,
    _raw_message AS raw, _error AS error
FROM {{database}}.kafka_control_commands
WHERE length(_error) > 0;
