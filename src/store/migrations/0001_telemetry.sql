-- Telemetry from the agents: opportunities (with the exact feature vector the scorer saw),
-- bundle outcomes and 1 s metrics. Delivery is at-least-once, so every table is a
-- ReplacingMergeTree ordered by the event id: a redelivered event collapses into one row at
-- merge time and at once under FINAL. Enum names and numbers are the protobuf ones
-- (proto/landfall/v1), so the Kafka engine path and the Node sink write the same values.
-- {{tiered_ttl}} moves rows to volume 'cold' and deletes them at the configured ages;
-- {{tiered_settings}} puts the table on the hot_cold storage policy when tiering is on.

CREATE TABLE IF NOT EXISTS {{database}}.arb_opportunities
(
    opportunity_id String,
    dt DateTime64(3, 'UTC'),
    module Enum8('ARBITRAGE' = 0, 'MEV' = 1),
    slot UInt64,
    agent_id LowCardinality(String),
    strategy LowCardinality(String),
    pools Array(String),
    input_mint String,
    input_amount UInt64,
    gross_profit_lamports Int64,
    feature_set LowCardinality(String),
    features Array(Float32),
    score Float64,
    model_version LowCardinality(String),
    tip_lamports UInt64,
    fee_lamports UInt64,
    route Enum8('ROUTE_UNSPECIFIED' = 0, 'ROUTE_JITO' = 1, 'ROUTE_DIRECT' = 2),
    expected_net_lamports Int64,
    decision Enum8('DECISION_UNSPECIFIED' = 0, 'DECISION_SUBMITTED' = 1, 'DECISION_SKIPPED_SCORE' = 2, 'DECISION_SKIPPED_NEGATIVE_EV' = 3, 'DECISION_SKIPPED_KILLED' = 4, 'DECISION_SKIPPED_THROTTLED' = 5),
    trigger_signature String,
    hot_path_us Float64,
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3),
    INDEX dt_minmax dt TYPE minmax GRANULARITY 1
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(dt)
ORDER BY opportunity_id
{{tiered_ttl}}
{{tiered_settings}};

CREATE TABLE IF NOT EXISTS {{database}}.mev_opportunities
(
    opportunity_id String,
    dt DateTime64(3, 'UTC'),
    module Enum8('ARBITRAGE' = 0, 'MEV' = 1),
    slot UInt64,
    agent_id LowCardinality(String),
    strategy LowCardinality(String),
    pools Array(String),
    input_mint String,
    input_amount UInt64,
    gross_profit_lamports Int64,
    feature_set LowCardinality(String),
    features Array(Float32),
    score Float64,
    model_version LowCardinality(String),
    tip_lamports UInt64,
    fee_lamports UInt64,
    route Enum8('ROUTE_UNSPECIFIED' = 0, 'ROUTE_JITO' = 1, 'ROUTE_DIRECT' = 2),
    expected_net_lamports Int64,
    decision Enum8('DECISION_UNSPECIFIED' = 0, 'DECISION_SUBMITTED' = 1, 'DECISION_SKIPPED_SCORE' = 2, 'DECISION_SKIPPED_NEGATIVE_EV' = 3, 'DECISION_SKIPPED_KILLED' = 4, 'DECISION_SKIPPED_THROTTLED' = 5),
    trigger_signature String,
    hot_path_us Float64,
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3),
    INDEX dt_minmax dt TYPE minmax GRANULARITY 1
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(dt)
ORDER BY opportunity_id
{{tiered_ttl}}
{{tiered_settings}};

CREATE TABLE IF NOT EXISTS {{database}}.bundle_outcomes
(
    bundle_id String,
    dt DateTime64(3, 'UTC'),
    opportunity_id String,
    module Enum8('ARBITRAGE' = 0, 'MEV' = 1),
    landed Bool,
    tip_lamports UInt64,
    path Enum8('ROUTE_UNSPECIFIED' = 0, 'ROUTE_JITO' = 1, 'ROUTE_DIRECT' = 2),
    leader String,
    slot UInt64,
    profit_lamports Int64,
    fee_lamports UInt64,
    agent_id LowCardinality(String),
    expected_net_lamports Int64,
    failure LowCardinality(String),
    latency_ms Float64,
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3),
    INDEX dt_minmax dt TYPE minmax GRANULARITY 1
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(dt)
ORDER BY bundle_id
{{tiered_ttl}}
{{tiered_settings}};

-- One row per agent per module per second: the event id is (agent_id, module, dt).
CREATE TABLE IF NOT EXISTS {{database}}.metrics
(
    agent_id LowCardinality(String),
    module Enum8('ARBITRAGE' = 0, 'MEV' = 1),
    dt DateTime64(3, 'UTC'),
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
    state LowCardinality(String),
    model_version LowCardinality(String),
    jito_share Float64,
    tip_arms Nested(label String, pulls UInt64, mean_payoff_sol Float64),
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(dt)
ORDER BY (agent_id, module, dt)
{{tiered_ttl}}
{{tiered_settings}};
