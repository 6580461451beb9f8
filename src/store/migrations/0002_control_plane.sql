-- The control plane's records: training acknowledgements, the audit ledger and the control
-- commands. Small tables kept in full (no delete TTL): the audit ledger is evidence, and
-- training history and commands explain the telemetry they sit beside.

-- A job acknowledges several times (queued, running with progress, done): the event id is
-- (job_id, state, dt).
CREATE TABLE IF NOT EXISTS {{database}}.train_acks
(
    job_id String,
    state Enum8('TRAIN_STATE_UNSPECIFIED' = 0, 'TRAIN_STATE_QUEUED' = 1, 'TRAIN_STATE_RUNNING' = 2, 'TRAIN_STATE_SUCCEEDED' = 3, 'TRAIN_STATE_FAILED' = 4, 'TRAIN_STATE_REJECTED' = 5),
    dt DateTime64(3, 'UTC'),
    module Enum8('ARBITRAGE' = 0, 'MEV' = 1),
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
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(dt)
ORDER BY (job_id, state, dt);

CREATE TABLE IF NOT EXISTS {{database}}.audit_log
(
    audit_id String,
    dt DateTime64(3, 'UTC'),
    subject String,
    role LowCardinality(String),
    action LowCardinality(String),
    params_json String,
    result LowCardinality(String),
    request_id String,
    detail String,
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3),
    INDEX dt_minmax dt TYPE minmax GRANULARITY 1
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(dt)
ORDER BY audit_id;

CREATE TABLE IF NOT EXISTS {{database}}.control_commands
(
    command_id String,
    dt DateTime64(3, 'UTC'),
    action Enum8('CONTROL_ACTION_UNSPECIFIED' = 0, 'CONTROL_ACTION_KILL' = 1, 'CONTROL_ACTION_THROTTLE' = 2, 'CONTROL_ACTION_RESUME' = 3, 'CONTROL_ACTION_SET_POLICY' = 4),
    module Enum8('ARBITRAGE' = 0, 'MEV' = 1),
    issuer String,
    reason String,
    source LowCardinality(String),
    throttle_rate_fraction Float64,
    throttle_threshold_raise Float64,
    policy_tip_policy LowCardinality(String),
    policy_route_policy LowCardinality(String),
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3),
    INDEX dt_minmax dt TYPE minmax GRANULARITY 1
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(dt)
ORDER BY command_id;
