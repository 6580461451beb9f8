-- The opportunity topics' Kafka tables and views again, with Opportunity field 24 (paper
-- exploration), as 0007_paper_exploration.sql stores it. A Kafka-engine table cannot be
-- altered: each is dropped and created with the same consumer group, which resumes from its
-- offsets.

DROP VIEW IF EXISTS {{database}}.kafka_arb_opportunities_mv;
DROP VIEW IF EXISTS {{database}}.kafka_arb_opportunities_errors_mv;
DROP TABLE IF EXISTS {{database}}.kafka_arb_opportunities;

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
    hot_path_us Float64,
    shadow_score Float64,
    shadow_model_version String,
    explore Bool
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
    hot_path_us,
    shadow_score,
    shadow_model_version,
    explore
FROM {{database}}.kafka_arb_opportunities
WHERE length(_error) = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.kafka_arb_opportunities_errors_mv TO {{database}}.kafka_errors AS
SELECT now64(3, 'UTC') AS dt, _topic AS topic, _partition AS partition, _offset AS offset, _key AS key,
    _raw_message AS raw, _error AS error
FROM {{database}}.kafka_arb_opportunities
WHERE length(_error) > 0;

DROP VIEW IF EXISTS {{database}}.kafka_mev_opportunities_mv;
DROP VIEW IF EXISTS {{database}}.kafka_mev_opportunities_errors_mv;
DROP TABLE IF EXISTS {{database}}.kafka_mev_opportunities;

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
    hot_path_us Float64,
    shadow_score Float64,
    shadow_model_version String,
    explore Bool
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
    hot_path_us,
    shadow_score,
    shadow_model_version,
    explore
FROM {{database}}.kafka_mev_opportunities
WHERE length(_error) = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.kafka_mev_opportunities_errors_mv TO {{database}}.kafka_errors AS
SELECT now64(3, 'UTC') AS dt, _topic AS topic, _partition AS partition, _offset AS offset, _key AS key,
    _raw_message AS raw, _error AS error
FROM {{database}}.kafka_mev_opportunities
WHERE length(_error) > 0;
