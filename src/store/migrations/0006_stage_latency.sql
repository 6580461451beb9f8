-- MetricsUpdate field 29: the live path's latency by stage over each metrics interval (stream
-- receive → event → decision → signed → sent, and each submission's build, sign, send, first
-- status, final), one entry per stage with its count and p50/p99/max in µs. Added with a
-- default: rows stored before read as no stages.

ALTER TABLE {{database}}.metrics
    ADD COLUMN IF NOT EXISTS stages Nested(
        stage LowCardinality(String), count UInt64, p50_us Float64, p99_us Float64, max_us Float64
    );
