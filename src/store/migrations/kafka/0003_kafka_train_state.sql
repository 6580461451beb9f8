-- The training acks' Kafka table and views again: TrainAck field 2 `state` became the seed's
-- lower-case string and the typed state moved to field 10 `train_state` (issue 22). The view
-- stores the typed state, or reads the string when a producer (written to the seed's
-- jobs.proto) sent only that, as the Node sink does. A Kafka-engine table cannot be altered:
-- it is dropped and created with the same consumer group, which resumes from its offsets.

DROP VIEW IF EXISTS {{database}}.kafka_train_acks_mv;
DROP VIEW IF EXISTS {{database}}.kafka_train_acks_errors_mv;
DROP TABLE IF EXISTS {{database}}.kafka_train_acks;

CREATE TABLE IF NOT EXISTS {{database}}.kafka_train_acks
(
    job_id String,
    state String,
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
    module Enum8('ARBITRAGE' = 0, 'MEV' = 1),
    train_state Enum8('TRAIN_STATE_UNSPECIFIED' = 0, 'TRAIN_STATE_QUEUED' = 1, 'TRAIN_STATE_RUNNING' = 2, 'TRAIN_STATE_SUCCEEDED' = 3, 'TRAIN_STATE_FAILED' = 4, 'TRAIN_STATE_REJECTED' = 5)
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
    if(train_state != 'TRAIN_STATE_UNSPECIFIED', toString(train_state),
        transform(state, ['queued', 'running', 'succeeded', 'failed', 'rejected'],
            ['TRAIN_STATE_QUEUED', 'TRAIN_STATE_RUNNING', 'TRAIN_STATE_SUCCEEDED', 'TRAIN_STATE_FAILED', 'TRAIN_STATE_REJECTED'],
            'TRAIN_STATE_UNSPECIFIED')) AS state,
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
